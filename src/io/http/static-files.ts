// Serves one file from a folder (the first of several that has it):
// confinement by realpath, validators and conditional requests, a single
// Range, HEAD; the body goes out through file-sender.ts, which never holds
// the file in memory.
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { etagOf, notModified, rangeAllowed } from './conditional.ts';
import { contentTypeOf } from './content-type.ts';
import { readSizeFor, sendFileRange } from './file-sender.ts';
import { parseRange } from './range.ts';
import type { StreamTracker } from './stream-tracker.ts';

export interface FileServeContext {
  /** Folders looked in, in order: the first where the path exists serves it. */
  roots: readonly string[];
  streams: StreamTracker;
  /** A read error after the headers went out (the response is cut). */
  onStreamError(err: Error): void;
}

export interface FileOutcome {
  /** Why the path was refused (answered 404), for metrics and events; absent when it was looked up. */
  refused?: { reason: 'symlink-escape' | 'unreadable'; detail: string };
  /** `bytes=a-b` actually served, for the event. */
  range?: string;
  /** Body bytes handed to the response so far. */
  bytes: number;
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** Node joins repeated headers it does not know with ', ' but leaves some as arrays; take the first. */
function single(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

function inside(root: string, real: string): boolean {
  return real.startsWith(root.endsWith(sep) ? root : root + sep);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 10 });
  res.end('not found\n');
}

/** `outcome` is filled in as the response goes: it is read when the response closes, which may be before this resolves. */
export async function serveFile(req: IncomingMessage, res: ServerResponse, segments: readonly string[], ctx: FileServeContext, outcome: FileOutcome): Promise<void> {
  if (segments.length === 0) {
    notFound(res);
    return;
  }
  let real: string | undefined;
  for (const root of ctx.roots) {
    try {
      const realRoot = await realpath(root);
      real = await realpath(join(realRoot, ...segments));
      if (!inside(realRoot, real)) {
        outcome.refused = { reason: 'symlink-escape', detail: 'resolves outside its folder' };
        notFound(res);
        return;
      }
      break;
    } catch (e) {
      const code = errnoOf(e);
      // A missing file (or folder) is the next folder's to serve, or a 404; ELOOP, EACCES
      // and friends are refusals worth counting, and end the lookup.
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      outcome.refused = { reason: 'unreadable', detail: `cannot resolve: ${code ?? String(e)}` };
      notFound(res);
      return;
    }
  }
  if (real === undefined) {
    notFound(res);
    return;
  }
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: a symlink swapped in after the realpath check is not followed.
    // O_NONBLOCK: a FIFO planted in the folder must not hang a libuv thread.
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = errnoOf(e);
    if (code !== 'ENOENT') outcome.refused = { reason: 'unreadable', detail: `cannot open: ${code ?? String(e)}` };
    notFound(res);
    return;
  }
  let handedOff = false;
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      // Directories included: no listings.
      notFound(res);
      return;
    }
    if (res.destroyed) return; // the client left while we looked
    const v = { etag: etagOf(st.size, st.mtimeMs), mtimeMs: st.mtimeMs };
    const lastModified = new Date(st.mtimeMs).toUTCString();
    const headers: Record<string, string | number> = {
      etag: v.etag,
      'last-modified': lastModified,
      'accept-ranges': 'bytes',
      // By the name asked for, not the symlink target's: that is what the client expects.
      'content-type': contentTypeOf(segments[segments.length - 1]!),
    };
    if (notModified(req.headers['if-none-match'], req.headers['if-modified-since'], v)) {
      res.writeHead(304, { etag: v.etag, 'last-modified': lastModified });
      res.end();
      return;
    }
    // Range is defined for GET only (RFC 9110 14.2); HEAD gets the full-length headers.
    const range = req.method === 'GET' && rangeAllowed(single(req.headers['if-range']), v) ? parseRange(req.headers.range, st.size) : { kind: 'none' as const };
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${st.size}`, 'content-length': 0 });
      res.end();
      return;
    }
    let start = 0;
    let end = st.size - 1;
    if (range.kind === 'range') {
      ({ start, end } = range);
      outcome.range = `bytes=${start}-${end}`;
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${st.size}`, 'content-length': end - start + 1 });
    } else {
      res.writeHead(200, { ...headers, 'content-length': st.size });
    }
    if (req.method === 'HEAD' || st.size === 0) {
      res.end();
      return;
    }
    // The sender closes the descriptor when the response closes early: an aborted or timed-out client leaves nothing open.
    handedOff = true;
    const sender = sendFileRange(handle, res, {
      start,
      end,
      readSize: readSizeFor(ctx.streams.open),
      onBytes: (n) => {
        outcome.bytes += n;
      },
      onError: (err) => ctx.onStreamError(err),
    });
    ctx.streams.track(sender);
  } finally {
    if (!handedOff) await handle.close().catch(() => undefined);
  }
}
