import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmallFileCache } from '../../src/io/tftp/small-files.ts';

test('small files are read once and kept; a changed file is read again; big ones are left to block reads; LRU past the budget', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vqt-small-'));
  const read = async (c: SmallFileCache, name: string): Promise<Buffer | undefined> => {
    const h = await open(join(dir, name), 'r');
    try {
      return await c.get(h);
    } finally {
      await h.close();
    }
  };
  try {
    const cache = new SmallFileCache(100, 250);
    writeFileSync(join(dir, 'a'), Buffer.alloc(100, 1));
    writeFileSync(join(dir, 'b'), Buffer.alloc(100, 2));
    writeFileSync(join(dir, 'c'), Buffer.alloc(100, 3));
    writeFileSync(join(dir, 'big'), Buffer.alloc(101, 4));
    const a1 = await read(cache, 'a');
    assert.equal(a1, Buffer.alloc(100, 1));
    assert.is(await read(cache, 'a'), a1, 'the same buffer: served from memory');
    assert.is(await read(cache, 'big'), undefined);
    writeFileSync(join(dir, 'a'), Buffer.alloc(100, 9));
    utimesSync(join(dir, 'a'), new Date(), new Date(Date.now() + 5000));
    assert.equal(await read(cache, 'a'), Buffer.alloc(100, 9));
    await read(cache, 'b');
    await read(cache, 'c');
    // 4 entries of 100 bytes were added (a twice); the budget of 250 keeps the two most recent.
    assert.is(cache.size, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
