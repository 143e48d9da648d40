// Where a transfer's bytes come from: a buffer in memory (small files, netascii
// output) or an open file read a chunk at a time. Both hand out views that are
// never written again, so a view can be given to dgram send as it is.

import type { FileHandle } from 'node:fs/promises';

export interface BlockSource {
  readonly size: number;
  /** `length` bytes from `offset` when they are in memory, else undefined (call `load`). */
  peek(offset: number, length: number): Buffer | undefined;
  /** Brings `offset`..`offset + length` into memory (and what follows, up to a chunk), or throws. */
  load(offset: number, length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Bytes read per thread-pool round trip for files not served from memory. Reading every
 * block through FileHandle.read cost a round trip per block (lock-step 16 MiB: 24 MB/s
 * against about 70 for the C servers, bench:agent); 128 KiB is 89 blocks of 1468 bytes
 * per read, and at most 128 KiB (plus views still queued for sending) per transfer.
 */
export const READ_CHUNK = 128 * 1024;

const EMPTY = Buffer.alloc(0);

/**
 * Reads the open file a chunk at a time as the transfer asks for bytes, so a 32 MB image
 * costs two chunks of memory per transfer, not the whole file. `align` (a window's bytes,
 * windowsize x blksize) rounds the chunk down to whole windows. Each chunk is a new buffer:
 * views of the previous one may still sit in dgram send queues.
 *
 * When a chunk arrives, the one after it is read ahead, while the transfer sends and waits
 * for ACKs, so a sequential transfer finds its next chunk in memory instead of waiting a
 * thread-pool round trip with the client idle. Measured with bench:agent once windows went
 * out as one segmented send each (windowsize 16, 16 MiB; docs/benchmarks.md).
 */
export function fileSource(handle: FileHandle, size: number, chunk = READ_CHUNK, align = 1): BlockSource {
  // Sequential windows then start exactly where a chunk ends, where the read-ahead is.
  chunk = Math.max(align, chunk - (chunk % align));
  let buf: Buffer = EMPTY;
  let start = 0;
  let ahead: { start: number; length: number; bytes: Promise<Buffer> } | undefined;

  const read = async (offset: number, want: number): Promise<Buffer> => {
    const into = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const { bytesRead } = await handle.read(into, done, want - done, offset + done);
      // The file shrank under us: the client would get a silently truncated file.
      if (bytesRead === 0) throw new Error(`file shorter than its size at open (${offset + done} < ${size})`);
      done += bytesRead;
    }
    return into;
  };

  const readAhead = (): void => {
    const next = start + buf.length;
    if (next >= size) return;
    const length = Math.min(chunk, size - next);
    const bytes = read(next, length);
    // A failed read-ahead surfaces only if the transfer gets that far (load awaits it).
    bytes.catch(() => undefined);
    ahead = { start: next, length, bytes };
  };

  return {
    size,
    peek(offset, length) {
      if (length === 0) return EMPTY;
      if (offset < start || offset + length > start + buf.length) return undefined;
      return buf.subarray(offset - start, offset - start + length);
    },
    async load(offset, length) {
      const want = Math.min(Math.max(chunk, length), size - offset);
      const a = ahead;
      ahead = undefined;
      // The chunk read ahead serves when this window starts inside it and fits in it.
      if (a !== undefined && offset >= a.start && offset + length <= a.start + a.length) {
        buf = await a.bytes;
        start = a.start;
      } else {
        buf = await read(offset, want);
        start = offset;
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
