// Kernel modules without kmod: reads `depends=` from each .ko's .modinfo ELF
// section and orders a module set so every module follows its dependencies
// (the linux-image .deb ships no modules.dep, and busybox insmod has no -r).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KernelModule {
  name: string;
  path: string;
  depends: string[];
}

/** Module names as the kernel writes them: dashes and underscores are one. */
export const moduleName = (file: string): string => file.replace(/\.ko(\.xz|\.zst|\.gz)?$/, '').replace(/-/g, '_');

/** The NUL-separated `key=value` strings of an ELF64 object's .modinfo section. */
export function readModinfo(elf: Buffer): Map<string, string[]> {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) throw new Error('not an ELF64 object');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const section = (i: number): { name: number; offset: number; size: number } => {
    const at = shoff + i * shentsize;
    return { name: elf.readUInt32LE(at), offset: Number(elf.readBigUInt64LE(at + 0x18)), size: Number(elf.readBigUInt64LE(at + 0x20)) };
  };
  const names = section(shstrndx);
  const info = new Map<string, string[]>();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    const start = names.offset + s.name;
    const name = elf.toString('latin1', start, elf.indexOf(0, start));
    if (name !== '.modinfo') continue;
    for (const entry of elf.toString('latin1', s.offset, s.offset + s.size).split('\0')) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const key = entry.slice(0, eq);
      info.set(key, [...(info.get(key) ?? []), entry.slice(eq + 1)]);
    }
  }
  return info;
}

/** A module's bytes, decompressed: busybox insmod reads neither xz nor zstd. */
export function readModule(path: string): Buffer {
  if (path.endsWith('.ko')) return readFileSync(path);
  if (path.endsWith('.ko.xz')) return execFileSync('xz', ['-dc', path], { maxBuffer: 1 << 28 });
  if (path.endsWith('.ko.zst')) return execFileSync('zstd', ['-dc', path], { maxBuffer: 1 << 28 });
  throw new Error(`unknown module format: ${path}`);
}

/** Every module file under `<modulesDir>/kernel`, by module name. */
export function indexModules(modulesDir: string): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.xz|\.zst)?$/.test(e.name)) index.set(moduleName(e.name), p);
    }
  };
  walk(join(modulesDir, 'kernel'));
  return index;
}

/** Names built into the kernel (modules.builtin), which need no insmod. */
export function builtinModules(modulesDir: string): Set<string> {
  const text = readFileSync(join(modulesDir, 'modules.builtin'), 'utf8');
  return new Set(text.split('\n').filter(Boolean).map((l) => moduleName(l.split('/').pop() ?? '')));
}

/** `roots` and everything they depend on, dependencies first. */
export function resolveModules(modulesDir: string, roots: readonly string[]): KernelModule[] {
  const index = indexModules(modulesDir);
  const builtin = builtinModules(modulesDir);
  const ordered: KernelModule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]): void => {
    if (builtin.has(name) || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`module dependency cycle: ${[...chain, name].join(' -> ')}`);
    const path = index.get(name);
    if (path === undefined) throw new Error(`module ${name} not found under ${modulesDir} (needed by ${chain.join(' -> ') || 'the harness'})`);
    state.set(name, 'visiting');
    const depends = (readModinfo(readModule(path)).get('depends')?.[0] ?? '').split(',').filter(Boolean).map(moduleName);
    for (const d of depends) visit(d, [...chain, name]);
    state.set(name, 'done');
    ordered.push({ name, path, depends });
  };
  for (const r of roots) visit(moduleName(r), []);
  return ordered;
}
