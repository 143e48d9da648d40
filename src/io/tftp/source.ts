// Where a transfer's bytes come from: a buffer in memory (small files, netascii
// output), whose views stay valid, or an open file read a chunk at a time into
// two buffers kept for the transfer, whose views are valid until the next
// `load`: the transfer copies what it sends from those (session.ts).

import type { FileHandle } from 'node:fs/promises';

export interface BlockSource {
  readonly size: number;
  /** Views stay valid for good (bytes in memory), so a send may keep one rather than a copy. */
  readonly stable: boolean;
  /**
   * `length` bytes from `offset` when they are in memory, else undefined (call `load`). The
   * view is valid until the next `load`, which may read other bytes into the same memory.
   */
  peek(offset: number, length: number): Buffer | undefined;
  /** Brings `offset`..`offset + length` into memory (and what follows, up to a chunk), or throws. */
  load(offset: number, length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Bytes read per thread-pool round trip for files not served from memory. Reading every
 * block through FileHandle.read cost a round trip per block (lock-step 16 MiB: 24 MB/s
 * against about 70 for the C servers, bench:agent); 128 KiB is 89 blocks of 1468 bytes
 * per read, and two chunks of memory per transfer.
 */
export const READ_CHUNK = 128 * 1024;

const EMPTY = Buffer.alloc(0);

/** A buffer of the transfer's, and the file's bytes in it: `length` of them from `start`. */
interface Chunk {
  mem: Buffer;
  start: number;
  length: number;
}

/**
 * Reads the open file a chunk at a time as the transfer asks for bytes, so a 32 MB image
 * costs two chunks of memory per transfer, not the whole file. `align` (a window's bytes,
 * windowsize x blksize) rounds the chunk down to whole windows.
 *
 * When a chunk arrives, the one after it is read ahead into the other buffer, while the
 * transfer sends and waits for ACKs, so a sequential transfer finds its next chunk in
 * memory instead of waiting a thread-pool round trip with the client idle. Measured with
 * bench:agent once windows went out as one segmented send each (windowsize 16, 16 MiB;
 * docs/benchmarks.md).
 *
 * The two buffers are the transfer's for its life: a new buffer per chunk (16 MiB of
 * buffers per 16 MiB sent) was external memory for V8's collector, and cost about 5%
 * of a windowed fetch's CPU (docs/decisions.md, "TFTP windows through UDP segmentation
 * offload").
 */
export function fileSource(handle: FileHandle, size: number, chunk = READ_CHUNK, align = 1): BlockSource {
  // Sequential windows then start exactly where a chunk ends, where the read-ahead is.
  chunk = Math.max(align, chunk - (chunk % align));
  const empty: Chunk = { mem: EMPTY, start: 0, length: 0 };
  // What peek serves from, and the other buffer (free, or being read into ahead).
  let cur: Chunk = empty;
  let spare: Buffer = EMPTY;
  let ahead: { chunk: Chunk; done: Promise<void> } | undefined;

  /** Fills `into` with `length` bytes from `offset`; `into` is at least that long. */
  const read = async (into: Buffer, offset: number, length: number): Promise<void> => {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(into, done, length - done, offset + done);
      // The file shrank under us: the client would get a silently truncated file.
      if (bytesRead === 0) throw new Error(`file shorter than its size at open (${offset + done} < ${size})`);
      done += bytesRead;
    }
  };

  /** A buffer for `length` bytes: `mem` when it is big enough (only a longer ask makes a new one). */
  const fit = (mem: Buffer, length: number): Buffer => (mem.length >= length ? mem : Buffer.allocUnsafe(Math.max(chunk, length)));

  const readAhead = (): void => {
    const next = cur.start + cur.length;
    if (next >= size) return;
    const length = Math.min(chunk, size - next);
    const c: Chunk = { mem: fit(spare, length), start: next, length };
    spare = EMPTY;
    const done = read(c.mem, next, length);
    // A failed read-ahead surfaces only if the transfer gets that far (load awaits it).
    done.catch(() => undefined);
    ahead = { chunk: c, done };
  };

  return {
    size,
    stable: false,
    peek(offset, length) {
      if (length === 0) return EMPTY;
      if (offset < cur.start || offset + length > cur.start + cur.length) return undefined;
      return cur.mem.subarray(offset - cur.start, offset - cur.start + length);
    },
    async load(offset, length) {
      const a = ahead;
      ahead = undefined;
      const old = cur.mem;
      // Nothing is served while the buffers change hands (a peek during the read misses).
      cur = empty;
      if (a !== undefined && offset >= a.chunk.start && offset + length <= a.chunk.start + a.chunk.length) {
        // The chunk read ahead serves when this window starts inside it and fits in it.
        await a.done;
        cur = a.chunk;
        spare = old;
      } else {
        // Another place (a window resent from further back): the read ahead, if any, is
        // let finish first, as its buffer is written until then.
        if (a !== undefined) await a.done.catch(() => undefined);
        const want = Math.min(Math.max(chunk, length), size - offset);
        const mem = fit(old, want);
        await read(mem, offset, want);
        cur = { mem, start: offset, length: want };
        spare = a !== undefined ? a.chunk.mem : spare;
      }
      readAhead();
    },
    // FileHandle.close waits for reads still running on it (a read ahead, or one a load
    // gave up on) before the descriptor goes and may be reused.
    close() {
      return handle.close();
    },
  };
}

// Methods, not arrow properties: a source is made per transfer, and tsx's keepNames gives
// every arrow bound to a property a `name` of its own as it is made (see ReadSession).
export function bufferSource(data: Buffer): BlockSource {
  return {
    size: data.length,
    stable: true,
    peek(offset, length) {
      return data.subarray(offset, offset + length);
    },
    load() {
      return Promise.resolve();
    },
    close() {
      return Promise.resolve();
    },
  };
}
