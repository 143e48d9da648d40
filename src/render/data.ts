// Builds the template "dot" exactly as DESIGN.md describes it: .env (with
// agentURL), .boot (the OS object in place of its id, and configURL), .host
// (interfaces' subnet ids replaced by subnet objects), .interface (the one in
// use), .config for advanced SoTs, and `md` beside every `metadata`. Objects
// are fresh copies: templates never see (or change) the loaded model.
import type { Boot, Host, Interface, Json, JsonMap, OperatingSystem, Site, Subnet } from '../model/types.ts';
import { checkpointURL, configURL } from './urls.ts';

export interface RenderTarget {
  site: Site;
  host: Host;
  /** The interface the host is booting from (its primary one by default). */
  iface: Interface;
  boot: Boot;
  os: OperatingSystem;
  /** scheme://addr:port of the agent's asset server as this host reaches it. */
  agentURL: string;
}

export interface TemplateInput {
  dot: JsonMap;
  funcs: { Checkpoint: string };
}

function withMd(raw: JsonMap): JsonMap {
  const metadata = raw.metadata ?? {};
  return { ...raw, metadata, md: metadata };
}

export function subnetDot(s: Subnet): JsonMap {
  return withMd(s.raw);
}

function interfaceDot(raw: JsonMap, site: Site): JsonMap {
  const id = raw.subnet;
  const subnet = typeof id === 'string' ? site.env.subnets.get(id) : undefined;
  return subnet ? { ...raw, subnet: subnetDot(subnet) } : { ...raw };
}

export function templateInput(t: RenderTarget): TemplateInput {
  const { site, host, iface, boot, os } = t;
  const osDot: JsonMap = { ...os.raw };
  const hostDot = withMd(host.raw);
  const ifaces = host.raw.interfaces;
  if (Array.isArray(ifaces)) hostDot.interfaces = ifaces.map((i): Json => (typeof i === 'object' && i !== null && !Array.isArray(i) ? interfaceDot(i, site) : i));
  const dot: JsonMap = {
    env: { ...withMd(site.env.raw), agentURL: t.agentURL },
    boot: { ...withMd(boot.raw), operating_system: osDot, os: osDot, configURL: configURL(t.agentURL, iface.mac, boot.id) },
    host: hostDot,
    interface: interfaceDot(iface.raw, site),
  };
  if (host.config) dot.config = { ...host.config.raw };
  return { dot, funcs: { Checkpoint: checkpointURL(t.agentURL, iface.mac, boot.id) } };
}
