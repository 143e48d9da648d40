// The asset server's policy on top of the model: which host a MAC is, which
// workflow stage it boots (the first one until the boot actor tracks stages,
// or the `?boot=` asked for), and its rendered iPXE script or config.
import { isVaqueroError } from '../errors.ts';
import type { AssetRoutes, HostRequest, RouteOutcome } from '../io/http/routes.ts';
import type { Host, Interface, Site, Sot } from '../model/types.ts';
import { unattendedConfig } from '../render/config.ts';
import { templateInput, type RenderTarget } from '../render/data.ts';
import { DISCOVERY_SCRIPT, ipxeScript } from '../render/ipxe.ts';
import { resolveTarget } from '../render/target.ts';
import { agentAddrFor } from './agent-address.ts';
import { configContentType } from './config-content-type.ts';

export interface AgentModel {
  sot: Sot;
  site: Site;
}

export interface AssetRoutesOptions {
  /** Whether this MAC's firmware is UEFI (the DHCP service knows it from option 93). Default: never. */
  uefi?: (mac: string) => boolean;
}

type Failure = Extract<RouteOutcome, { ok: false }>;
type Success = Extract<RouteOutcome, { ok: true }>;

/**
 * Rendered scripts and configs kept per model object: a render is a pure
 * function of the model, the host's stage, the agent address and (for
 * scripts) the firmware kind, and it was most of the /ipxe route's own CPU
 * (bench:agent profile). A new model is a new object, so a change can never
 * serve a stale render. Only successes are kept; the keys are known MACs,
 * stages of their workflow and local addresses, so the model bounds them;
 * the cap is a backstop (cleared, not evicted one by one: it is only reached
 * by an agent with very many local addresses).
 */
const RENDER_CACHE_MAX_PER_HOST = 16;

/**
 * `model` is read on every request: the agent swaps in a new model when the
 * SoT changes, and returns undefined until it has one.
 */
export function createAssetRoutes(model: () => AgentModel | undefined, opts: AssetRoutesOptions = {}): AssetRoutes {
  const rendered = new WeakMap<AgentModel, Map<string, Success>>();

  function cacheOf(m: AgentModel): Map<string, Success> {
    let c = rendered.get(m);
    if (!c) rendered.set(m, (c = new Map()));
    else if (c.size >= RENDER_CACHE_MAX_PER_HOST * (m.site.byMac.size + 1)) c.clear();
    return c;
  }

  function lookup(req: HostRequest): { model: AgentModel; site: Site; host: Host; iface: Interface } | Failure {
    const m = model();
    if (!m) return { ok: false, kind: 'unavailable', message: 'no model loaded yet' };
    const hit = m.site.byMac.get(req.mac);
    if (!hit) return { ok: false, kind: 'unknown-mac', message: `no host with MAC ${req.mac} in site '${m.site.id}'` };
    return { model: m, site: m.site, ...hit };
  }

  /** Not-found from the model (a BMC MAC, a boot that is not a stage) is a 404; anything else thrown while rendering is a 500. */
  function failure(err: unknown, boot?: string): Failure {
    const message = err instanceof Error ? err.message : String(err);
    if (isVaqueroError(err) && err.code === 'VQ_ERR_NOT_FOUND') return { ok: false, kind: 'not-found', message };
    return { ok: false, kind: 'render-error', message, ...(boot ? { boot } : {}) };
  }

  /** The outcome `fn` renders for the request's target, from the cache when this model rendered it before. */
  function render(req: HostRequest, kind: string, fn: (t: RenderTarget) => Success): RouteOutcome {
    const found = lookup(req);
    if ('ok' in found) return found;
    let t: RenderTarget;
    try {
      const agentAddr = agentAddrFor(req.localAddress);
      t = resolveTarget(found.site, found.host, found.iface, { ...(req.boot !== undefined ? { bootId: req.boot } : {}), ...(agentAddr ? { agentAddr } : {}) });
    } catch (err) {
      return failure(err, req.boot);
    }
    // The resolved stage, not `?boot=`, so a default-stage request shares the entry of the stage it resolves to.
    const key = `${kind}\u0000${req.mac}\u0000${t.boot.id}\u0000${t.agentURL}`;
    const cache = cacheOf(found.model);
    const hit = cache.get(key);
    if (hit) return hit;
    try {
      const out = fn(t);
      cache.set(key, Object.freeze(out));
      return out;
    } catch (err) {
      return failure(err, t.boot.id);
    }
  }

  return {
    discovery: () => DISCOVERY_SCRIPT,

    ipxe(req) {
      const uefi = opts.uefi?.(req.mac) ?? false;
      return render(req, uefi ? 'ipxe-uefi' : 'ipxe', (t) => ({ ok: true, contentType: 'text/plain; charset=utf-8', body: ipxeScript(t, templateInput(t), { uefi }), boot: t.boot.id, uefi }));
    },

    config(req) {
      return render(req, 'config', (t) => {
        const c = unattendedConfig(t, templateInput(t));
        return { ok: true, contentType: configContentType(c.type, c.text), body: c.text, boot: t.boot.id, assetType: c.type };
      });
    },

    checkpoint(req) {
      // Recorded for any known host: a checkpoint from a stage the model has since dropped is still news.
      const found = lookup(req);
      if ('ok' in found) return found;
      return { ok: true, contentType: 'text/plain; charset=utf-8', body: 'ok\n', boot: req.boot ?? '' };
    },
  };
}
