// Boot storm: the agent with DHCP, TFTP and HTTP on (CPU 0), and
// storm-client.ts (CPU 1) in the client namespace, whose eth0 is given every
// host's reserved address so TFTP and HTTP come from the leased address, as
// from a real host. Time until all hosts are done, failures, agent VmHWM.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spawned } from '../../test/helpers/netns.ts';
import { CLIENT_IP, CPU, PREFIX, ROOT, SERVER_IP, cpuSeconds, listening, log, peakRssMiB, runBounded, runIn, type Topology } from './common.ts';
import type { Host } from './model.ts';

/** UDP receive-buffer overflows (RcvbufErrors) counted by the kernel in a namespace. */
async function rcvbufErrors(ns: string): Promise<number> {
  const r = await runBounded('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'], 5000);
  const [head, vals] = r.stdout.split('\n').filter((l) => l.startsWith('Udp: '));
  const i = head?.split(' ').indexOf('RcvbufErrors') ?? -1;
  return i > 0 ? Number(vals?.split(' ')[i]) : NaN;
}

const NEIGH = '/proc/sys/net/ipv4/neigh/default';
const THRESHOLDS = ['gc_thresh1', 'gc_thresh2', 'gc_thresh3'] as const;

/**
 * The agent answers TFTP and HTTP on each host's own address, so it needs a neighbour (ARP)
 * entry per host. The kernel's table is shared by every namespace and by default holds 1,024
 * (gc_thresh3); past that it drops packets to new neighbours ("neighbor table overflow" in
 * the kernel log), and a storm of more hosts times out past the first thousand, whatever
 * the server. An agent serving that many hosts on its segments needs the same tuning. For a
 * storm larger than the table, the thresholds are raised for the run; the returned function
 * puts the old values back.
 */
function neighbourTableFor(hosts: number): () => void {
  const old = THRESHOLDS.map((k) => Number(readFileSync(`${NEIGH}/${k}`, 'utf8')));
  const need = hosts + 256;
  if (need <= old[2]!) return () => undefined;
  const raised = [Math.max(old[0]!, need / 4), Math.max(old[1]!, need / 2), need].map(Math.ceil);
  THRESHOLDS.forEach((k, i) => writeFileSync(`${NEIGH}/${k}`, String(raised[i])));
  log(`    neighbour table raised for ${hosts} hosts: ${THRESHOLDS.map((k, i) => `${k} ${old[i]} -> ${raised[i]}`).join(', ')} (restored at the end)`);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    process.removeListener('exit', restore);
    THRESHOLDS.forEach((k, i) => writeFileSync(`${NEIGH}/${k}`, String(old[i])));
  };
  process.on('exit', restore); // also after Ctrl-C: bench/agent.ts exits from its signal handler
  return restore;
}

export interface StormResult {
  hosts: number;
  ok: number;
  failed: number;
  seconds: number;
  retransmits: number;
  /** Datagrams the kernel dropped for a full socket receive buffer: at the agent, at the client. */
  rcvbufDrops: { agent: number; client: number };
  peakRssMiB: number;
  cpuSeconds: number;
  hostP50Ms: number;
  hostP99Ms: number;
  perStep: Record<string, { p50: number; p99: number }>;
  reasons: Record<string, number>;
}

export async function benchStorm(t: Topology, start: () => Promise<Spawned>, list: readonly Host[], macList: string, httpPort: number, concurrency: number, scratch: string): Promise<StormResult | undefined> {
  const batch = join(scratch, 'storm-addrs.batch');
  writeFileSync(batch, list.map((h) => `addr add ${h.ip}/${PREFIX} dev eth0\n`).join(''));
  await runBounded('ip', ['-n', t.cli, '-batch', batch], 60_000);
  const restoreNeighbours = neighbourTableFor(list.length);
  let agent: Spawned;
  try {
    agent = await start();
  } catch (err) {
    restoreNeighbours();
    throw err;
  }
  try {
    await Promise.all([listening(t.srv, 'udp', 67), listening(t.srv, 'udp', 69), listening(t.srv, 'tcp', httpPort)]);
    const cpu0 = cpuSeconds(agent.pid);
    const drops0 = { agent: await rcvbufErrors(t.srv), client: await rcvbufErrors(t.cli) };
    const r = await runIn(t.cli, CPU.client, process.execPath, [
      '--import', 'tsx', join(ROOT, 'bench', 'agent', 'storm-client.ts'),
      '--server', SERVER_IP, '--giaddr', CLIENT_IP, '--macs', macList, '--http-port', String(httpPort),
      '--hosts', String(list.length), '--concurrency', String(concurrency), '--deadline-s', '180',
    ], 240_000);
    const cpu1 = cpuSeconds(agent.pid);
    const peak = peakRssMiB(agent.pid);
    const rcvbufDrops = { agent: (await rcvbufErrors(t.srv)) - drops0.agent, client: (await rcvbufErrors(t.cli)) - drops0.client };
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    let out: { ok: number; failed: number; totalMs: number; retransmits: number; hostP50: number; hostP99: number; perStep: StormResult['perStep']; reasons: Record<string, number> };
    try {
      out = JSON.parse(line) as typeof out;
    } catch {
      log(`    storm client failed (exit ${r.code}): ${r.stderr.trim().slice(0, 1000)}`);
      return undefined;
    }
    const res: StormResult = {
      hosts: list.length, ok: out.ok, failed: out.failed, seconds: out.totalMs / 1000, retransmits: out.retransmits, rcvbufDrops,
      peakRssMiB: peak, cpuSeconds: cpu1 - cpu0, hostP50Ms: out.hostP50, hostP99Ms: out.hostP99, perStep: out.perStep, reasons: out.reasons,
    };
    log(`    ${res.ok}/${res.hosts} hosts booted in ${res.seconds.toFixed(1)} s (${res.failed} failed, ${res.retransmits} client retransmissions; UDP receive-buffer drops: ${res.rcvbufDrops.agent} at the agent, ${res.rcvbufDrops.client} at the client), agent CPU ${res.cpuSeconds.toFixed(1)} s, peak RSS ${res.peakRssMiB.toFixed(0)} MiB`);
    log(`    per host p50 ${res.hostP50Ms.toFixed(0)} ms p99 ${res.hostP99Ms.toFixed(0)} ms; per step p50/p99 ms: ${Object.entries(res.perStep).map(([k, v]) => `${k} ${v.p50.toFixed(1)}/${v.p99.toFixed(1)}`).join(', ')}`);
    for (const [k, v] of Object.entries(res.reasons)) log(`    failure: ${k} x${v}`);
    return res;
  } finally {
    await agent.kill();
    restoreNeighbours();
  }
}
