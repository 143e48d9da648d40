// `vaquero agent --sot DIR --site ID [--config FILE] ...`: runs a site agent
// (DHCP, TFTP, HTTP) on a local source of truth under supervision, until
// SIGINT/SIGTERM. Exits non-zero when its supervision tree gives up, so the
// process manager restarts it.
import { pino } from 'pino';
import { loadAgentConfig, type AgentConfig } from '../agent/config.ts';
import { startAgent } from '../agent/runtime.ts';
import { exitProcess, installProcessHandlers } from '../supervisors/root.ts';
import { parse } from './args.ts';
import type { Io } from './main.ts';

const usage = `usage: vaquero agent --sot DIR --site ID [options]

Runs a site agent on a local source of truth: DHCP (server or proxy mode, as
the site's env says), TFTP (iPXE ROMs), the HTTP asset server, and an admin
endpoint, under supervision. The SoT folder is polled for changes; a change
that does not validate is reported and the last good model keeps serving.

  --sot DIR          source of truth folder (LocalDir.Dir)
  --site ID          the site this agent serves (VAQUERO_SITE_ID)
  --config FILE      YAML configuration (SavePath, LocalDir, Log, Agent.*, with
                     Agent.BootFiles: config/agent.example.yml)
  --bind ADDR        address the services listen on (default 0.0.0.0)
  --dhcp-port N|off  DHCP port (default 67)
  --tftp-port N|off  TFTP port (default 69)
  --http-port N      asset server port (default: the env's asset_server.port, 24602)
  --admin HOST:PORT|off  admin endpoint (default 127.0.0.1:24604)
  --files DIR        folder served under /files (default: asset_server.base_dir)
  --tftp-dir DIR     TFTP folder, also served under /boot for UEFI HTTP boot
                     (default: tftp_server.base_dir, then /usr/lib/ipxe)
  --tftp-single-port on|off  lock-step TFTP replies from port 69, in batches (default on);
                     off: a port per transfer
  --log-level LEVEL  fatal, error, warn, info, debug, trace (default info)
  --dev              developer defaults: without root, DHCP and TFTP (ports
                     below 1024) are left off with a note on how to grant them

exit: runs until SIGINT/SIGTERM (0); 1 when supervision gives up; 2 on a bad configuration
`;

const PRIVILEGED = 1024;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, {
    sot: { type: 'string' },
    site: { type: 'string' },
    config: { type: 'string' },
    bind: { type: 'string' },
    'dhcp-port': { type: 'string' },
    'tftp-port': { type: 'string' },
    'http-port': { type: 'string' },
    admin: { type: 'string' },
    files: { type: 'string' },
    'tftp-dir': { type: 'string' },
    'tftp-single-port': { type: 'string' },
    'log-level': { type: 'string' },
    dev: { type: 'boolean' },
  });
  if (values.help) {
    io.out(usage);
    return 0;
  }
  const set = <K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> => (v === undefined ? {} : ({ [k]: v } as Record<K, string>));
  const cfg: AgentConfig = loadAgentConfig({
    ...set('file', values.config),
    ...set('sot', values.sot),
    ...set('site', values.site),
    ...set('bind', values.bind),
    ...set('dhcpPort', values['dhcp-port']),
    ...set('tftpPort', values['tftp-port']),
    ...set('httpPort', values['http-port']),
    ...set('admin', values.admin),
    ...set('files', values.files),
    ...set('tftpDir', values['tftp-dir']),
    ...set('tftpSinglePort', values['tftp-single-port']),
    ...set('logLevel', values['log-level']),
  });
  const notes: string[] = [];
  if (values.dev && process.getuid?.() !== 0) {
    for (const [key, name] of [['dhcpPort', 'DHCP'], ['tftpPort', 'TFTP']] as const) {
      const p = cfg[key];
      if (p !== null && p > 0 && p < PRIVILEGED) {
        cfg[key] = null;
        notes.push(`${name} (port ${p}) is off: ports below 1024 need root, or grant node the capability: sudo setcap cap_net_bind_service=+ep "$(readlink -f "$(command -v node)")"`);
      }
    }
  }
  const logger = pino({ level: cfg.log.level, base: { agent: cfg.agentId, site: cfg.siteId } });
  installProcessHandlers(logger);
  const agent = await startAgent(cfg, { logger, onFatal: exitProcess(logger) });
  const where = Object.entries(agent.addresses).map(([k, a]) => `  ${k.padEnd(6)} ${a.address}:${a.port}`);
  io.err(`vaquero agent for site '${cfg.siteId}' on ${cfg.sotDir}\n${where.join('\n')}\n${notes.map((n) => `  note: ${n}\n`).join('')}`);
  const s = agent.status();
  io.err(s.model ? `  model ${s.model.version} loaded\n` : `  no valid model yet: ${s.reason ?? ''} (see the admin endpoint's /events)\n`);
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await agent.stop();
  return 0;
}
