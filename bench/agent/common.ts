// Shared pieces of the agent benchmark: the two-namespace topology, pinning,
// peer detection, per-process CPU and memory readings, bounded command runs.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { TestNetwork, type Spawned } from '../../test/helpers/netns.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The server side of the veth (agent, Kea, dnsmasq, tftpd, nginx). */
export const SERVER_IP = '10.100.0.2';
/** The load-generator side; also the giaddr of every relayed DHCP request. */
export const CLIENT_IP = '10.100.0.1';
/** TFTP servers all run at once, each on TFTP_NET.N (N from 1) in the server namespace; reservations start at 10.100.10.1. */
export const TFTP_NET = '10.100.1';
export const PREFIX = 16;

/**
 * Pinning (taskset): DHCP and HTTP servers on CPU 0 and their load generator
 * on CPU 1, so neither steals the other's core; TFTP server and client both on
 * CPU 0, because lock-step TFTP is one wake-up per block and a cross-core
 * wake-up costs about 50 us on this VM (shared/notes/test-environment.md).
 */
export const CPU = { server: '0', client: '1', tftp: '0' } as const;

export interface Topology {
  net: TestNetwork;
  srv: string;
  cli: string;
}

export async function topology(): Promise<Topology> {
  const net = new TestNetwork();
  const srv = await net.namespace('srv');
  const cli = await net.namespace('cli');
  await net.veth({ ns: srv, ifname: 'eth0' }, { ns: cli, ifname: 'eth0' });
  await net.address(srv, 'eth0', `${SERVER_IP}/${PREFIX}`);
  await net.address(cli, 'eth0', `${CLIENT_IP}/${PREFIX}`);
  return { net, srv, cli };
}

/** A command's path from PATH (plus /usr/sbin, /sbin) or an explicit path, if executable. */
export function which(cmd: string, extra: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const p of [...extra, ...dirs.map((d) => join(d, cmd))]) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** utime, stime, cutime, cstime of a process in seconds (/proc/<pid>/stat fields 14-17, in clock ticks of 1/100 s). */
function cpuTimes(pid: number): { self: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { self: (Number(fields[11]) + Number(fields[12])) / 100, children: (Number(fields[13]) + Number(fields[14])) / 100 };
}

/** utime + stime of a process in seconds, all its threads. */
export function cpuSeconds(pid: number): number {
  return cpuTimes(pid).self;
}

/**
 * CPU seconds of a process and everything under it: its threads, exited ones included, its
 * reaped children (utime + stime + cutime + cstime, in ticks of 1/100 s), and its live
 * children the same way. atftpd runs a thread per transfer; tftpd-hpa's daemon child forks
 * one per transfer. A child that ends between two readings moves into its parent's cutime,
 * so the sum goes on without a jump.
 */
export function cpuWithChildren(pid: number): number {
  let own: { self: number; children: number };
  try {
    own = cpuTimes(pid);
  } catch {
    return 0; // ended since it was listed
  }
  return childrenOf(pid).reduce((sum, child) => sum + cpuWithChildren(child), own.self + own.children);
}

/** CPU seconds of a process and all its threads' children listed by PID (nginx master + worker). */
export function cpuOf(pids: number[]): number {
  return pids.reduce((s, p) => s + (existsSync(`/proc/${p}`) ? cpuSeconds(p) : 0), 0);
}

/** Child PIDs of a process (for nginx workers, Kea threads are counted by the main PID already). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Peak resident set (VmHWM) in MiB. */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** PIDs of load generators and one-shot commands still running, for killRunning() on Ctrl-C. */
const running = new Set<number>();

/** SIGKILLs every command started by runBounded that has not exited yet (exit handlers: synchronous). */
export function killRunning(): void {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

/** Runs a command to completion with a hard time limit (SIGKILL after it); never rejects. */
export function runBounded(cmd: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((res) => {
    const child = execFile(cmd, args, { maxBuffer: 1 << 28, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (child.pid !== undefined) running.delete(child.pid);
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      res({ code, stdout, stderr, ms: performance.now() - t0 });
    });
    if (child.pid !== undefined) running.add(child.pid);
  });
}

/** `ip netns exec NS taskset -c CPU cmd ...`, bounded. */
export function runIn(ns: string, cpu: string, cmd: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return runBounded('ip', ['netns', 'exec', ns, 'taskset', '-c', cpu, cmd, ...args], timeoutMs);
}

/** Starts a long-running server pinned to `cpu` inside `ns` (taskset execs, so the PID is the server's). */
export function spawnPinned(t: Topology, ns: string, cpu: string, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Spawned {
  return t.net.spawn(ns, 'taskset', ['-c', cpu, cmd, ...args], env ? { env } : {});
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until something in `ns` listens on the UDP or TCP port, on `ip` if given (ss, from inside the namespace). */
export async function listening(ns: string, proto: 'udp' | 'tcp', port: number, ms = 20_000, ip?: string): Promise<void> {
  await until(`${proto} port ${ip ?? ''}:${port} in ${ns}`, async () => {
    const r = await runBounded('ip', ['netns', 'exec', ns, 'ss', '-Hln', proto === 'udp' ? '-u' : '-t', ip === undefined ? `sport = :${port}` : `src = ${ip}:${port}`], 5000);
    return r.stdout.trim().length > 0;
  }, ms);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  return n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function ratio(ours: number | undefined, peer: number | undefined, lowerIsBetter = false): string {
  if (ours === undefined || peer === undefined || !Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0 || ours === 0) return '-';
  return `${(ours / peer).toFixed(2)}x${lowerIsBetter ? ' (lower is better)' : ''}`;
}

/** One row of the final report: a figure for ours and each peer, a ratio per peer, and the target. */
export interface Row {
  section: string;
  metric: string;
  unit: string;
  ours?: number;
  peers: Record<string, number | undefined>;
  digits?: number;
  lowerIsBetter?: boolean;
  target?: string;
}

export function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}
