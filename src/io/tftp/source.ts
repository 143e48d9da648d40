// Where a transfer's bytes come from: an open file read on demand, or a buffer
// (netascii output). Reads return exactly the bytes asked for, or throw.

import type { FileHandle } from 'node:fs/promises';

export interface BlockSource {
  readonly size: number;
  /** Reads `length` bytes at `offset` into `into` at `at`. */
  readInto(into: Buffer, at: number, offset: number, length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Reads blocks from the open handle as the transfer asks for them, so a 32 MB image costs
 * one window of memory per transfer, not the whole file. The kernel page cache already
 * keeps popular ROMs in memory across transfers.
 */
export function fileSource(handle: FileHandle, size: number): BlockSource {
  return {
    size,
    async readInto(into, at, offset, length) {
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(into, at + done, length - done, offset + done);
        // The file shrank under us: the client would get a silently truncated file.
        if (bytesRead === 0) throw new Error(`file shorter than its size at open (${offset + done} < ${size})`);
        done += bytesRead;
      }
    },
    close: () => handle.close(),
  };
}

export function bufferSource(data: Buffer): BlockSource {
  return {
    size: data.length,
    readInto(into, at, offset, length) {
      data.copy(into, at, offset, offset + length);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
