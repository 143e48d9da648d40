// Path confinement: leading slashes, "..", symlinks, fallback folders, non-files.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocator, createQuickLocator, openConfined, splitRequestPath } from '../../src/io/tftp/confine.ts';
import { loadLibc } from '../../src/io/libc.ts';
import { toNetascii } from '../../src/io/tftp/netascii.ts';

test('splitRequestPath: leading slashes dropped, "." and empty segments dropped, ".." refused', () => {
  assert.equal(splitRequestPath('/undionly.kpxe'), { ok: true, segments: ['undionly.kpxe'] });
  assert.equal(splitRequestPath('//efi/./x64//ipxe.efi'), { ok: true, segments: ['efi', 'x64', 'ipxe.efi'] });
  assert.equal(splitRequestPath('a\\b'), { ok: true, segments: ['a\\b'] });
  for (const bad of ['../etc/passwd', 'a/../../b', 'a/..', '..']) {
    assert.equal(splitRequestPath(bad), { ok: false, code: 2, reason: '".." in filename' }, bad);
  }
  assert.equal(splitRequestPath('a\0b'), { ok: false, code: 2, reason: 'NUL in filename' });
  assert.equal(splitRequestPath('/'), { ok: false, code: 1, reason: 'empty filename' });
});

async function withTree(fn: (base: string, fallback: string, outside: string) => Promise<void>): Promise<void> {
  const top = await mkdtemp(join(tmpdir(), 'vq-tftp-confine-'));
  try {
    const base = join(top, 'base');
    const fallback = join(top, 'fallback');
    const outside = join(top, 'outside');
    await mkdir(join(base, 'sub'), { recursive: true });
    await mkdir(fallback);
    await mkdir(outside);
    await writeFile(join(base, 'a.bin'), 'AAA');
    await writeFile(join(base, 'sub', 'b.bin'), 'BB');
    await writeFile(join(fallback, 'a.bin'), 'fallback copy');
    await writeFile(join(fallback, 'ipxe.efi'), 'IPXE');
    await writeFile(join(outside, 'secret'), 'SECRET');
    await symlink(join(outside, 'secret'), join(base, 'escape'));
    await symlink(outside, join(base, 'escdir'));
    await symlink('sub/b.bin', join(base, 'inside-link'));
    execFileSync('mkfifo', [join(base, 'fifo')]);
    await fn(base, fallback, outside);
  } finally {
    await rm(top, { recursive: true, force: true });
  }
}

async function read(roots: string[], name: string): Promise<string | { code: number; reason: string }> {
  const split = splitRequestPath(name);
  if (!split.ok) return { code: split.code, reason: split.reason };
  const r = await openConfined(roots, split.segments);
  if (!r.ok) return { code: r.code, reason: r.reason };
  try {
    return (await r.handle.readFile()).toString();
  } finally {
    await r.handle.close();
  }
}

test('openConfined: base first, then fallbacks; symlinks only inside; FIFOs and folders refused', async () => {
  await withTree(async (base, fallback) => {
    const roots = [base, fallback];
    assert.is(await read(roots, 'a.bin'), 'AAA');
    assert.is(await read(roots, '/sub/b.bin'), 'BB');
    assert.is(await read(roots, 'ipxe.efi'), 'IPXE');
    assert.is(await read(roots, 'inside-link'), 'BB');
    assert.equal(await read(roots, 'escape'), { code: 2, reason: 'resolves outside the served folder' });
    assert.equal(await read(roots, 'escdir/secret'), { code: 2, reason: 'resolves outside the served folder' });
    assert.equal(await read(roots, 'sub'), { code: 2, reason: 'not a regular file' });
    assert.equal(await read(roots, 'fifo'), { code: 2, reason: 'not a regular file' });
    assert.equal(await read(roots, 'nope'), { code: 1, reason: 'not found' });
    assert.equal(await read(roots, 'a.bin/x'), { code: 1, reason: 'not found' });
    assert.equal(await read([join(base, 'missing'), fallback], 'a.bin'), 'fallback copy');
  });
});

test('createQuickLocator (openat2): finds regular files beneath a folder, base first; leaves everything else to the full checks', async () => {
  const c = await loadLibc();
  if ('unavailable' in c) throw new Error(`libc through koffi: ${c.unavailable}`);
  await withTree(async (base, fallback) => {
    const off: string[] = [];
    const quick = createQuickLocator([base, fallback], c, (r) => off.push(r));
    // RESOLVE_CACHED answers only from the kernel's name cache: each name is looked up the
    // ordinary way first (as the full checks do the first time a name is asked for).
    const warm = (...paths: string[]): void => {
      for (const p of paths) {
        try {
          statSync(p);
        } catch {
          // A missing name is cached as missing.
        }
      }
    };
    const ino = (p: string): bigint => statSync(p, { bigint: true }).ino;
    warm(join(base, 'a.bin'), join(base, 'sub', 'b.bin'), join(base, 'inside-link'), join(base, 'ipxe.efi'), join(fallback, 'ipxe.efi'));
    assert.is(quick(['a.bin'])?.ino, ino(join(base, 'a.bin')), 'base');
    assert.is(quick(['sub', 'b.bin'])?.ino, ino(join(base, 'sub', 'b.bin')));
    assert.is(quick(['inside-link'])?.ino, ino(join(base, 'sub', 'b.bin')), 'a symlink that stays inside');
    assert.is(quick(['ipxe.efi'])?.ino, ino(join(fallback, 'ipxe.efi')), 'missing from base: the fallback');
    // What the full checks decide: escaping symlinks (file and folder), an absolute symlink
    // (inside or not, RESOLVE_BENEATH refuses it), a folder, a FIFO, a missing name.
    await symlink(join(base, 'a.bin'), join(base, 'abs-inside'));
    warm(join(base, 'escape'), join(base, 'escdir', 'secret'), join(base, 'abs-inside'), join(base, 'sub'), join(base, 'fifo'), join(base, 'nope'), join(fallback, 'nope'));
    for (const name of ['escape', 'escdir/secret', 'abs-inside', 'sub', 'fifo', 'nope']) {
      assert.is(quick(name.split('/')), undefined, name);
    }
    assert.equal(off, []);
  });
});

test('createLocator: lookups of one path in the same turn share one result; escaping and missing paths are undefined', async () => {
  await withTree(async (base, fallback) => {
    const locate = createLocator([base, fallback]);
    const same = await Promise.all([locate(['a.bin']), locate(['a.bin']), locate(['a.bin'])]);
    assert.ok(same[0] !== undefined && same[0] === same[1] && same[1] === same[2], 'one shared lookup');
    assert.is(same[0]?.path?.endsWith('/base/a.bin'), true);
    assert.is(same[0]?.stat.size, 3n);
    const later = await locate(['a.bin']);
    assert.is.not(later, same[0]); // another turn: a lookup of its own
    assert.equal(await Promise.all([locate(['escape']), locate(['nope']), locate(['sub', 'b.bin']), locate(['ipxe.efi'])]).then((r) => r.map((x) => x?.path?.split('/').slice(-2).join('/'))), [
      undefined,
      undefined,
      'sub/b.bin',
      'fallback/ipxe.efi',
    ]);
  });
});

test('createLocator with openat2 first: one quick lookup per path and turn, the thread pool only for what it leaves open', async () => {
  const c = await loadLibc();
  if ('unavailable' in c) throw new Error(`libc through koffi: ${c.unavailable}`);
  await withTree(async (base, fallback) => {
    const quick = createQuickLocator([base, fallback], c);
    const asked: string[] = [];
    const locate = createLocator([base, fallback], (segments) => {
      asked.push(segments.join('/'));
      return quick(segments);
    });
    statSync(join(base, 'a.bin')); // in the kernel's name cache (RESOLVE_CACHED)
    const same = await Promise.all([locate(['a.bin']), locate(['a.bin']), locate(['escape'])]);
    assert.equal(asked, ['a.bin', 'escape']);
    assert.ok(same[0] !== undefined && same[0] === same[1], 'one shared lookup');
    assert.equal({ ino: same[0]?.stat.ino, path: same[0]?.path }, { ino: statSync(join(base, 'a.bin'), { bigint: true }).ino, path: undefined }, 'found by openat2');
    // openat2 refuses the escaping symlink; the full checks then refuse it too.
    assert.is(same[2], undefined);
  });
});

for (const withQuick of [false, true]) {
  test(`createLocator${withQuick ? ' with openat2 first' : ''}: a request that arrives after a lookup started is checked against the file system as it is then`, () => arrivesAfter(withQuick));
}

async function arrivesAfter(withQuick: boolean): Promise<void> {
  const c = withQuick ? await loadLibc() : undefined;
  if (c !== undefined && 'unavailable' in c) throw new Error(`libc through koffi: ${c.unavailable}`);
  await withTree(async (base, fallback, outside) => {
    const locate = createLocator([base, fallback], c === undefined ? undefined : createQuickLocator([base, fallback], c));
    const first = locate(['a.bin']); // its lookup starts at the end of this turn
    await new Promise((r) => setImmediate(r));
    // Now a.bin becomes a symlink out of the folder, before the second request arrives.
    await rename(join(base, 'a.bin'), join(outside, 'moved'));
    await symlink(join(outside, 'moved'), join(base, 'a.bin'));
    const second = await locate(['a.bin']);
    assert.is(second, undefined);
    await first; // whatever it found, it arrived before the change
  });
}

test('netascii: LF -> CR LF, bare CR -> CR NUL, other bytes unchanged', () => {
  assert.equal(toNetascii(Buffer.from('a\nb\r\nc\rd')), Buffer.from('a\r\nb\r\0\r\nc\r\0d', 'latin1'));
  const plain = Buffer.from('no line ends');
  assert.is(toNetascii(plain), plain);
  assert.equal(toNetascii(Buffer.alloc(0)), Buffer.alloc(0));
});

test.run();
