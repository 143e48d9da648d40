// Shared by the TFTP tests: a served tree, running real clients with a hard
// time limit, polling with a deadline, and a disposable network-namespace pair.

import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TftpEvent } from '../../src/io/tftp/events.ts';
import { until } from '../helpers/until.ts';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command (inside `ns` if given); killed by PID after `timeoutMs`. */
export function run(cmd: string, args: string[], opts: { cwd?: string; ns?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const [file, argv] = opts.ns ? ['ip', ['netns', 'exec', opts.ns, cmd, ...args]] : [cmd, args];
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + String(err), timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Polls `cond` until it holds or `ms` pass (test/helpers/until.ts). */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  await until(what, ms, cond);
}

export interface Tree {
  top: string;
  base: string;
  outside: string;
  /** Client downloads land here. */
  out: string;
  files: Record<string, string>; // name -> sha256
  cleanup(): Promise<void>;
}

/** Served folder with ROM-sized and edge-sized files, plus a secret outside it reached by a symlink. */
export async function makeTree(): Promise<Tree> {
  const top = await mkdtemp(join(tmpdir(), 'vq-tftp-'));
  const base = join(top, 'base');
  const outside = join(top, 'outside');
  const out = join(top, 'out');
  await mkdir(base);
  await mkdir(outside);
  await mkdir(out);
  const contents: Record<string, Buffer> = {
    'undionly.kpxe': randomBytes(70_000), // about the size of Debian's undionly.kpxe
    'snponly.efi': randomBytes(200_000),
    // Sizes that are multiples of the block size end with an empty DATA block.
    'exact1468.bin': randomBytes(1468 * 3),
    'exact512.bin': randomBytes(512 * 4),
    'empty.bin': Buffer.alloc(0),
    'text.txt': Buffer.from('#!ipxe\nchain http://10.0.0.1/ipxe\r\n'),
  };
  const files: Record<string, string> = {};
  for (const [name, data] of Object.entries(contents)) {
    await writeFile(join(base, name), data);
    files[name] = sha256(data);
  }
  await writeFile(join(outside, 'secret'), 'SECRET');
  await symlink(join(outside, 'secret'), join(base, 'escape'));
  return { top, base, outside, out, files, cleanup: () => rm(top, { recursive: true, force: true }) };
}

export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

export interface NetnsPair {
  server: string;
  client: string;
  serverAddr: string;
  clientAddr: string;
  /** What impairs the link, for the test output. */
  impairment: string;
  delete(): void;
}

export interface Impairment {
  /** `tc qdisc ... netem` arguments. */
  netem: string[];
  /**
   * Kernels built without sch_netem (this project's dev VMs) reject the qdisc; then UDP
   * is dropped at random with nftables instead (loss only, no reordering or delay).
   */
  fallbackLossPercent: number;
}

function nftRandomDrop(ns: string, percent: number): void {
  // On input: a drop on output would fail the sender's sendto() with EPERM, not lose a packet.
  const rules = `table inet vqtftp {
  chain in {
    type filter hook input priority 0; policy accept;
    meta l4proto udp numgen random mod 100 < ${percent} drop
  }
}
`;
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: rules, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Two namespaces joined by a veth pair, 10.x addresses only inside them. The impairment
 * goes on both veth ends (inside the namespaces) so DATA and ACKs both suffer.
 */
export function makeNetnsPair(tag: string, impair?: Impairment): NetnsPair {
  const server = `vqtftp-${process.pid}-${tag}-s`;
  const client = `vqtftp-${process.pid}-${tag}-c`;
  const subnet = 10 + (process.pid % 200);
  const serverAddr = `10.${subnet}.69.1`;
  const clientAddr = `10.${subnet}.69.2`;
  const ip = (...a: string[]): void => {
    execFileSync('ip', a, { stdio: 'pipe' });
  };
  const del = (): void => {
    for (const ns of [server, client]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not created
      }
    }
  };
  let impairment = 'none';
  try {
    ip('netns', 'add', server);
    ip('netns', 'add', client);
    ip('-n', server, 'link', 'add', 'vs0', 'type', 'veth', 'peer', 'name', 'vc0', 'netns', client);
    ip('-n', server, 'addr', 'add', `${serverAddr}/24`, 'dev', 'vs0');
    ip('-n', client, 'addr', 'add', `${clientAddr}/24`, 'dev', 'vc0');
    for (const [ns, dev] of [[server, 'vs0'], [client, 'vc0']] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', dev, 'up');
      if (!impair) continue;
      try {
        execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'netem', ...impair.netem], { stdio: 'pipe' });
        impairment = `netem ${impair.netem.join(' ')}`;
      } catch (e) {
        if (!String((e as { stderr?: unknown }).stderr).includes('qdisc kind is unknown')) throw e;
        nftRandomDrop(ns, impair.fallbackLossPercent);
        impairment = `nftables random drop ${impair.fallbackLossPercent}% (kernel without sch_netem)`;
      }
    }
  } catch (e) {
    del();
    throw e;
  }
  return { server, client, serverAddr, clientAddr, impairment, delete: del };
}

/**
 * Transfers that did not end well, as readable lines. On a lossy link the client's last
 * ACK can be lost: the client has every byte and leaves, and the server gives up after
 * its retries (or is closed). That case counts as delivered when the server had sent the
 * last block: it had an ACK no more than one window before it (with windowsize, atftp
 * ACKs only a window's end or the last block, so a whole last window can be unacknowledged).
 * The clients' own checksums prove the bytes.
 */
export function badOutcomes(events: readonly TftpEvent[]): string[] {
  const started = new Map<string, { size: number; blksize: number; windowsize: number }>();
  const bad: string[] = [];
  const key = (e: { client: { address: string; port: number }; file: string }): string => `${e.client.address}:${e.client.port} ${e.file}`;
  for (const e of events) {
    if (e.type === 'transfer-started') started.set(key(e), { size: e.size, blksize: e.blksize, windowsize: e.windowsize });
    if (e.type === 'transfer-aborted') bad.push(`${key(e)} aborted: ${e.code} ${e.message}`);
    if (e.type === 'transfer-failed') {
      const s = started.get(key(e));
      const lastBlock = s ? Math.floor(s.size / s.blksize) + 1 : 0;
      const lastWindowStart = s ? (lastBlock - s.windowsize) * s.blksize : -1;
      if (!s || e.bytes < lastWindowStart) bad.push(`${key(e)} failed at ${e.bytes} bytes: ${e.reason}`);
    }
    if (e.type === 'transfer-completed' || e.type === 'transfer-aborted' || e.type === 'transfer-failed') started.delete(key(e));
  }
  for (const k of started.keys()) bad.push(`${k} never ended`);
  return bad;
}
