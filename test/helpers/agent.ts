// Starts a real agent in-process for tests: a copy of the lab SoT, every
// service on 127.0.0.1 with port 0 (free ports), a files folder and a TFTP
// folder of its own, a silent logger. Always stop() it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { VaqueroError } from '../../src/errors.ts';
import { loadAgentConfig, type AgentConfig } from '../../src/agent/config.ts';
import { startAgent, type AgentHandle } from '../../src/agent/runtime.ts';
import { pxeDiscover } from './pxe-steps.ts';
import { LAB_SOT, copySot, type SotCopy } from './sot.ts';
import { until } from './until.ts';

export interface TestAgent {
  agent: AgentHandle;
  sot: SotCopy;
  files: string;
  tftp: string;
  fatal: VaqueroError[];
  stop(): Promise<void>;
}

/** `prepare` may edit the SoT copy before the agent reads it. */
export async function startTestAgent(over: Partial<AgentConfig> = {}, prepare?: (sot: SotCopy) => void): Promise<TestAgent> {
  const sot = copySot(LAB_SOT);
  prepare?.(sot);
  const work = mkdtempSync(join(tmpdir(), 'vaquero-agent-'));
  const files = join(work, 'files');
  const tftp = join(work, 'tftp');
  mkdirSync(join(files, 'flatcar', '3975.2.2'), { recursive: true });
  writeFileSync(join(files, 'flatcar', '3975.2.2', 'flatcar_production_pxe.vmlinuz'), Buffer.alloc(4096, 7));
  writeFileSync(join(files, 'flatcar', '3975.2.2', 'flatcar_production_pxe_image.cpio.gz'), Buffer.alloc(8192, 9));
  mkdirSync(tftp);
  writeFileSync(join(tftp, 'undionly.kpxe'), Buffer.alloc(70_000, 1));
  const cfg: AgentConfig = {
    ...loadAgentConfig({ sot: sot.dir, site: 'lab', bind: '127.0.0.1', dhcpPort: '0', tftpPort: '0', httpPort: '0', admin: '127.0.0.1:0', files, tftpDir: tftp, logLevel: 'silent' }, {}),
    pollIntervalMs: 60_000,
    ...over,
  };
  const fatal: VaqueroError[] = [];
  const agent = await startAgent(cfg, { logger: pino({ level: 'silent' }), onFatal: (r) => fatal.push(r) });
  return {
    agent,
    sot,
    files,
    tftp,
    fatal,
    stop: async () => {
      try {
        await agent.stop();
      } finally {
        sot.cleanup();
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

/** A TCP port that was free a moment ago (the kernel's pick), or one held open until close(). */
export async function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const srv: Server = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

/**
 * Sends the agent's DHCP a relayed PXE DISCOVER from `mac` with client architecture `arch`
 * and returns the boot file its offer named (the `dhcp.offer` event's).
 */
export async function offeredBootFile(t: TestAgent, mac: string, arch: number): Promise<string | undefined> {
  await pxeDiscover(t.agent.addresses.dhcp!.port, mac, arch);
  const offer = await until(`an offer to ${mac}`, 10_000, () => t.agent.events.since(0).find((e) => e.type === 'dhcp.offer' && e.mac === mac));
  return (offer as { bootFile?: string }).bootFile;
}

export { until };
