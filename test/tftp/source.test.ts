// fileSource: a file read a chunk at a time. Every view must hold the file's
// bytes at that offset, whatever the order the transfer asks in (sequential,
// across chunk boundaries, from further back after a loss), and a file that
// shrinks must fail the read. The memory is two buffers for the transfer's
// life, not one per chunk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSource, type BlockSource } from '../../src/io/tftp/source.ts';

const dir = mkdtempSync(join(tmpdir(), 'vaquero-source-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `bytes` to `name`, runs `fn` on a fileSource of it, and always closes the source. */
async function withSource(name: string, bytes: Buffer, chunk: number, fn: (s: BlockSource) => Promise<void>): Promise<void> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const s = fileSource(await open(path, 'r'), bytes.length, chunk);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** What a transfer does: peek, and load when the bytes are not in memory. */
async function bytesAt(s: BlockSource, offset: number, length: number): Promise<{ data: Buffer; loaded: boolean }> {
  let data = s.peek(offset, length);
  if (data !== undefined) return { data: Buffer.from(data), loaded: false };
  await s.load(offset, length);
  data = s.peek(offset, length);
  assert.ok(data !== undefined, `in memory after load: ${offset}+${length}`);
  return { data: Buffer.from(data), loaded: true };
}

test('sequential windows across chunk boundaries: right bytes, a read per chunk, not per block', async () => {
  const file = randomBytes(10_000);
  await withSource('seq.bin', file, 1000, async (s) => {
    const window = 3 * 300; // three blocks of 300: windows straddle the 1000-byte chunks
    let loads = 0;
    for (let off = 0; off < file.length; off += window) {
      const len = Math.min(window, file.length - off);
      const { data, loaded } = await bytesAt(s, off, len);
      assert.equal(data, file.subarray(off, off + len), `bytes at ${off}`);
      if (loaded) loads++;
    }
    // A window that does not fit in the chunk in memory starts the next chunk at its own
    // offset, so 1000-byte chunks hold one whole 900-byte window each (the last 100 bytes
    // fit in the chunk before): 11 reads, never one per block.
    assert.is(loads, 11);
  });
});

test('sequential windows with the chunk aligned to whole windows: each chunk read once, ahead of the window that needs it', async () => {
  const file = randomBytes(10_000);
  const path = join(dir, 'ahead.bin');
  writeFileSync(path, file);
  const handle = await open(path, 'r');
  const reads: Array<[number, number]> = [];
  const read = handle.read.bind(handle);
  // Records every read the source makes (offset, length) and passes it on.
  handle.read = ((buffer: Buffer, offset: number, length: number, position: number) => {
    reads.push([position, length]);
    return read(buffer, offset, length, position);
  }) as typeof handle.read;
  const s = fileSource(handle, file.length, 1000, 300); // chunks of 900 bytes: three windows each
  try {
    let waited = 0;
    for (let off = 0; off < file.length; off += 300) {
      const len = Math.min(300, file.length - off);
      const before = reads.length;
      const { data, loaded } = await bytesAt(s, off, len);
      assert.equal(data, file.subarray(off, off + len), `bytes at ${off}`);
      // A load served by the read ahead starts no read of its own, only the next one ahead.
      if (loaded && reads.length - before > 1) waited++;
    }
    assert.equal(reads, Array.from({ length: 12 }, (_, i) => [i * 900, Math.min(900, file.length - i * 900)]));
    assert.is(waited, 1); // only the first chunk was read on demand (and the second ahead at once)
  } finally {
    await s.close();
  }
});

test('a sequential transfer reads every chunk into the same two buffers, in turn', async () => {
  // Chunks of 5,000 bytes: past half of node's Buffer pool, so each buffer has memory of its own.
  const file = randomBytes(100_000);
  await withSource('reuse.bin', file, 5000, async (s) => {
    const memories = new Set<ArrayBufferLike>();
    for (let off = 0; off < file.length; off += 2500) {
      const { data } = await bytesAt(s, off, 2500);
      assert.equal(data, file.subarray(off, off + 2500), `bytes at ${off}`);
      memories.add((s.peek(off, 2500) as Buffer).buffer);
    }
    assert.is(memories.size, 2);
    assert.is(s.stable, false);
  });
});

test('closing while a read ahead is still running waits for it, then closes the file', async () => {
  const file = randomBytes(4000);
  const path = join(dir, 'close.bin');
  writeFileSync(path, file);
  const handle = await open(path, 'r');
  const s = fileSource(handle, file.length, 1000);
  await s.load(0, 500); // starts the read of 1000..2000 ahead
  await s.close();
  assert.is(handle.fd, -1);
});

test('asked in any order (a window resent from further back): right bytes', async () => {
  const file = randomBytes(5000);
  await withSource('any.bin', file, 700, async (s) => {
    for (const [off, len] of [[0, 512], [512, 512], [3000, 512], [1024, 512], [4600, 400], [2900, 200], [0, 5000], [4999, 1]] as const) {
      assert.equal((await bytesAt(s, off, len)).data, file.subarray(off, off + len), `bytes at ${off}+${len}`);
    }
    assert.equal(s.peek(5000, 0), Buffer.alloc(0));
  });
});

test('a file that shrinks after open: the read of the missing part rejects', async () => {
  const file = randomBytes(4000);
  await withSource('shrinks.bin', file, 1000, async (s) => {
    assert.equal((await bytesAt(s, 0, 1000)).data, file.subarray(0, 1000));
    truncateSync(join(dir, 'shrinks.bin'), 1500);
    let err: unknown;
    try {
      for (let off = 1000; off < 4000; off += 500) await bytesAt(s, off, 500);
    } catch (e) {
      err = e;
    }
    assert.match(String(err), /file shorter than its size at open/);
  });
});

test.run();
