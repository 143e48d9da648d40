// A two-namespace test network (server and client joined by a veth pair),
// child processes started inside it, and polling helpers. Everything made
// here is torn down by cleanup(), which also runs at process exit.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'uvu';

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

import { until } from '../../helpers/until.ts';

export { until };

/**
 * Run `setup` once before a suite's tests. uvu 0.5.6 swallows an error thrown
 * in a `before` hook (the suite then "passes" with no tests run), so the error
 * is kept and rethrown from every test instead.
 */
export function setupOnce<C>(t: Test<C>, setup: (ctx: C) => Promise<void>): void {
  let failure: { error: unknown } | undefined;
  t.before(async (ctx) => {
    try {
      await setup(ctx);
    } catch (error) {
      failure = { error };
    }
  });
  t.before.each(() => {
    if (failure) throw failure.error;
  });
}

export interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
  exited: { code: number | null } | undefined;
}

export class Lab {
  readonly srv: string;
  readonly cli: string;
  readonly srvIf: string;
  readonly cliIf: string;
  readonly dir: string;
  private readonly procs: Proc[] = [];
  private readonly extraNs: string[] = [];
  private cleaned = false;

  constructor(tag: string, readonly serverCidr: string) {
    this.srv = `vqt-dhcp-${process.pid}-${tag}srv`;
    this.cli = `vqt-dhcp-${process.pid}-${tag}cli`;
    this.srvIf = `vqd${process.pid % 100000}${tag}s`;
    this.cliIf = `vqd${process.pid % 100000}${tag}c`;
    this.dir = mkdtempSync(join(tmpdir(), 'vqt-dhcp-'));
    process.once('exit', () => this.cleanup());
    sh('ip', ['netns', 'add', this.srv]);
    sh('ip', ['netns', 'add', this.cli]);
    sh('ip', ['link', 'add', this.srvIf, 'netns', this.srv, 'type', 'veth', 'peer', 'name', this.cliIf, 'netns', this.cli]);
    sh('ip', ['-n', this.srv, 'addr', 'add', serverCidr, 'dev', this.srvIf]);
    for (const [ns, dev] of [[this.srv, this.srvIf], [this.cli, this.cliIf]] as const) {
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
  }

  /** Another namespace owned by this lab (deleted by cleanup). */
  addNamespace(name: string): string {
    const ns = `vqt-dhcp-${process.pid}-${name}`;
    sh('ip', ['netns', 'add', ns]);
    this.extraNs.push(ns);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair between two namespaces, both ends up, with optional addresses. */
  link(a: { ns: string; dev: string; cidr?: string }, b: { ns: string; dev: string; cidr?: string }): void {
    sh('ip', ['link', 'add', a.dev, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns]);
    for (const end of [a, b]) {
      if (end.cidr) sh('ip', ['-n', end.ns, 'addr', 'add', end.cidr, 'dev', end.dev]);
      sh('ip', ['-n', end.ns, 'link', 'set', end.dev, 'up']);
    }
  }

  /** Start `cmd args` inside namespace `ns`; output is collected. */
  spawnIn(ns: string, cmd: string, args: string[]): Proc {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd: process.cwd() });
    const p: Proc = { child, out: '', err: '', exited: undefined };
    child.stdout?.on('data', (d: Buffer) => (p.out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (p.err += d.toString()));
    child.on('exit', (code) => (p.exited = { code }));
    child.on('error', (e) => {
      p.err += String(e);
      p.exited = { code: -1 };
    });
    this.procs.push(p);
    return p;
  }

  /** Stop a process we started, by its PID: SIGTERM, then SIGKILL after a deadline. */
  async stop(p: Proc, ms = 2000): Promise<void> {
    if (p.exited || p.child.pid === undefined) return;
    p.child.kill('SIGTERM');
    try {
      await until(`pid ${p.child.pid} to exit`, ms, () => p.exited);
    } catch {
      p.child.kill('SIGKILL');
      await until(`pid ${p.child.pid} to die`, ms, () => p.exited);
    }
  }

  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const p of this.procs) {
      if (!p.exited && p.child.pid !== undefined) {
        try {
          process.kill(p.child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const ns of [this.srv, this.cli, ...this.extraNs]) {
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        // not created
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
