// The agent's HTTP asset server (DESIGN.md "HTTP asset server", default port
// 24602): iPXE scripts, unattended configs, checkpoints, /files from disk or
// a CDN, /boot (boot ROMs for UEFI HTTP boot), /health and /metrics. This
// file owns routing, the connection lifecycle and reporting; host routes and
// /files and /boot have their own files, and what to render for a host comes
// from AssetRoutes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import type { Registry } from '../../metrics/registry.ts';
import { plainAddress } from './address.ts';
import type { EventBody, HandlerContext } from './context.ts';
import type { HttpEvent, RouteName } from './events.ts';
import { filesRoute } from './files-route.ts';
import { HostRoutes } from './host-routes.ts';
import { httpMetrics, type HttpErrorKind } from './http-metrics.ts';
import type { CdnTarget } from './proxy.ts';
import { splitTarget } from './request-path.ts';
import type { AssetRoutes } from './routes.ts';
import { StreamTracker } from './stream-tracker.ts';

export type { AssetRoutes, HostRequest, RouteOutcome } from './routes.ts';
export type { HttpEvent } from './events.ts';
export type { CdnTarget } from './proxy.ts';

export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface AssetServerOptions {
  /** Listen address. Default '0.0.0.0'. */
  host?: string;
  /** Listen port. Default 24602 (DESIGN.md); 0 picks a free port. */
  port?: number;
  /** Folder /files/* is served from (the env's asset_server.base_dir). */
  filesDir: string;
  /** When set, /files/* is proxied to this CDN instead of read from filesDir. */
  cdn?: CdnTarget;
  /**
   * Folders /boot/* is served from, in order, asked for each request: where the boot ROMs
   * are (the agent gives the folders TFTP serves), for UEFI HTTP boot clients. Default
   * none: /boot answers 404.
   */
  bootDirs?: () => readonly string[];
  routes: AssetRoutes;
  registry: Registry;
  /** Default: a disabled pino logger. */
  logger?: Logger;
  /** Called synchronously; an exception thrown here is logged and ignored. */
  onEvent?: (e: HttpEvent) => void;
  /** /health answers 503 while this says not ready. Default: always ready. */
  readiness?: () => Readiness;
  /** A connection with no traffic either way for this long is destroyed (stalled downloads release their file). Default 60000 ms. */
  idleTimeoutMs?: number;
  /** Clock for event timestamps, ms since the epoch. Default Date.now. */
  now?: () => number;
}

export interface AssetServer {
  listen(): Promise<{ address: string; port: number }>;
  /** Stops listening, cuts every connection and resolves once every file and CDN stream is closed. */
  close(): Promise<void>;
  /** File and CDN streams open right now. */
  openStreams(): number;
}

const TEXT = 'text/plain; charset=utf-8';

export function createAssetServer(opts: AssetServerOptions): AssetServer {
  const log = opts.logger ?? pino({ enabled: false });
  const now = opts.now ?? Date.now;
  const m = httpMetrics(opts.registry);
  const streams = new StreamTracker((d) => m.openStreams.inc(undefined, d));
  const inflight = new Set<Promise<void>>();
  /** Body bytes of each response, read when it closes (files and the CDN count while they stream). */
  const bodyBytes = new WeakMap<ServerResponse, () => number>();
  let server: Server | undefined;

  const emit = (from: IncomingMessage | Socket, e: EventBody): void => {
    const socket = 'socket' in from ? from.socket : from;
    // Completed in place rather than spread into a copy: every handler passes a fresh literal, and a
    // spread over every event shape is a megamorphic copy per request (bench:agent profiles).
    const event = e as HttpEvent;
    event.at = now();
    event.remote = plainAddress(socket.remoteAddress);
    m.events.inc({ type: event.type });
    try {
      opts.onEvent?.(event);
    } catch (err) {
      log.error({ err, event: event.type }, 'http: onEvent threw');
    }
  };

  const fail = (kind: HttpErrorKind): void => m.errors.inc({ kind });

  function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    const n = Buffer.byteLength(body);
    if (res.req.method !== 'HEAD') bodyBytes.set(res, () => n);
    res.writeHead(status, { 'content-type': TEXT, 'content-length': n, ...headers });
    res.end(body);
  }

  const ctx: HandlerContext = { log, metrics: m, emit, fail, text, countBody: (res, bytes) => bodyBytes.set(res, bytes) };
  const host = new HostRoutes(ctx, opts.routes);
  const files = { roots: [opts.filesDir], route: 'files' as const, streams, ...(opts.cdn ? { cdn: opts.cdn } : {}) };
  const noFolders: readonly string[] = [];

  function health(res: ServerResponse): void {
    const r = opts.readiness?.() ?? { ready: true };
    const body = JSON.stringify(r.ready ? { status: 'ok', openStreams: streams.open } : { status: 'unavailable', reason: r.reason ?? 'not ready' });
    bodyBytes.set(res, () => Buffer.byteLength(body));
    res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  }

  function routeOf(path: string): RouteName {
    if (path === '/ipxe') return 'ipxe';
    if (path.startsWith('/config/')) return 'config';
    if (path.startsWith('/checkpoint/')) return 'checkpoint';
    if (path.startsWith('/files/')) return 'files';
    if (path.startsWith('/boot/')) return 'boot';
    if (path === '/health') return 'health';
    if (path === '/metrics') return 'metrics';
    return 'other';
  }

  /** Answers synchronously where it can; a promise when the route has to wait (files, the CDN, async routes). */
  function dispatch(req: IncomingMessage, res: ServerResponse, route: RouteName, path: string, query: URLSearchParams, rawQuery: string): void | Promise<void> {
    const method = req.method ?? '';
    if (route === 'other') return text(res, 404, 'not found\n');
    const allow = route === 'checkpoint' ? 'GET, HEAD, POST' : 'GET, HEAD';
    if (!allow.split(', ').includes(method)) return text(res, 405, 'method not allowed\n', { allow });
    switch (route) {
      case 'ipxe':
        return host.ipxe(req, res, query);
      case 'config': {
        // One segment only: /config/<mac>/anything is not a config.
        const mac = path.slice('/config/'.length);
        return mac.includes('/') ? text(res, 404, 'not found\n') : host.config(req, res, mac, query);
      }
      case 'checkpoint': {
        const mac = path.slice('/checkpoint/'.length);
        return mac.includes('/') ? text(res, 404, 'not found\n') : host.checkpoint(req, res, mac, query);
      }
      case 'files':
        return filesRoute(ctx, files, req, res, path.slice('/files/'.length), rawQuery);
      case 'boot':
        return filesRoute(ctx, { roots: opts.bootDirs?.() ?? noFolders, route: 'boot', streams }, req, res, path.slice('/boot/'.length), rawQuery);
      case 'health':
        return health(res);
      case 'metrics':
        return text(res, 200, opts.registry.metrics(), { 'content-type': opts.registry.contentType, 'cache-control': 'no-store' });
    }
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now();
    const raw = req.url ?? '/';
    const { path, query, rawQuery } = splitTarget(raw);
    const route = routeOf(path);
    // Request bodies (a POSTed checkpoint) are not read; draining keeps the connection reusable.
    req.resume();
    res.once('close', () => {
      m.requests.inc({ route, status: res.statusCode });
      const bytes = bodyBytes.get(res)?.() ?? 0;
      if (bytes > 0) m.bytes.inc({ route }, bytes);
      if (!res.writableFinished) m.aborted.inc({ route });
      const seconds = (performance.now() - t0) / 1000;
      m.duration.observe({ route }, seconds);
      // An access log at debug only: a rack booting at once makes thousands of requests a minute.
      if (log.isLevelEnabled('debug')) {
        log.debug({ method: req.method, url: raw.slice(0, 256), status: res.statusCode, bytes, ms: Math.round(seconds * 1000), remote: plainAddress(req.socket.remoteAddress), complete: res.writableFinished }, 'http: request');
      }
    });
    let pending: void | Promise<void>;
    try {
      pending = dispatch(req, res, route, path, query, rawQuery);
    } catch (err) {
      handlerFailed(req, res, route, err);
      return;
    }
    if (!pending) return;
    const p = pending.catch((err: unknown) => handlerFailed(req, res, route, err)).finally(() => inflight.delete(p));
    inflight.add(p);
  }

  function handlerFailed(req: IncomingMessage, res: ServerResponse, route: RouteName, err: unknown): void {
    fail('handler');
    const reason = err instanceof Error ? err.message : String(err);
    log.error({ err, route, url: (req.url ?? '').slice(0, 256) }, 'http: handler threw');
    emit(req, { type: 'http.handler-error', route, reason });
    if (!res.headersSent && !res.destroyed) text(res, 500, 'internal error\n', { connection: 'close' });
    else res.destroy();
  }

  function onClientError(err: Error & { code?: string }, socket: Socket): void {
    fail('client');
    emit(socket, { type: 'http.client-error', reason: err.code ?? err.message });
    log.debug({ err: err.message, code: err.code }, 'http: malformed request');
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  return {
    listen() {
      if (server) return Promise.reject(new Error('asset server: already listening'));
      const s = createServer(onRequest);
      server = s;
      s.on('clientError', onClientError);
      s.setTimeout(opts.idleTimeoutMs ?? 60_000);
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => {
          server = undefined;
          reject(err);
        };
        s.once('error', onError);
        s.listen(opts.port ?? 24602, opts.host ?? '0.0.0.0', () => {
          s.off('error', onError);
          s.on('error', (err) => log.error({ err }, 'http: server error'));
          const a = s.address();
          if (a === null || typeof a === 'string') return resolve({ address: String(a), port: 0 });
          log.info({ address: a.address, port: a.port }, 'http: asset server listening');
          resolve({ address: a.address, port: a.port });
        });
      });
    },

    async close() {
      const s = server;
      if (!s) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      // Boot downloads can take minutes; shutting down means cutting them (a host retries).
      s.closeAllConnections();
      await closed;
      await Promise.allSettled([...inflight]);
      await streams.drained();
    },

    openStreams: () => streams.open,
  };
}
