// The small-file cache on its own: identity checks, size limits, the byte budget.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { link, mkdtemp, open, rename, rm, lstat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmallFileCache } from '../../src/io/tftp/small-files.ts';

test('kept until the file changes; only files that fit; least recently used dropped past the budget', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vqt-small-'));
  const cache = new SmallFileCache({ fileBytes: 100, totalBytes: 250 });
  const read = async (name: string): Promise<Buffer> => {
    const h = await open(join(dir, name), 'r');
    try {
      return await cache.read(h);
    } finally {
      await h.close();
    }
  };
  const get = async (name: string): Promise<Buffer | undefined> => cache.get(await lstat(join(dir, name), { bigint: true }));
  try {
    for (const [name, fill] of [['a', 1], ['b', 2], ['c', 3]] as const) await writeFile(join(dir, name), Buffer.alloc(100, fill));
    await writeFile(join(dir, 'big'), Buffer.alloc(101, 4));
    assert.equal([cache.fits(100), cache.fits(101)], [true, false]);
    const a = await read('a');
    assert.equal(a, Buffer.alloc(100, 1));
    assert.is(await get('a'), a, 'the same buffer: served from memory');
    // Same size, new bytes, a new mtime: the kept copy no longer matches and is dropped.
    await writeFile(join(dir, 'a'), Buffer.alloc(100, 9));
    await utimes(join(dir, 'a'), new Date(), new Date(Date.now() + 60_000));
    assert.is(await get('a'), undefined);
    assert.equal(cache.usage(), { files: 0, bytes: 0 });
    assert.equal(await read('a'), Buffer.alloc(100, 9));
    await read('b');
    assert.ok(await get('a')); // a is now the most recently used
    await read('c');
    // 300 bytes over a budget of 250: b, the least recently used, went.
    assert.equal(cache.usage(), { files: 2, bytes: 200 });
    assert.is(await get('b'), undefined);
    assert.equal(await get('c'), Buffer.alloc(100, 3));
    // Kept by the file, not by a name: a second name for it (a hard link) finds the same
    // copy; a file renamed over it is another file, never served the old copy.
    await link(join(dir, 'c'), join(dir, 'c2'));
    // A new link changes the file's ctime: the copy is read again first.
    assert.is(await get('c'), undefined);
    const kept = await read('c');
    assert.ok(kept);
    assert.is(await get('c2'), kept);
    await writeFile(join(dir, 'new-c'), Buffer.alloc(100, 7));
    await rename(join(dir, 'new-c'), join(dir, 'c'));
    assert.is(await get('c'), undefined);
    assert.equal(await read('c'), Buffer.alloc(100, 7));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
