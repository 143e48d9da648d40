// The harness's tiny Linux: a Debian kernel and a busybox initramfs whose /init
// (tiny-linux/init.sh) gets a DHCP lease, prints the config named by
// vaquero.config=, calls vaquero.checkpoint= and powers off. Built once from
// .debs that are downloaded and unpacked, never installed (busybox-static
// conflicts with the installed busybox), and cached by package version.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { cpioNewc, type CpioEntry } from './tiny-linux/cpio.ts';
import { readModule, resolveModules } from './tiny-linux/kmod.ts';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
export const TINY_LINUX_CACHE = join(REPO, 'node_modules', '.cache', 'vaquero', 'tiny-linux');

/** NIC drivers the VMs may have: virtio-net (BIOS and OVMF) and e1000 (BIOS). Their dependencies are added from each .ko. */
export const NIC_MODULES = ['virtio_net', 'virtio_pci', 'e1000'] as const;

/** Serial-console markers printed by /init, in order. */
export const MARKERS = {
  up: 'VAQUERO-TINY-LINUX-UP',
  ip: 'VAQUERO-IP',
  configBegin: 'VAQUERO-CONFIG-BEGIN',
  configEnd: 'VAQUERO-CONFIG-END',
  checkpointDone: 'VAQUERO-CHECKPOINT-DONE',
  failed: 'VAQUERO-FAILED',
  poweroff: 'VAQUERO-POWEROFF',
} as const;

export interface TinyLinux {
  kernel: string;
  initrd: string;
}

let building: Promise<TinyLinux> | undefined;

/** Absolute paths of the cached kernel and initramfs, building them on first use (about 10 s, 71 MB download). */
export function ensureTinyLinux(): Promise<TinyLinux> {
  building ??= build().catch((err: unknown) => {
    building = undefined;
    throw err;
  });
  return building;
}

/** The config the VM printed between the markers, or undefined if it has not (yet). */
export function configFromSerial(log: string): string | undefined {
  const text = `\n${log.replace(/\r\n/g, '\n')}`;
  const begin = text.indexOf(`\n${MARKERS.configBegin}\n`);
  if (begin < 0) return undefined;
  const start = begin + MARKERS.configBegin.length + 2;
  // init.sh prints one newline after the config: that newline is the one before the end marker.
  const end = text.indexOf(`\n${MARKERS.configEnd}\n`, start);
  return end < 0 ? undefined : text.slice(start, end);
}

async function aptOut(args: string[], cmd = 'apt-cache'): Promise<string> {
  return (await run(cmd, args, { maxBuffer: 1 << 24 })).stdout;
}

async function candidate(pkg: string): Promise<string> {
  const m = /^\s*Candidate:\s*(\S+)/m.exec(await aptOut(['policy', pkg]));
  if (!m?.[1] || m[1] === '(none)') throw new Error(`apt has no candidate for ${pkg}: run apt-get update`);
  return m[1];
}

/** The versioned kernel package linux-image-amd64 currently depends on, e.g. linux-image-6.1.0-56-amd64. */
async function kernelPackage(): Promise<string> {
  const m = /Depends:\s*(linux-image-6\.1\.[\w.-]+-amd64)\b/.exec(await aptOut(['depends', 'linux-image-amd64']));
  if (!m?.[1]) throw new Error('apt-cache depends linux-image-amd64 names no linux-image-6.1.*-amd64');
  return m[1];
}

async function build(): Promise<TinyLinux> {
  const kernelPkg = await kernelPackage();
  const pkgs: [string, string][] = [
    [kernelPkg, await candidate(kernelPkg)],
    ['busybox-static', await candidate('busybox-static')],
  ];
  const sources = ['init.sh', 'udhcpc.script', 'cpio.ts', 'kmod.ts'].map((f) => readFileSync(join(HERE, 'tiny-linux', f)));
  const digest = createHash('sha256').update(Buffer.concat([...sources, Buffer.from(NIC_MODULES.join(','))])).digest('hex').slice(0, 12);
  const key = `${pkgs.map(([p, v]) => `${p}_${v}`).join('+')}+${digest}`.replace(/[^\w.+-]/g, '_');
  const out = join(TINY_LINUX_CACHE, key);
  const result = { kernel: join(out, 'vmlinuz'), initrd: join(out, 'initramfs.cpio.gz') };
  if (existsSync(result.kernel) && existsSync(result.initrd)) return result;

  const work = `${out}.build-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  const root = join(work, 'root');
  const dest = join(work, 'out');
  mkdirSync(root, { recursive: true });
  mkdirSync(dest);
  try {
    await run('apt-get', ['download', '-q', ...pkgs.map(([p, v]) => `${p}=${v}`)], { cwd: work, maxBuffer: 1 << 24 });
    for (const deb of readdirSync(work).filter((f) => f.endsWith('.deb'))) await run('dpkg', ['-x', join(work, deb), root]);

    const vmlinuz = readdirSync(join(root, 'boot')).find((f) => f.startsWith('vmlinuz-'));
    if (vmlinuz === undefined) throw new Error(`${kernelPkg} has no boot/vmlinuz-*`);
    const modulesDir = join(root, 'lib', 'modules', vmlinuz.slice('vmlinuz-'.length));
    const modules = resolveModules(modulesDir, NIC_MODULES);

    const script = (f: string): Buffer => readFileSync(join(HERE, 'tiny-linux', f));
    const entries: CpioEntry[] = [
      ...['bin', 'dev', 'etc', 'lib', 'lib/modules', 'proc', 'sys', 'tmp', 'run'].map((path) => ({ kind: 'dir' as const, path })),
      { kind: 'dir', path: 'sbin' },
      { kind: 'file', path: 'bin/busybox', data: readFileSync(join(root, 'bin', 'busybox')), mode: 0o755 },
      { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
      // The kernel opens /dev/console for init before init can mount devtmpfs.
      { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
      { kind: 'file', path: 'init', data: script('init.sh'), mode: 0o755 },
      { kind: 'file', path: 'etc/udhcpc.script', data: script('udhcpc.script'), mode: 0o755 },
      ...modules.map((m) => ({ kind: 'file' as const, path: `lib/modules/${m.name}.ko`, data: readModule(m.path) })),
      { kind: 'file', path: 'lib/modules/load-order', data: Buffer.from(modules.map((m) => `${m.name}\n`).join('')) },
    ];
    writeFileSync(join(dest, 'initramfs.cpio.gz'), gzipSync(cpioNewc(entries), { level: 9 }));
    copyFileSync(join(root, 'boot', vmlinuz), join(dest, 'vmlinuz'));
    writeFileSync(join(dest, 'PACKAGES'), `${pkgs.map(([p, v]) => `${p} ${v}`).join('\n')}\nmodules: ${modules.map((m) => m.name).join(' ')}\n`);
    // Another process may have finished the same key first; either copy is good.
    if (!existsSync(out)) renameSync(dest, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const old of readdirSync(TINY_LINUX_CACHE)) {
    if (old !== key && !old.includes('.build-')) rmSync(join(TINY_LINUX_CACHE, old), { recursive: true, force: true });
  }
  return result;
}
