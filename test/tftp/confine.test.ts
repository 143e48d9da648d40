// Path confinement: leading slashes, "..", symlinks, fallback folders, non-files.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocator, openConfined, splitRequestPath } from '../../src/io/tftp/confine.ts';
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

test('createLocator: lookups of one path in the same turn share one result; escaping and missing paths are undefined', async () => {
  await withTree(async (base, fallback) => {
    const locate = createLocator([base, fallback]);
    const same = await Promise.all([locate(['a.bin']), locate(['a.bin']), locate(['a.bin'])]);
    assert.ok(same[0] !== undefined && same[0] === same[1] && same[1] === same[2], 'one shared lookup');
    assert.is(same[0]?.path.endsWith('/base/a.bin'), true);
    assert.is(same[0]?.stat.size, 3n);
    const later = await locate(['a.bin']);
    assert.is.not(later, same[0]); // another turn: a lookup of its own
    assert.equal(await Promise.all([locate(['escape']), locate(['nope']), locate(['sub', 'b.bin']), locate(['ipxe.efi'])]).then((r) => r.map((x) => x?.path.split('/').slice(-2).join('/'))), [
      undefined,
      undefined,
      'sub/b.bin',
      'fallback/ipxe.efi',
    ]);
  });
});

test('createLocator: a request that arrives after a lookup started is checked against the file system as it is then', async () => {
  await withTree(async (base, fallback, outside) => {
    const locate = createLocator([base, fallback]);
    const first = locate(['a.bin']); // its lookup starts at the end of this turn
    await new Promise((r) => setImmediate(r));
    // Now a.bin becomes a symlink out of the folder, before the second request arrives.
    await rename(join(base, 'a.bin'), join(outside, 'moved'));
    await symlink(join(outside, 'moved'), join(base, 'a.bin'));
    const second = await locate(['a.bin']);
    assert.is(second, undefined);
    await first; // whatever it found, it arrived before the change
  });
});

test('netascii: LF -> CR LF, bare CR -> CR NUL, other bytes unchanged', () => {
  assert.equal(toNetascii(Buffer.from('a\nb\r\nc\rd')), Buffer.from('a\r\nb\r\0\r\nc\r\0d', 'latin1'));
  const plain = Buffer.from('no line ends');
  assert.is(toNetascii(plain), plain);
  assert.equal(toNetascii(Buffer.alloc(0)), Buffer.alloc(0));
});

test.run();
