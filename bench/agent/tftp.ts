// TFTP: undionly.kpxe (about 73 KB) fetched 100 times in sequence and 50 at
// once with curl (blksize 1468, what PXE ROMs ask for), and a 16 MiB file at
// blksize 1468 with and without windowsize 16 (atftp client), against every
// server at once, each on an address of its own in the server namespace. The
// cases run in rounds, each round visiting every server in turn (starting one
// server later each round), so a drift of the machine's speed over the minutes
// of a run falls on every server alike; the median of the rounds is reported.
// Server and client share one core (see CPU).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Spawned } from '../../test/helpers/netns.ts';
import { CPU, TFTP_NET, cpuWithChildren, listening, log, runIn, type Topology } from './common.ts';

export interface TftpResult {
  seqPerSec?: number;
  seqMBps?: number;
  concPerSec?: number;
  concMBps?: number;
  /** Server CPU (threads, exited ones, reaped children) per 1,000 concurrent fetches: the last 1,000 of the warm-up and the measured rounds, ms. */
  concCpuPer1000?: number;
  bigMBps?: number;
  bigWindowMBps?: number;
  failures: number;
}

export interface TftpServer {
  name: string;
  /** Starts it serving on port 69 of `ip` alone (each server has an address of its own, as all run at once). */
  start(ip: string): Promise<Spawned>;
}

interface Running {
  name: string;
  ip: string;
  pid: number;
}

const MB = 1e6;
/** Measured rounds; every case of every server once per round. */
const ROUNDS = 7;
/** Fetches of 50 at once per server and round (each one curl, about 0.07 s): more samples of the case the target is on. */
const CONC_PER_ROUND = 3;
/** Rounds of 50 concurrent fetches before measuring (see benchTftp). */
const WARM_ROUNDS = 60;

function median(a: number[]): number | undefined {
  if (a.length === 0) return undefined;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

async function curlMany(t: Topology, ip: string, file: string, size: number, n: number, parallel: boolean): Promise<{ ok: number; ms: number }> {
  const args = ['-sS', '--tftp-blksize', '1468', '--max-time', '60', '-w', '%{size_download}\\n'];
  if (parallel) args.push('--parallel', '--parallel-immediate', '--parallel-max', String(n));
  for (let i = 0; i < n; i++) args.push(`tftp://${ip}/${file}`, '-o', '/dev/null');
  const r = await runIn(t.cli, CPU.tftp, 'curl', args, 120_000);
  const ok = r.stdout.split('\n').filter((l) => Number(l) === size).length;
  if (ok < n) log(`    curl ${ip}: ${ok}/${n} complete (exit ${r.code}) ${r.stderr.trim().split('\n').slice(0, 2).join(' / ')}`);
  return { ok, ms: r.ms };
}

async function atftp(t: Topology, ip: string, file: string, size: number, out: string, window: boolean): Promise<number | undefined> {
  const args = ['-g', '-r', file, '-l', out, '--option', 'blksize 1468', ...(window ? ['--option', 'windowsize 16'] : []), ip, '69'];
  const r = await runIn(t.cli, CPU.tftp, 'atftp', args, 120_000);
  let got = -1;
  try {
    got = statSync(out).size;
  } catch {
    // No file: failed.
  }
  if (r.code !== 0 || got !== size) {
    log(`    atftp ${ip}${window ? ' windowsize 16' : ''}: exit ${r.code}, ${got} of ${size} bytes ${r.stderr.trim().split('\n').slice(0, 2).join(' / ')}`);
    return undefined;
  }
  return size / MB / (r.ms / 1000);
}

interface Samples {
  seqs: number[];
  concs: number[];
  bigs: number[];
  wins: number[];
  /** Server CPU seconds over the concurrent rounds (and the last 1,000 warm-up fetches), and the fetches completed. */
  concCpu: number;
  concDone: number;
  failures: number;
}

/**
 * Starts every server, warms each up, then measures them in interleaved rounds. A server
 * that fails to start is left out (logged); the others are measured.
 */
export async function benchTftp(t: Topology, servers: TftpServer[], rom: { name: string; size: number }, big: { name: string; size: number }, scratch: string): Promise<Record<string, TftpResult>> {
  const procs: Spawned[] = [];
  const up: Running[] = [];
  // Server CPU seconds over concurrent fetches, and the fetches done meanwhile.
  const concCpu = new Map<string, number>();
  const concDone = new Map<string, number>();
  const out = join(scratch, 'atftp.out');
  try {
    for (const [k, s] of servers.entries()) {
      const ip = `${TFTP_NET}.${k + 1}`;
      try {
        await t.net.address(t.srv, 'eth0', `${ip}/16`);
        const p = await s.start(ip);
        procs.push(p);
        await listening(t.srv, 'udp', 69, 20_000, ip);
        up.push({ name: s.name, ip, pid: p.pid });
      } catch (err) {
        log(`  ${s.name}: failed to start: ${(err as Error).message}`);
      }
    }
    // Warm-up, not counted, the same for every server, so a JIT-compiled server (ours, the
    // node floor) is measured compiled, as the C servers always are. Code that runs once per
    // transfer (starting a session, opening a channel, the events) is compiled by TurboFan
    // only after one to three thousand transfers: `node --trace-opt` counted 35 compilations
    // in the 1,000 transfers after the first 1,000, 13 after 2,000, 3 after 3,000, on the
    // same core as the transfers. Hence 3,000 concurrent fetches here (WARM_ROUNDS); their
    // rates are logged, the figures of a freshly started server.
    for (const s of up) {
      await curlMany(t, s.ip, rom.name, rom.size, 100, false);
      const warm: number[] = [];
      const pid = s.pid;
      let cpu0 = 0;
      for (let i = 0; i < WARM_ROUNDS; i++) {
        // The last 1,000 fetches of the warm-up count towards CPU per fetch (ticks of 10 ms:
        // the measured rounds alone are too few for them).
        if (i === WARM_ROUNDS - 20) cpu0 = cpuWithChildren(pid);
        const w = await curlMany(t, s.ip, rom.name, rom.size, 50, true);
        warm.push(w.ok / (w.ms / 1000));
        if (i >= WARM_ROUNDS - 20) concDone.set(s.name, (concDone.get(s.name) ?? 0) + w.ok);
      }
      concCpu.set(s.name, cpuWithChildren(pid) - cpu0);
      log(`  ${s.name} (${s.ip}) warm-up, 50 concurrent, transfers/s by 1,000 fetched: ${[0, 1, 2].map((k) => median(warm.slice(k * 20, k * 20 + 20))?.toFixed(0)).join(', ')}`);
      await atftp(t, s.ip, big.name, big.size, out, false);
      await atftp(t, s.ip, big.name, big.size, out, true);
    }
    const samples = new Map<string, Samples>(up.map((s) => [s.name, { seqs: [], concs: [], bigs: [], wins: [], concCpu: concCpu.get(s.name) ?? 0, concDone: concDone.get(s.name) ?? 0, failures: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < up.length; k++) {
        const s = up[(round + k) % up.length]!;
        const m = samples.get(s.name)!;
        const seq = await curlMany(t, s.ip, rom.name, rom.size, 100, false);
        m.failures += 100 - seq.ok;
        m.seqs.push(seq.ok / (seq.ms / 1000));
        const pid = s.pid;
        for (let c = 0; c < CONC_PER_ROUND; c++) {
          const cpu0 = cpuWithChildren(pid);
          const conc = await curlMany(t, s.ip, rom.name, rom.size, 50, true);
          m.concCpu += cpuWithChildren(pid) - cpu0;
          m.concDone += conc.ok;
          m.failures += 50 - conc.ok;
          m.concs.push(conc.ok / (conc.ms / 1000));
        }
        const b = await atftp(t, s.ip, big.name, big.size, out, false);
        const w = await atftp(t, s.ip, big.name, big.size, out, true);
        if (b === undefined) m.failures += 1;
        else m.bigs.push(b);
        if (w === undefined) m.failures += 1;
        else m.wins.push(w);
      }
    }
    const list = (a: number[], d: number): string => a.map((x) => x.toFixed(d)).join(', ');
    const res: Record<string, TftpResult> = {};
    for (const s of up) {
      const m = samples.get(s.name)!;
      log(`  ${s.name}: undionly.kpxe 100 sequential: ${list(m.seqs, 0)} transfers/s; 50 concurrent: ${list(m.concs, 0)} transfers/s, server CPU ${((1e6 * m.concCpu) / Math.max(1, m.concDone)).toFixed(0)} ms per 1,000; 16 MiB: ${list(m.bigs, 1)} MB/s; windowsize 16: ${list(m.wins, 1)} MB/s; failures ${m.failures}`);
      const seqPerSec = median(m.seqs);
      const concPerSec = median(m.concs);
      res[s.name] = {
        failures: m.failures,
        ...(seqPerSec !== undefined ? { seqPerSec, seqMBps: (seqPerSec * rom.size) / MB } : {}),
        ...(concPerSec !== undefined ? { concPerSec, concMBps: (concPerSec * rom.size) / MB } : {}),
        ...(m.concDone > 0 ? { concCpuPer1000: (1e6 * m.concCpu) / m.concDone } : {}),
        ...(m.bigs.length > 0 ? { bigMBps: median(m.bigs) } : {}),
        ...(m.wins.length > 0 ? { bigWindowMBps: median(m.wins) } : {}),
      };
    }
    return res;
  } finally {
    for (const p of procs) await p.kill();
  }
}
