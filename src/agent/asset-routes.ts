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

/**
 * `model` is read on every request: the agent swaps in a new model when the
 * SoT changes, and returns undefined until it has one.
 */
export function createAssetRoutes(model: () => AgentModel | undefined, opts: AssetRoutesOptions = {}): AssetRoutes {
  function lookup(req: HostRequest): { site: Site; host: Host; iface: Interface } | Failure {
    const m = model();
    if (!m) return { ok: false, kind: 'unavailable', message: 'no model loaded yet' };
    const hit = m.site.byMac.get(req.mac);
    if (!hit) return { ok: false, kind: 'unknown-mac', message: `no host with MAC ${req.mac} in site '${m.site.id}'` };
    return { site: m.site, ...hit };
  }

  /** Not-found from the model (a BMC MAC, a boot that is not a stage) is a 404; anything else thrown while rendering is a 500. */
  function failure(err: unknown, boot?: string): Failure {
    const message = err instanceof Error ? err.message : String(err);
    if (isVaqueroError(err) && err.code === 'VQ_ERR_NOT_FOUND') return { ok: false, kind: 'not-found', message };
    return { ok: false, kind: 'render-error', message, ...(boot ? { boot } : {}) };
  }

  function render<T>(req: HostRequest, fn: (t: RenderTarget) => T): { t: RenderTarget; value: T } | Failure {
    const found = lookup(req);
    if ('ok' in found) return found;
    let t: RenderTarget;
    try {
      const agentAddr = agentAddrFor(req.localAddress);
      t = resolveTarget(found.site, found.host, found.iface, { ...(req.boot !== undefined ? { bootId: req.boot } : {}), ...(agentAddr ? { agentAddr } : {}) });
    } catch (err) {
      return failure(err, req.boot);
    }
    try {
      return { t, value: fn(t) };
    } catch (err) {
      return failure(err, t.boot.id);
    }
  }

  return {
    discovery: () => DISCOVERY_SCRIPT,

    ipxe(req) {
      const uefi = opts.uefi?.(req.mac) ?? false;
      const r = render(req, (t) => ipxeScript(t, templateInput(t), { uefi }));
      if ('ok' in r) return r;
      return { ok: true, contentType: 'text/plain; charset=utf-8', body: r.value, boot: r.t.boot.id, uefi };
    },

    config(req) {
      const r = render(req, (t) => unattendedConfig(t, templateInput(t)));
      if ('ok' in r) return r;
      return { ok: true, contentType: configContentType(r.value.type, r.value.text), body: r.value.text, boot: r.t.boot.id, assetType: r.value.type };
    },

    checkpoint(req) {
      // Recorded for any known host: a checkpoint from a stage the model has since dropped is still news.
      const found = lookup(req);
      if ('ok' in found) return found;
      return { ok: true, contentType: 'text/plain; charset=utf-8', body: 'ok\n', boot: req.boot ?? '' };
    },
  };
}
