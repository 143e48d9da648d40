// Path confinement: leading slashes, "..", symlinks, fallback folders, non-files.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConfined, splitRequestPath } from '../../src/io/tftp/confine.ts';
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

test('netascii: LF -> CR LF, bare CR -> CR NUL, other bytes unchanged', () => {
  assert.equal(toNetascii(Buffer.from('a\nb\r\nc\rd')), Buffer.from('a\r\nb\r\0\r\nc\r\0d', 'latin1'));
  const plain = Buffer.from('no line ends');
  assert.is(toNetascii(plain), plain);
  assert.equal(toNetascii(Buffer.alloc(0)), Buffer.alloc(0));
});

test.run();
