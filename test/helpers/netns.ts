// Throw-away test networks: one network namespace per role, veth pairs, a
// bridge and qemu taps, and processes started inside them. Everything a
// TestNetwork creates is torn down by cleanup(), which is idempotent and also
// runs on process exit, SIGINT and SIGTERM.
import { execFile, execFileSync, spawn as spawnChild, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

export interface ExecResult {
  pid: number;
  code: number;
  stdout: string;
  stderr: string;
}

export interface Spawned {
  pid: number;
  child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout and stderr so far, as text. */
  output(): string;
  /** The first complete line of stdout or stderr matching `re`, waiting up to `timeoutMs` (rejects early if the process exits). */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  kill(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: 'pipe' | 'ignore';
}

/** One end of a link: an interface name inside a namespace. */
export interface Endpoint {
  ns: string;
  ifname: string;
}

const live = new Set<TestNetwork>();
let counter = 0;
let hooked = false;

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const net of live) net.cleanupSync();
  });
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      for (const net of live) net.cleanupSync();
      process.exit(code);
    });
  }
}

/** Runs a command (usually `ip`) in the root namespace to completion; rejects with its stderr if it exits non-zero. */
export function run(cmd: string, args: readonly string[]): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      const result = { pid: child.pid ?? -1, code, stdout, stderr };
      if (code !== 0) reject(Object.assign(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${stderr.trim()}`), { result }));
      else resolve(result);
    });
  });
}

export class TestNetwork {
  private readonly namespaces: string[] = [];
  private readonly children = new Map<number, Spawned>();

  constructor() {
    hookProcessExit();
    live.add(this);
  }

  /** A new namespace (lo up, IPv6 DAD off so link-local addresses work at once) named after its role. */
  async namespace(role: string): Promise<string> {
    const ns = `vqt-${process.pid}-${++counter}-${role}`;
    await run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // /proc/sys/net is the namespace's own when read from inside it; sh rather than sysctl (procps may be absent).
    await this.exec(ns, 'sh', ['-c', 'echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad && echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad']);
    return ns;
  }

  /** A veth pair created straight into two namespaces (no name ever appears in the root namespace). */
  async veth(a: Endpoint, b: Endpoint): Promise<void> {
    await run('ip', ['link', 'add', a.ifname, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns]);
    await run('ip', ['-n', a.ns, 'link', 'set', a.ifname, 'up']);
    await run('ip', ['-n', b.ns, 'link', 'set', b.ifname, 'up']);
  }

  /** A bridge with STP off and forward delay 0, so ports forward as soon as they are up. */
  async bridge(ns: string, name: string): Promise<void> {
    await run('ip', ['-n', ns, 'link', 'add', name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    await run('ip', ['-n', ns, 'link', 'set', name, 'up']);
  }

  async attach(ns: string, ifname: string, bridge: string): Promise<void> {
    await run('ip', ['-n', ns, 'link', 'set', ifname, 'master', bridge]);
    await run('ip', ['-n', ns, 'link', 'set', ifname, 'up']);
  }

  /** A persistent tap for `qemu -netdev tap,ifname=<name>,script=no,downscript=no` run in `ns`. */
  async tap(ns: string, name: string, bridge?: string): Promise<void> {
    await run('ip', ['-n', ns, 'tuntap', 'add', 'dev', name, 'mode', 'tap']);
    if (bridge !== undefined) await this.attach(ns, name, bridge);
    else await run('ip', ['-n', ns, 'link', 'set', name, 'up']);
  }

  async address(ns: string, ifname: string, cidr: string): Promise<void> {
    await run('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', ifname]);
  }

  /** Runs a command to completion inside `ns`; throws with its stderr if it exits non-zero. */
  exec(ns: string, cmd: string, args: readonly string[]): Promise<ExecResult> {
    return run('ip', ['netns', 'exec', ns, cmd, ...args]);
  }

  /**
   * Starts a long-running process inside `ns`. `ip netns exec` execs the
   * command without forking, so the PID is the command's own; cleanup kills it.
   */
  spawn(ns: string, cmd: string, args: readonly string[], opts: SpawnOptions = {}): Spawned {
    const child = spawnChild('ip', ['netns', 'exec', ns, cmd, ...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`spawn ${cmd} in ${ns} failed`);
    const pid = child.pid;
    // A test that throws before its cleanup must not keep the runner alive for as long as the
    // child lives (a leftover `sleep 600` held it 10 minutes): unreferenced, the runner exits
    // when the tests end and the exit hook kills the child. Every wait below holds a timer.
    child.unref();
    for (const s of [child.stdout, child.stderr]) (s as Socket | null)?.unref();
    const chunks: string[] = [];
    const text = { stdout: '', stderr: '' };
    const waiters = new Set<() => void>();
    const notify = (): void => {
      for (const w of waiters) w();
    };
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      chunks.push(d);
      text.stdout += d;
      notify();
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      chunks.push(d);
      text.stderr += d;
      notify();
    });
    let done = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('error', (err) => {
        chunks.push(`spawn error: ${err.message}\n`);
        done = true;
        notify();
        resolve({ code: -1, signal: null });
      });
      child.on('exit', (code, signal) => {
        done = true;
        this.children.delete(pid);
        notify();
        resolve({ code, signal });
      });
    });
    const handle: Spawned = {
      pid,
      child,
      exited,
      output: () => chunks.join(''),
      waitForLine: (re, timeoutMs) =>
        new Promise((resolve, reject) => {
          const check = (): void => {
            const lines = [...text.stdout.split('\n').slice(0, -1), ...text.stderr.split('\n').slice(0, -1)];
            const line = lines.find((l) => re.test(l));
            if (line !== undefined) finish(() => resolve(line));
            else if (done) finish(() => reject(new Error(`${cmd} (pid ${pid}) exited before printing ${re}:\n${handle.output()}`)));
          };
          const timer = setTimeout(() => finish(() => reject(new Error(`${cmd} (pid ${pid}): no line ${re} within ${timeoutMs} ms:\n${handle.output()}`))), timeoutMs);
          const finish = (f: () => void): void => {
            clearTimeout(timer);
            waiters.delete(check);
            f();
          };
          waiters.add(check);
          check();
        }),
      kill: async (graceMs = 3000) => {
        if (done) return;
        signal(pid, 'SIGTERM');
        const timer = setTimeout(() => signal(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      },
    };
    this.children.set(pid, handle);
    return handle;
  }

  /** Kills every process this network started (by PID), then deletes its namespaces, which takes their interfaces with them. */
  async cleanup(): Promise<void> {
    await Promise.all([...this.children.values()].map((c) => c.kill()));
    for (const ns of this.namespaces.splice(0).reverse()) {
      await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
    live.delete(this);
  }

  /** The same as cleanup() for exit handlers, which cannot wait: SIGKILL and synchronous deletes. */
  cleanupSync(): void {
    for (const pid of this.children.keys()) signal(pid, 'SIGKILL');
    this.children.clear();
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // Already deleted.
      }
    }
    live.delete(this);
  }

  /** PIDs of processes started here and still running. */
  pids(): number[] {
    return [...this.children.keys()];
  }

  /** Namespaces still owned (for tests of the harness itself). */
  owned(): readonly string[] {
    return [...this.namespaces];
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already exited.
  }
}

export interface VmPort {
  /** Namespace holding the tap: run qemu here. */
  ns: string;
  tap: string;
  mac: string;
  /** The address a test should reserve for this MAC. */
  ip: string;
}

export interface BootLan {
  net: TestNetwork;
  /** The broadcast domain: bridge, VM taps and the router-advertisement sender. */
  lanNs: string;
  bridge: string;
  /** Where the server under test (dnsmasq, the agent) runs, on serverIf with serverIp. */
  serverNs: string;
  serverIf: string;
  serverIp: string;
  prefixLen: number;
  netmask: string;
  /** e.g. 10.66.3.0/24 */
  subnet: string;
  /** A new tap on the bridge, a MAC and a free address for one VM. */
  addVm(): Promise<VmPort>;
  cleanup(): Promise<void>;
}

export interface BootLanOptions {
  /**
   * Answer IPv6 router solicitations with a router advertisement of router
   * lifetime 0 (default true). iPXE waits for its IPv6 configuration as well
   * as for DHCP before it boots, about 16 s on a link where nothing answers.
   */
  routerAdvertisement?: boolean;
}

let lanCounter = 0;

/**
 * A boot LAN: namespace "lan" with bridge br0 (VM taps are its ports) and
 * namespace "srv" linked to the bridge by a veth, addressed 10.66.<n>.1/24.
 * Addresses exist only inside the namespaces.
 */
export async function createBootLan(opts: BootLanOptions = {}): Promise<BootLan> {
  const net = new TestNetwork();
  const n = (lanCounter++ % 250) + 1;
  const prefix = `10.66.${n}`;
  let vms = 0;
  try {
    const lanNs = await net.namespace('lan');
    const serverNs = await net.namespace('srv');
    const bridge = 'br0';
    await net.bridge(lanNs, bridge);
    await net.veth({ ns: serverNs, ifname: 'eth0' }, { ns: lanNs, ifname: 'srv0' });
    await net.attach(lanNs, 'srv0', bridge);
    await net.address(serverNs, 'eth0', `${prefix}.1/24`);
    if (opts.routerAdvertisement ?? true) {
      // dnsmasq only advertises on an interface with an address in the range; fd66:<n>::/64 is a ULA no packet leaves.
      await net.address(lanNs, bridge, `fd66:${n}::1/64`);
      const ra = net.spawn(lanNs, 'dnsmasq', [
        '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--pid-file=',
        '--port=0', `--interface=${bridge}`, '--bind-interfaces', '--leasefile-ro',
        '--enable-ra', `--dhcp-range=fd66:${n}::,ra-only`,
        // interval 60 s, router lifetime 0: "I am not a default router".
        `--ra-param=${bridge},60,0`,
      ]);
      await ra.waitForLine(/router advertisement on/, 10_000);
    }
    return {
      net,
      lanNs,
      bridge,
      serverNs,
      serverIf: 'eth0',
      serverIp: `${prefix}.1`,
      prefixLen: 24,
      netmask: '255.255.255.0',
      subnet: `${prefix}.0/24`,
      addVm: async () => {
        const i = ++vms;
        const tap = `tap${i}`;
        await net.tap(lanNs, tap, bridge);
        const mac = `52:54:00:${hex(process.pid >> 8)}:${hex(process.pid)}:${hex(n * 16 + i)}`;
        return { ns: lanNs, tap, mac, ip: `${prefix}.${100 + i}` };
      },
      cleanup: () => net.cleanup(),
    };
  } catch (err) {
    await net.cleanup();
    throw err;
  }
}

const hex = (b: number): string => (b & 0xff).toString(16).padStart(2, '0');
