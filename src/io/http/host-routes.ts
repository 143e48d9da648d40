// The routes a booting host calls with its MAC: /ipxe?mac=, /config/<mac>,
// /checkpoint/<mac>. HTTP in, a HostRequest to AssetRoutes, its outcome out
// as a status, a body and an event.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeMac } from '../../model/mac.ts';
import { plainAddress } from './address.ts';
import type { HandlerContext } from './context.ts';
import type { RouteName } from './events.ts';
import { decodeSegment } from './request-path.ts';
import type { AssetRoutes, HostRequest, RouteOutcome } from './routes.ts';

type Success = Extract<RouteOutcome, { ok: true }>;

const OUTCOME_STATUS = { 'unknown-mac': 404, 'not-found': 404, 'render-error': 500, unavailable: 503 } as const;

// Scripts and configs are rendered per request from the current model: a cached copy could boot a host into a stale stage.
const NO_STORE = { 'cache-control': 'no-store' };

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

/**
 * `f(v)` now when the route answered synchronously (the agent's routes do),
 * else once it resolves: an await per request cost a microtask turn and a
 * promise chain on the hottest route (bench:agent, /ipxe).
 */
function then(v: RouteOutcome | Promise<RouteOutcome>, f: (o: RouteOutcome) => void): void | Promise<void> {
  return v instanceof Promise ? v.then(f) : f(v);
}

export class HostRoutes {
  constructor(
    private readonly ctx: HandlerContext,
    private readonly routes: AssetRoutes,
  ) {}

  /** `/ipxe` (the discovery chain) and `/ipxe?mac=...` (the host's script). */
  ipxe(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void | Promise<void> {
    const rawMac = query.get('mac');
    if (!rawMac) {
      this.ctx.emit(req, { type: 'http.ipxe-discovery' });
      this.ctx.text(res, 200, this.routes.discovery());
      return;
    }
    const mac = normalizeMac(rawMac);
    if (!mac) return this.badRequest(req, res, 'ipxe', rawMac);
    const hr = hostRequest(req, mac, query);
    return then(this.routes.ipxe(hr), (o) => {
      if (!this.succeeded(req, res, 'ipxe', mac, o)) return;
      this.ctx.emit(req, { type: 'http.ipxe', mac, boot: o.boot, uefi: o.uefi ?? false, ...hr.params });
      this.ctx.text(res, 200, o.body, { 'content-type': o.contentType, ...NO_STORE });
    });
  }

  config(req: IncomingMessage, res: ServerResponse, rawMac: string, query: URLSearchParams): void | Promise<void> {
    const mac = normalizeMac(decodeSegment(rawMac) ?? '');
    if (!mac) return this.badRequest(req, res, 'config', rawMac);
    return then(this.routes.config(hostRequest(req, mac, query)), (o) => {
      if (!this.succeeded(req, res, 'config', mac, o)) return;
      this.ctx.emit(req, { type: 'http.config', mac, boot: o.boot, assetType: o.assetType ?? '' });
      this.ctx.text(res, 200, o.body, { 'content-type': o.contentType, ...NO_STORE });
    });
  }

  checkpoint(req: IncomingMessage, res: ServerResponse, rawMac: string, query: URLSearchParams): void | Promise<void> {
    const mac = normalizeMac(decodeSegment(rawMac) ?? '');
    if (!mac) return this.badRequest(req, res, 'checkpoint', rawMac);
    const hr = hostRequest(req, mac, query);
    return then(this.routes.checkpoint(hr), (o) => {
      if (!this.succeeded(req, res, 'checkpoint', mac, o)) return;
      // HEAD is safe by definition: it answers like GET but records nothing.
      if (req.method !== 'HEAD') this.ctx.emit(req, { type: 'boot.checkpoint', mac, ...(hr.boot ? { boot: hr.boot } : {}) });
      this.ctx.text(res, 200, o.body, { 'content-type': o.contentType, ...NO_STORE });
    });
  }

  private badRequest(req: IncomingMessage, res: ServerResponse, route: RouteName, rawMac: string): void {
    const reason = `'${rawMac.slice(0, 64)}' is not a MAC address`;
    this.ctx.emit(req, { type: 'http.bad-request', route, reason });
    this.ctx.text(res, 400, `${reason}\n`);
  }

  /** True for a success; a failure is answered (status, body, event) here. */
  private succeeded(req: IncomingMessage, res: ServerResponse, route: RouteName, mac: string, o: RouteOutcome): o is Success {
    if (o.ok) return true;
    const { ctx } = this;
    if (o.kind === 'unknown-mac') ctx.emit(req, { type: 'http.unknown-mac', route, mac });
    else if (o.kind === 'not-found') ctx.emit(req, { type: 'http.not-found', route, mac, reason: o.message });
    else if (o.kind === 'unavailable') ctx.emit(req, { type: 'http.unavailable', route, reason: o.message });
    else {
      ctx.fail('render');
      ctx.log.warn({ mac, route, err: o.message }, 'http: render failed');
      ctx.emit(req, { type: 'http.render-error', route, mac, ...(o.boot ? { boot: o.boot } : {}), reason: o.message });
    }
    // Unknown machines learn nothing about the model; known ones get the reason, for whoever watches the console.
    ctx.text(res, OUTCOME_STATUS[o.kind], `${o.kind === 'unknown-mac' ? 'unknown MAC address' : o.message}\n`);
    return false;
  }
}
