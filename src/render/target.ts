// Finds what a host boots: host and interface by MAC, the workflow stage
// (first by default, or the boot asked for, which must be one of the host's
// workflow's stages), and that boot's OS.
import { VaqueroError } from '../errors.ts';
import { normalizeMac } from '../model/mac.ts';
import type { Host, Interface, Site, Sot } from '../model/types.ts';
import type { RenderTarget } from './data.ts';
import { agentURL } from './urls.ts';

export interface TargetOptions {
  bootId?: string;
  /** The agent address this host reaches (multi-homed agents); the env's asset_server.addr otherwise. */
  agentAddr?: string;
}

export function findSite(sot: Sot, siteId?: string): Site {
  if (siteId !== undefined) {
    const s = sot.sites.get(siteId);
    if (!s) throw new VaqueroError('VQ_ERR_NOT_FOUND', `no site '${siteId}' (sites: ${[...sot.sites.keys()].join(', ') || 'none'})`);
    return s;
  }
  if (sot.sites.size !== 1) throw new VaqueroError('VQ_ERR_USAGE', `the model has ${sot.sites.size} sites (${[...sot.sites.keys()].join(', ')}): name one with --site`);
  return [...sot.sites.values()][0]!;
}

export function findHost(site: Site, mac: string): { host: Host; iface: Interface } {
  const m = normalizeMac(mac);
  if (!m) throw new VaqueroError('VQ_ERR_USAGE', `'${mac}' is not a MAC address`);
  const hit = site.byMac.get(m);
  if (!hit) throw new VaqueroError('VQ_ERR_NOT_FOUND', `no host with MAC ${m} in site '${site.id}'`);
  return hit;
}

export function primaryInterface(host: Host): Interface | undefined {
  return host.interfaces.find((i) => i.type !== 'bmc');
}

export function resolveTarget(site: Site, host: Host, iface: Interface, opts: TargetOptions = {}): RenderTarget {
  if (iface.type === 'bmc') throw new VaqueroError('VQ_ERR_NOT_FOUND', `MAC ${iface.mac} is host '${host.name}''s BMC interface, which does not boot`);
  const lib = host.library;
  const wf = lib.workflows.get(host.workflow);
  if (!wf) throw new VaqueroError('VQ_ERR_NOT_FOUND', `host '${host.name}': no workflow '${host.workflow}'`);
  const stage = opts.bootId === undefined ? wf.stages[0] : wf.stages.find((s) => s.boot === opts.bootId);
  if (!stage) {
    throw new VaqueroError('VQ_ERR_NOT_FOUND', opts.bootId === undefined ? `workflow '${wf.id}' has no stages` : `boot '${opts.bootId}' is not a stage of host '${host.name}''s workflow '${wf.id}' (${wf.stages.map((s) => s.boot).join(', ')})`);
  }
  const boot = lib.boots.get(stage.boot);
  if (!boot) throw new VaqueroError('VQ_ERR_NOT_FOUND', `workflow '${wf.id}': no boot '${stage.boot}'`);
  const os = lib.os.get(boot.operatingSystem);
  if (!os) throw new VaqueroError('VQ_ERR_NOT_FOUND', `boot '${boot.id}': no os '${boot.operatingSystem}'`);
  return { site, host, iface, boot, os, agentURL: agentURL(site.env.agents[0], opts.agentAddr) };
}
