// Sends a byte range of an open file as a response body: one read at a time
// into buffers that are reused once the socket has taken them, at most two
// per download. A file read stream allocated a fresh 1 MiB buffer per read;
// serving a 256 MB file that cost page faults and garbage collection on
// every buffer, and the agent moved 0.7-1.4 GB/s where a bare node server
// with the same read size moved 1.7 (bench:agent; docs/benchmarks.md).
import { EventEmitter } from 'node:events';
import { read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

// Read size per download, from a budget shared by the downloads in flight:
// 512 KiB reads when few hosts fetch, down to 64 KiB when many do, so a boot
// storm's read buffers stay within the budget (each download holds at most
// two). Powers of two, so buffers of one size serve every later download.
// 512 KiB rather than 1 MiB: a buffer that fits the core's L2 cache is still
// there when the socket write copies it out; bench:agent's 256 MB file went
// from 1,428-1,611 MB/s (0.81-0.87x nginx) to 1,943-1,997 (1.13-1.27x).
const READ_BUDGET = 64 * 1024 * 1024;
const MIN_READ = 64 * 1024;
const MAX_READ = 512 * 1024;
const HELD_PER_DOWNLOAD = 2;
/** Free buffers kept for the next downloads; beyond this they are left to the garbage collector. */
const POOL_LIMIT = 16 * 1024 * 1024;

export function readSizeFor(openDownloads: number): number {
  const share = Math.floor(READ_BUDGET / HELD_PER_DOWNLOAD / Math.max(1, openDownloads + 1));
  const pow2 = 2 ** Math.floor(Math.log2(Math.max(1, share)));
  return Math.max(MIN_READ, Math.min(MAX_READ, pow2));
}

const free = new Map<number, Buffer[]>();
let pooledBytes = 0;

function take(size: number): Buffer {
  const b = free.get(size)?.pop();
  if (b) {
    pooledBytes -= size;
    return b;
  }
  return Buffer.allocUnsafeSlow(size);
}

function give(b: Buffer): void {
  if (pooledBytes + b.length > POOL_LIMIT) return;
  let list = free.get(b.length);
  if (!list) free.set(b.length, (list = []));
  list.push(b);
  pooledBytes += b.length;
}

/** Bytes of free read buffers kept for reuse (for tests and metrics). */
export function pooledReadBytes(): number {
  return pooledBytes;
}

export interface SendOptions {
  /** First and last byte (inclusive) to send. */
  start: number;
  end: number;
  readSize: number;
  /** Called with each chunk's length as it is handed to the response. */
  onBytes(n: number): void;
  /** A read failed or the file shrank after the headers went out: the response is destroyed. */
  onError(err: Error): void;
}

/**
 * Starts sending and returns an emitter that emits 'close' once the file
 * handle is closed: after the last read, or when the response closes first
 * (client gone, idle timeout, server shutdown). The handle is the sender's
 * from here on. Ends the response after the last byte.
 */
export function sendFileRange(handle: FileHandle, res: ServerResponse, o: SendOptions): EventEmitter {
  const life = new EventEmitter();
  let pos = o.start;
  let reading = false;
  let held = 0;
  let stopped = false;
  let closing = false;

  const closeHandle = (): void => {
    if (closing) return;
    closing = true;
    handle.close().then(
      () => life.emit('close'),
      () => life.emit('close'),
    );
  };
  // No read uses the descriptor after this; writes in flight only hold buffers.
  const stop = (): void => {
    stopped = true;
    if (!reading) closeHandle();
  };
  res.once('close', stop);

  const pump = (): void => {
    if (stopped || reading || held >= HELD_PER_DOWNLOAD || pos > o.end) return;
    const want = Math.min(o.readSize, o.end - pos + 1);
    const buf = take(o.readSize);
    held++;
    reading = true;
    read(handle.fd, buf, 0, want, pos, (err, got) => {
      reading = false;
      if (stopped) {
        held--;
        give(buf);
        closeHandle();
        return;
      }
      if (err || got === 0) {
        held--;
        give(buf);
        o.onError(err ?? new Error(`file ended at byte ${pos} of ${o.end + 1} while being sent`));
        res.destroy();
        stop();
        return;
      }
      pos += got;
      o.onBytes(got);
      // The buffer goes back to the pool once the socket has taken it (the callback also runs with an error when the socket is destroyed first).
      res.write(got === buf.length ? buf : buf.subarray(0, got), () => {
        held--;
        give(buf);
        pump();
      });
      if (pos > o.end) {
        res.end();
        stop();
      } else pump();
    });
  };
  pump();
  return life;
}
