// The agent's HTTP asset server (DESIGN.md "HTTP asset server", default port
// 24602): iPXE scripts, unattended configs, checkpoints, /files from disk or
// a CDN, /health and /metrics. Routing, statuses, events and metrics live
// here; what to render for a host comes from AssetRoutes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { normalizeMac } from '../../model/mac.ts';
import type { Registry } from '../../metrics/registry.ts';
import { plainAddress } from './address.ts';
import type { HttpEvent, RouteName } from './events.ts';
import { httpMetrics, type HttpErrorKind } from './http-metrics.ts';
import { proxyFile, type CdnTarget } from './proxy.ts';
import { decodeSegment, filePath, splitTarget } from './request-path.ts';
import type { AssetRoutes, HostRequest, RouteOutcome } from './routes.ts';
import { serveFile, type FileOutcome } from './static-files.ts';
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

const OUTCOME_STATUS = { 'unknown-mac': 404, 'not-found': 404, 'render-error': 500, unavailable: 503 } as const;

type EventBody = HttpEvent extends infer E ? (E extends HttpEvent ? Omit<E, 'at' | 'remote'> : never) : never;

export function createAssetServer(opts: AssetServerOptions): AssetServer {
  const log = opts.logger ?? pino({ enabled: false });
  const now = opts.now ?? Date.now;
  const m = httpMetrics(opts.registry);
  const streams = new StreamTracker((d) => m.openStreams.inc(undefined, d));
  const inflight = new Set<Promise<void>>();
  /** Body bytes of each response, read when it closes (files and the CDN count while they stream). */
  const bodyBytes = new WeakMap<ServerResponse, () => number>();
  let server: Server | undefined;

  const emit = (req: IncomingMessage | Socket, e: EventBody): void => {
    const socket = 'socket' in req ? req.socket : req;
    const event = { ...e, at: now(), remote: plainAddress(socket.remoteAddress) } as HttpEvent;
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

  function methodNotAllowed(res: ServerResponse, allow: string): void {
    text(res, 405, 'method not allowed\n', { allow });
  }

  function hostRequest(req: IncomingMessage, mac: string, query: URLSearchParams): HostRequest {
    const params: HostRequest['params'] = {};
    for (const k of ['uuid', 'domain', 'hostname'] as const) {
      const v = query.get(k);
      if (v) params[k] = v;
    }
    const boot = query.get('boot');
    const local = req.socket.localAddress;
    return { mac, ...(boot ? { boot } : {}), ...(local ? { localAddress: local } : {}), remoteAddress: plainAddress(req.socket.remoteAddress), params };
  }

  /** Answers a failed outcome; returns true when it did. */
  function answerFailure(req: IncomingMessage, res: ServerResponse, route: RouteName, mac: string, o: RouteOutcome): o is Extract<RouteOutcome, { ok: true }> {
    if (o.ok) return true;
    const status = OUTCOME_STATUS[o.kind];
    if (o.kind === 'unknown-mac') emit(req, { type: 'http.unknown-mac', route, mac });
    else if (o.kind === 'not-found') emit(req, { type: 'http.not-found', route, mac, reason: o.message });
    else if (o.kind === 'unavailable') emit(req, { type: 'http.unavailable', route, reason: o.message });
    else {
      fail('render');
      log.warn({ mac, route, err: o.message }, 'http: render failed');
      emit(req, { type: 'http.render-error', route, mac, ...(o.boot ? { boot: o.boot } : {}), reason: o.message });
    }
    text(res, status, `${o.kind === 'unknown-mac' ? 'unknown MAC address' : o.message}\n`);
    return false;
  }

  /** `/ipxe`, `/ipxe?mac=...`. */
  async function ipxe(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const rawMac = query.get('mac');
    if (!rawMac) {
      emit(req, { type: 'http.ipxe-discovery' });
      text(res, 200, opts.routes.discovery());
      return;
    }
    const mac = normalizeMac(rawMac);
    if (!mac) return badRequest(req, res, 'ipxe', `'${rawMac}' is not a MAC address`);
    const hr = hostRequest(req, mac, query);
    const o = await opts.routes.ipxe(hr);
    if (!answerFailure(req, res, 'ipxe', mac, o)) return;
    emit(req, { type: 'http.ipxe', mac, boot: o.boot, uefi: o.uefi ?? false, ...hr.params });
    text(res, 200, o.body, { 'content-type': o.contentType, 'cache-control': 'no-store' });
  }

  async function config(req: IncomingMessage, res: ServerResponse, rawMac: string, query: URLSearchParams): Promise<void> {
    const mac = normalizeMac(decodeSegment(rawMac) ?? '');
    if (!mac) return badRequest(req, res, 'config', `'${rawMac}' is not a MAC address`);
    const o = await opts.routes.config(hostRequest(req, mac, query));
    if (!answerFailure(req, res, 'config', mac, o)) return;
    emit(req, { type: 'http.config', mac, boot: o.boot, assetType: o.assetType ?? '' });
    text(res, 200, o.body, { 'content-type': o.contentType, 'cache-control': 'no-store' });
  }

  async function checkpoint(req: IncomingMessage, res: ServerResponse, rawMac: string, query: URLSearchParams): Promise<void> {
    const mac = normalizeMac(decodeSegment(rawMac) ?? '');
    if (!mac) return badRequest(req, res, 'checkpoint', `'${rawMac}' is not a MAC address`);
    const hr = hostRequest(req, mac, query);
    const o = await opts.routes.checkpoint(hr);
    if (!answerFailure(req, res, 'checkpoint', mac, o)) return;
    // HEAD is safe by definition: it answers like GET but records nothing.
    if (req.method !== 'HEAD') emit(req, { type: 'boot.checkpoint', mac, ...(hr.boot ? { boot: hr.boot } : {}) });
    text(res, 200, o.body, { 'content-type': o.contentType, 'cache-control': 'no-store' });
  }

  function badRequest(req: IncomingMessage, res: ServerResponse, route: RouteName, reason: string): void {
    emit(req, { type: 'http.bad-request', route, reason });
    text(res, 400, `${reason}\n`);
  }

  async function files(req: IncomingMessage, res: ServerResponse, rawRest: string, rawQuery: string): Promise<void> {
    const p = filePath(rawRest);
    const shown = rawRest.slice(0, 256);
    if (!p.ok) {
      m.refused.inc({ reason: p.reason });
      emit(req, { type: 'http.refused', path: shown, reason: p.reason });
      text(res, 404, 'not found\n');
      return;
    }
    const path = p.segments.join('/');
    const via = opts.cdn ? 'cdn' : 'disk';
    const o: FileOutcome = { bytes: 0 };
    bodyBytes.set(res, () => o.bytes);
    res.once('close', () => {
      if (o.refused) {
        const reason = o.refused.startsWith('resolves outside') ? 'symlink-escape' : 'unreadable';
        m.refused.inc({ reason });
        emit(req, { type: 'http.refused', path, reason: o.refused });
        return;
      }
      emit(req, { type: 'http.file', path, via, status: res.statusCode, bytes: o.bytes, ...(o.range ? { range: o.range } : {}), complete: res.writableFinished });
    });
    if (opts.cdn) {
      proxyFile(req, res, p.segments, rawQuery, o, {
        cdn: opts.cdn,
        streams,
        onError: (reason) => {
          fail('proxy');
          log.warn({ path, err: reason }, 'http: CDN request failed');
          emit(req, { type: 'http.proxy-error', path, reason });
        },
      });
      return;
    }
    await serveFile(req, res, p.segments, {
      root: opts.filesDir,
      streams,
      onStreamError: (err) => {
        fail('stream');
        log.warn({ path, err }, 'http: file stream failed');
        emit(req, { type: 'http.handler-error', route: 'files', reason: `reading ${path}: ${err.message}` });
      },
    }, o);
  }

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
    if (path === '/health') return 'health';
    if (path === '/metrics') return 'metrics';
    return 'other';
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse, route: RouteName, path: string, query: URLSearchParams, rawQuery: string): Promise<void> {
    const method = req.method ?? '';
    if (route === 'other') return text(res, 404, 'not found\n');
    const allow = route === 'checkpoint' ? 'GET, HEAD, POST' : 'GET, HEAD';
    if (!allow.split(', ').includes(method)) return methodNotAllowed(res, allow);
    const rest = (prefix: string) => path.slice(prefix.length);
    switch (route) {
      case 'ipxe':
        return ipxe(req, res, query);
      case 'config':
        // One segment only: /config/<mac>/anything is not a config.
        return rest('/config/').includes('/') ? text(res, 404, 'not found\n') : config(req, res, rest('/config/'), query);
      case 'checkpoint':
        return rest('/checkpoint/').includes('/') ? text(res, 404, 'not found\n') : checkpoint(req, res, rest('/checkpoint/'), query);
      case 'files':
        return files(req, res, rest('/files/'), rawQuery);
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
      m.duration.observe({ route }, (performance.now() - t0) / 1000);
    });
    const p = dispatch(req, res, route, path, query, rawQuery)
      .catch((err: unknown) => {
        fail('handler');
        const reason = err instanceof Error ? err.message : String(err);
        log.error({ err, route, url: raw.slice(0, 256) }, 'http: handler threw');
        emit(req, { type: 'http.handler-error', route, reason });
        if (!res.headersSent && !res.destroyed) text(res, 500, 'internal error\n', { connection: 'close' });
        else res.destroy();
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
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
