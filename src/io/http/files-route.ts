// /files/<path> and /boot/<path>: the path confined once, then served from
// the files folder or fetched from the CDN (/files), or from the folders TFTP
// serves (/boot: the boot ROMs UEFI HTTP boot asks for); one event per
// response when it closes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HandlerContext } from './context.ts';
import { proxyFile, type CdnTarget } from './proxy.ts';
import { filePath } from './request-path.ts';
import { serveFile, type FileOutcome } from './static-files.ts';
import type { StreamTracker } from './stream-tracker.ts';

export interface FilesRouteOptions {
  /** Folders looked in, in order. */
  roots: readonly string[];
  /** /files (the event's `via`: 'disk', or 'cdn') or /boot ('boot'). */
  route: 'files' | 'boot';
  /** When set, files come from here instead of `roots`. */
  cdn?: CdnTarget;
  streams: StreamTracker;
}

export async function filesRoute(ctx: HandlerContext, o: FilesRouteOptions, req: IncomingMessage, res: ServerResponse, rawRest: string, rawQuery: string): Promise<void> {
  const p = filePath(rawRest);
  if (!p.ok) {
    ctx.metrics.refused.inc({ reason: p.reason });
    ctx.emit(req, { type: 'http.refused', path: rawRest.slice(0, 256), reason: p.reason });
    ctx.text(res, 404, 'not found\n');
    return;
  }
  const path = p.segments.join('/');
  const via = o.cdn ? 'cdn' : o.route === 'boot' ? 'boot' : 'disk';
  const out: FileOutcome = { bytes: 0 };
  ctx.countBody(res, () => out.bytes);
  // Read at close, when the outcome is complete: the close can come before serveFile resolves.
  res.once('close', () => {
    if (out.refused) {
      ctx.metrics.refused.inc({ reason: out.refused.reason });
      ctx.emit(req, { type: 'http.refused', path, reason: out.refused.detail });
      return;
    }
    ctx.emit(req, { type: 'http.file', path, via, status: res.statusCode, bytes: out.bytes, ...(out.range ? { range: out.range } : {}), complete: res.writableFinished });
  });
  if (o.cdn) {
    proxyFile(req, res, p.segments, rawQuery, out, {
      cdn: o.cdn,
      streams: o.streams,
      onError: (reason) => {
        ctx.fail('proxy');
        ctx.log.warn({ path, err: reason }, 'http: CDN request failed');
        ctx.emit(req, { type: 'http.proxy-error', path, reason });
      },
    });
    return;
  }
  const onStreamError = (err: Error): void => {
    ctx.fail('stream');
    ctx.log.warn({ path, err }, 'http: file stream failed');
    ctx.emit(req, { type: 'http.handler-error', route: o.route, reason: `reading ${path}: ${err.message}` });
  };
  await serveFile(req, res, p.segments, { roots: o.roots, streams: o.streams, onStreamError }, out);
}
