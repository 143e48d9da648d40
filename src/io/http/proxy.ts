// /files/* as a reverse proxy to the site's CDN: the request's method, Range
// and conditional headers go upstream, the status, headers and body come back
// streamed both ways; an upstream that cannot be reached answers 502.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream';
import type { StreamTracker } from './stream-tracker.ts';

export interface CdnTarget {
  /** `http` or `https`. */
  scheme: string;
  addr: string;
  port: number;
  /** Path on the CDN that mirrors the files folder. Default '/': `/files/a/b` is fetched as `/a/b`. */
  basePath?: string;
  /** Milliseconds to wait for the CDN's response headers. Default 30000. */
  timeoutMs?: number;
}

export interface ProxyContext {
  cdn: CdnTarget;
  streams: StreamTracker;
  /** The CDN failed: before the headers (a 502 was sent) or while streaming (the response is cut). */
  onError(reason: string): void;
}

// Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection and are never forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

function forwardable(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(h.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k) && !named.has(k)) out[k] = v;
  return out;
}

function upstreamPath(base: string, segments: readonly string[], rawQuery: string): string {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  // Re-encoded per segment: the CDN sees exactly the (already confined) path we checked.
  return `${prefix}${segments.map(encodeURIComponent).join('/')}${rawQuery}`;
}

/** `outcome.bytes` counts the body as it streams. */
export function proxyFile(req: IncomingMessage, res: ServerResponse, segments: readonly string[], rawQuery: string, outcome: { bytes: number }, ctx: ProxyContext): void {
  const { cdn } = ctx;
  const host = cdn.addr.includes(':') ? `[${cdn.addr}]` : cdn.addr;
  const headers = forwardable(req.headers);
  headers.host = `${host}:${cdn.port}`;
  const remote = req.socket.remoteAddress;
  if (remote) headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${String(req.headers['x-forwarded-for'])}, ${remote}` : remote;
  const send = cdn.scheme === 'https' ? httpsRequest : httpRequest;
  let failed = false;
  let clientLeft = false;
  const fail = (reason: string): void => {
    // Destroying the upstream request because the client left is not the CDN's failure.
    if (failed || clientLeft) return;
    failed = true;
    ctx.onError(reason);
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end('bad gateway: the CDN did not answer\n');
    } else {
      res.destroy();
    }
  };
  const up = send({
    host: cdn.addr,
    port: cdn.port,
    method: req.method,
    path: upstreamPath(cdn.basePath ?? '/', segments, rawQuery),
    headers,
    // One connection per request: a stale pooled socket to a restarted CDN would fail the first request.
    agent: false,
  });
  ctx.streams.track(up);
  up.setTimeout(cdn.timeoutMs ?? 30_000, () => up.destroy(new Error(`no response within ${cdn.timeoutMs ?? 30_000} ms`)));
  up.on('error', (err) => fail(`${cdn.scheme}://${host}:${cdn.port}: ${err.message}`));
  // The client left before the CDN answered: drop the upstream request too.
  res.on('close', () => {
    if (res.writableFinished) return;
    clientLeft = true;
    up.destroy();
  });
  up.on('response', (upRes: IncomingMessage) => {
    up.setTimeout(0);
    ctx.streams.track(upRes);
    if (res.destroyed) {
      upRes.destroy();
      return;
    }
    res.writeHead(upRes.statusCode ?? 502, forwardable(upRes.headers));
    upRes.on('data', (chunk: Buffer | string) => {
      outcome.bytes += chunk.length;
    });
    pipeline(upRes, res, (err) => {
      // A premature close is the client leaving; anything else is the CDN's side breaking.
      if (err && (err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') fail(`stream from the CDN broke: ${err.message}`);
    });
  });
  up.end();
}
