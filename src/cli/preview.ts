// `vaquero preview --sot DIR --mac MAC [--site ID] [--boot ID] [--ipxe | --data]`:
// what the agent would serve that host: its unattended config (default), its
// iPXE script, or the exact data and function values its templates see.
import { VaqueroError } from '../errors.ts';
import { loadSot } from '../model/load.ts';
import { formatProblem } from '../model/problems.ts';
import { unattendedConfig } from '../render/config.ts';
import { templateInput } from '../render/data.ts';
import { DISCOVERY_SCRIPT, ipxeScript } from '../render/ipxe.ts';
import { findHost, findSite, resolveTarget } from '../render/target.ts';
import { parse } from './args.ts';
import type { Io } from './main.ts';

const usage = `usage: vaquero preview --sot DIR --mac MAC [--site ID] [--boot ID] [--ipxe | --data] [--uefi]
       vaquero preview --discovery

Renders what the agent serves the host with that MAC:
  (default)    its unattended config for the workflow stage
  --ipxe       its iPXE boot script (--uefi adds initrd=<name> as UEFI iPXE needs)
  --data       {"dot": ..., "funcs": {"Checkpoint": "<url>"}}: the data and
               function values its templates see
  --discovery  the discovery chain script every host gets first

  --site ID    which site (needed when the model has more than one)
  --boot ID    which workflow stage (a boot id); the first by default
  --agent-addr ADDR  the agent address the host reaches (default: asset_server.addr)

exit: 0 rendered, 1 the model has errors or rendering failed, 2 usage, unknown host or unreadable input
`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, {
    sot: { type: 'string' },
    mac: { type: 'string' },
    site: { type: 'string' },
    boot: { type: 'string' },
    'agent-addr': { type: 'string' },
    ipxe: { type: 'boolean' },
    data: { type: 'boolean' },
    uefi: { type: 'boolean' },
    discovery: { type: 'boolean' },
  });
  if (values.help) {
    io.out(usage);
    return 0;
  }
  if (values.discovery) {
    io.out(DISCOVERY_SCRIPT);
    return 0;
  }
  if (!values.sot || !values.mac) {
    io.err(`vaquero preview: --sot and --mac are required\n${usage}`);
    return 2;
  }
  if (values.ipxe && values.data) throw new VaqueroError('VQ_ERR_USAGE', '--ipxe and --data exclude each other');
  const { sot, problems } = loadSot(values.sot);
  const site = findSite(sot, values.site);
  const { host, iface } = findHost(site, values.mac);
  const target = resolveTarget(site, host, iface, {
    ...(values.boot !== undefined ? { bootId: values.boot } : {}),
    ...(values['agent-addr'] !== undefined ? { agentAddr: values['agent-addr'] } : {}),
  });
  // Loading problems in this host's own files would make the preview a lie.
  const own = new Set([host.src.file, site.env.src.file, target.boot.src.file, target.os.src.file]);
  const blocking = problems.sorted().filter((p) => p.level === 'error' && own.has(p.file));
  if (blocking.length > 0) {
    for (const p of blocking) io.err(formatProblem(p) + '\n');
    return 1;
  }
  const input = templateInput(target);
  try {
    if (values.data) io.out(JSON.stringify(input, null, 2) + '\n');
    else if (values.ipxe) io.out(ipxeScript(target, input, { uefi: values.uefi ?? false }));
    else io.out(unattendedConfig(target, input).text);
  } catch (e) {
    if (e instanceof VaqueroError) throw e;
    io.err(`vaquero preview: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return 0;
}
