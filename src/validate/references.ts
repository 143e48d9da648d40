// Model checks that need no template: references resolve, subnets parse and
// addresses fall inside them, rollout dependencies are acyclic. IDs and MACs
// are checked for uniqueness while loading (src/model).
import { ASSET_TYPES, type Library, type Site, type Sot } from '../model/types.ts';
import { cidrContains, isIP, parseCidr4, parseIPv4 } from '../model/net.ts';
import type { Problems } from '../model/problems.ts';
import { encodeCustomOption } from '../io/dhcp/custom-options.ts';


export function checkReferences(sot: Sot, problems: Problems): void {
  const libraries = new Set<Library>([sot.library]);
  for (const site of sot.sites.values()) for (const h of site.hosts) libraries.add(h.library);
  for (const lib of libraries) checkLibrary(lib, problems);
  for (const site of sot.sites.values()) checkSite(site, problems);
}

function checkLibrary(lib: Library, problems: Problems): void {
  for (const boot of lib.boots.values()) {
    const { file, line } = boot.src;
    if (boot.operatingSystem && !lib.os.has(boot.operatingSystem)) problems.error(file, line, `boot '${boot.id}': operating_system '${boot.operatingSystem}' does not exist`);
    const u = boot.unattended;
    if (!u) continue;
    if (!(ASSET_TYPES as readonly string[]).includes(u.type)) problems.error(file, line, `boot '${boot.id}': unattended type '${u.type}' is not one of ${ASSET_TYPES.join(', ')}`);
    else if (!lib.assets.get(u.type as (typeof ASSET_TYPES)[number])?.files.has(u.use)) problems.error(file, line, `boot '${boot.id}': unattended asset assets/${u.type}/${u.use} does not exist`);
  }
  for (const wf of lib.workflows.values()) {
    const { file } = wf.src;
    for (const s of wf.stages) if (!lib.boots.has(s.boot)) problems.error(file, s.line, `workflow '${wf.id}': boot '${s.boot}' does not exist`);
    for (const [key, ids] of [['block_deps', wf.deps.block_deps], ['validate_on', wf.deps.validate_on]] as const) {
      for (const id of ids) {
        if (!lib.workflows.has(id)) problems.error(file, wf.src.line, `workflow '${wf.id}': ${key} names workflow '${id}', which does not exist`);
        else if (id === wf.id && key === 'block_deps') problems.error(file, wf.src.line, `workflow '${wf.id}': block_deps names itself`);
      }
    }
  }
  // A cycle of block_deps would block every workflow in it forever.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const wf = lib.workflows.get(id)!;
      const cycle = [...path.slice(path.indexOf(id)), id];
      if (cycle.length > 2) problems.error(wf.src.file, wf.src.line, `workflow '${id}': block_deps cycle ${cycle.join(' -> ')}`);
      return;
    }
    state.set(id, 'visiting');
    for (const dep of lib.workflows.get(id)?.deps.block_deps ?? []) if (lib.workflows.has(dep)) visit(dep, [...path, id]);
    state.set(id, 'done');
  };
  for (const id of lib.workflows.keys()) visit(id, []);
}

function checkSite(site: Site, problems: Problems): void {
  const file = site.env.src.file;
  for (const s of site.env.subnets.values()) {
    const cidr = parseCidr4(s.cidr);
    if (s.cidr && !cidr) problems.error(file, s.line, `subnet '${s.id}': cidr '${s.cidr}' is not an IPv4 CIDR`);
    if (s.gateway !== undefined) {
      const gw = parseIPv4(s.gateway);
      if (gw === undefined) problems.error(file, s.line, `subnet '${s.id}': gateway '${s.gateway}' is not an IPv4 address`);
      else if (cidr && !cidrContains(cidr, gw)) problems.warning(file, s.line, `subnet '${s.id}': gateway ${s.gateway} is outside ${s.cidr}`);
    }
    for (const key of ['dns', 'ntp'] as const) for (const a of s[key]) if (!isIP(a)) problems.error(file, s.line, `subnet '${s.id}': ${key} entry '${a}' is not an IP address (DHCP carries addresses)`);
    if (s.dns.length === 0) problems.warning(file, s.line, `subnet '${s.id}' has no dns servers`);
    if (s.ntp.length === 0) problems.warning(file, s.line, `subnet '${s.id}' has no ntp servers`);
    // The agent's own encoder: a value it could not put on the wire is refused here, not at boot time.
    for (const o of s.dhcpOptions) {
      const r = encodeCustomOption({ code: o.option, type: o.type, value: o.value });
      if (!r.ok) problems.error(file, s.line, `subnet '${s.id}': ${r.error.message}`);
    }
  }
  const proxy = site.env.agents.length > 0 && site.env.agents.every((a) => a.dhcpMode === 'proxy');
  const names = new Map<string, string>();
  const addresses = new Map<string, string>();
  for (const host of site.hosts) {
    const { file: hf, line } = host.src;
    const prevName = names.get(host.name);
    if (prevName) problems.warning(hf, line, `host name '${host.name}' is used twice in site '${site.id}' (also ${prevName})`);
    else names.set(host.name, `${hf}:${line}`);
    if (host.workflow && !host.library.workflows.has(host.workflow)) problems.error(hf, line, `host '${host.name}': workflow '${host.workflow}' does not exist`);
    for (const iface of host.interfaces) {
      const subnet = site.env.subnets.get(iface.subnet);
      if (iface.subnet && !subnet) {
        problems.error(hf, iface.line, `host '${host.name}': subnet '${iface.subnet}' does not exist in site '${site.id}'`);
      }
      if (iface.ipv4 === undefined) {
        if (iface.type === 'physical' && !proxy && !iface.ignoreDhcp) problems.error(hf, iface.line, `host '${host.name}': interface ${iface.mac || '?'} has no ipv4 (the agent's DHCP server hands out modelled addresses)`);
        continue;
      }
      const ip = parseIPv4(iface.ipv4);
      if (ip === undefined) {
        problems.error(hf, iface.line, `host '${host.name}': ipv4 '${iface.ipv4}' is not an IPv4 address`);
        continue;
      }
      const cidr = subnet ? parseCidr4(subnet.cidr) : undefined;
      if (cidr && !cidrContains(cidr, ip)) problems.warning(hf, iface.line, `host '${host.name}': ipv4 ${iface.ipv4} is outside subnet '${subnet!.id}' (${subnet!.cidr})`);
      const prev = addresses.get(iface.ipv4);
      if (prev) problems.warning(hf, iface.line, `host '${host.name}': ipv4 ${iface.ipv4} is also given to ${prev}`);
      else addresses.set(iface.ipv4, `host '${host.name}'`);
    }
  }
}
