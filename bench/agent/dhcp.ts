// DHCP: perfdhcp -g single (relayed: unicast to 67 with giaddr = its own
// address in the client namespace) against each server in the server
// namespace, all with the same 1,000 reservations. Highest DORA rate with at
// most 1% loss (stepped, bounded), latency p50/p99 at 500/s from perfdhcp's
// per-exchange timestamps, server CPU per 1,000 DORAs from /proc/<pid>/stat.
import type { Spawned } from '../../test/helpers/netns.ts';
import { CLIENT_IP, CPU, SERVER_IP, cpuOf, listening, log, percentile, runIn, type Topology } from './common.ts';

export interface DhcpResult {
  maxRate?: number;
  /** The step the search stopped at and why. */
  stop: string;
  offerP50?: number;
  offerP99?: number;
  ackP50?: number;
  ackP99?: number;
  /** CPU ms per 1,000 completed DORAs at 500/s. */
  cpuPer1000?: number;
  /** CPU ms per 1,000 completed DORAs at the highest passing step. */
  cpuPer1000AtMax?: number;
}

export interface DhcpServer {
  name: string;
  start(): Promise<Spawned>;
}

interface Perf {
  doSent: number;
  raSent: number;
  raReceived: number;
  doReceived: number;
  offerMs: number[];
  ackMs: number[];
}

function parsePerf(out: string): Perf | undefined {
  const sections = out.split('***Statistics for: ');
  const num = (s: string | undefined, k: string): number => Number(new RegExp(`${k}: (\\d+)`).exec(s ?? '')?.[1] ?? NaN);
  const doS = sections.find((s) => s.startsWith('DISCOVER-OFFER'));
  const raS = sections.find((s) => s.startsWith('REQUEST-ACK'));
  if (!doS || !raS) return undefined;
  const stamps = (which: string): number[] => {
    const part = out.split(`***Timestamps for packets: ${which}***`)[1]?.split('***')[0] ?? '';
    const ms: number[] = [];
    for (const m of part.matchAll(/sent \/ received: ([\d.]+) \/ ([\d.]+)/g)) ms.push((Number(m[2]) - Number(m[1])) * 1000);
    return ms.sort((a, b) => a - b);
  };
  return {
    doSent: num(doS, 'sent packets'),
    doReceived: num(doS, 'received packets'),
    raSent: num(raS, 'sent packets'),
    raReceived: num(raS, 'received packets'),
    offerMs: stamps('DISCOVER-OFFER'),
    ackMs: stamps('REQUEST-ACK'),
  };
}

async function perfdhcp(t: Topology, macList: string, rate: number, seconds: number, timestamps: boolean): Promise<Perf | undefined> {
  const args = ['-4', '-g', 'single', '-l', CLIENT_IP, '-M', macList, '-r', String(rate), '-p', String(seconds), '-W', '1000000', ...(timestamps ? ['-x', 't'] : []), SERVER_IP];
  const r = await runIn(t.cli, CPU.client, 'perfdhcp', args, (seconds + 20) * 1000);
  const p = parsePerf(r.stdout);
  if (!p) log(`    perfdhcp exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' / ')}`);
  return p;
}

// Steps in DORA/s. A step that loses more than 1% is run once more before the search stops:
// a single run on this VM sometimes loses a burst (measured: dnsmasq 4% then 0% at 3,000/s).
export const DHCP_RATES = [1000, 2000, 2500, 3000, 3500, 4000, 5000, 6000, 8000, 10000, 12000, 15000];

export async function benchDhcp(t: Topology, server: DhcpServer, macList: string, stepSeconds: number): Promise<DhcpResult> {
  const proc = await server.start();
  await listening(t.srv, 'udp', 67);
  const pids = [proc.pid];
  try {
    // Warm-up (JIT, caches, first leases): 2 s at 500/s, not counted.
    await perfdhcp(t, macList, 500, 2, false);
    const c0 = cpuOf(pids);
    const lat = await perfdhcp(t, macList, 500, 10, true);
    const c1 = cpuOf(pids);
    const res: DhcpResult = { stop: '' };
    if (lat) {
      res.offerP50 = percentile(lat.offerMs, 50);
      res.offerP99 = percentile(lat.offerMs, 99);
      res.ackP50 = percentile(lat.ackMs, 50);
      res.ackP99 = percentile(lat.ackMs, 99);
      if (lat.raReceived > 0) res.cpuPer1000 = ((c1 - c0) * 1000 * 1000) / lat.raReceived;
      log(`    500/s x 10 s: ${lat.raReceived}/${lat.doSent} DORAs, offer p50 ${res.offerP50.toFixed(3)} ms p99 ${res.offerP99.toFixed(3)} ms, ack p50 ${res.ackP50.toFixed(3)} ms p99 ${res.ackP99.toFixed(3)} ms, CPU ${(c1 - c0).toFixed(2)} s`);
    }
    for (const rate of DHCP_RATES) {
      let p: Perf | undefined;
      let b0 = 0;
      let b1 = 0;
      let loss = 1;
      for (let attempt = 1; attempt <= 2; attempt++) {
        b0 = cpuOf(pids);
        p = await perfdhcp(t, macList, rate, stepSeconds, false);
        b1 = cpuOf(pids);
        if (!p || !(p.doSent > 0)) break;
        loss = 1 - p.raReceived / p.doSent;
        log(`    ${rate}/s${attempt > 1 ? ' (again)' : ''}: sent ${p.doSent} DISCOVERs (${Math.round(p.doSent / stepSeconds)}/s), ${p.raReceived} ACKs, loss ${(loss * 100).toFixed(2)}%, server CPU ${(b1 - b0).toFixed(2)} s`);
        if (loss <= 0.01) break;
      }
      if (!p || !(p.doSent > 0)) {
        res.stop = `perfdhcp failed at ${rate}/s`;
        break;
      }
      const achieved = p.doSent / stepSeconds;
      if (loss > 0.01) {
        res.stop = `loss ${(loss * 100).toFixed(1)}% at ${rate}/s, twice`;
        break;
      }
      res.maxRate = Math.round(achieved);
      res.cpuPer1000AtMax = ((b1 - b0) * 1000 * 1000) / p.raReceived;
      if (achieved < rate * 0.95) {
        res.stop = `perfdhcp sent only ${Math.round(achieved)}/s of ${rate}/s (load-generator limit; server lossless)`;
        break;
      }
    }
    if (!res.stop) res.stop = `no loss up to ${DHCP_RATES.at(-1)}/s (the top step)`;
    return res;
  } finally {
    await proc.kill();
  }
}
