// Loads sites/<site>/: env.yml (subnets, agents, metadata) and any number of
// cluster files of hosts, each optionally starting with a `config:` section
// that points the cluster at its own library (the advanced SoT).
import { isAbsolute, join, resolve } from 'node:path';
import { Fields, isMap } from './fields.ts';
import { isYamlName, listFiles } from './files.ts';
import type { Loader } from './library.ts';
import { normalizeMac } from './mac.ts';
import { netmaskOf, parseCidr4 } from './net.ts';
import type { YamlDoc } from './yaml.ts';
import type { Agent, DhcpOption, Env, Host, Interface, JsonMap, Library, Site, SotConfig, Subnet } from './types.ts';

const ENV_KEYS = ['id', 'name', 'agents', 'subnets', 'metadata', 'release_tag', 'policy', 'config'];
const SUBNET_KEYS = ['id', 'cidr', 'dns', 'ntp', 'gateway', 'domain', 'domain_name', 'vlan', 'dhcp_options', 'metadata'];
const AGENT_KEYS = ['id', 'name', 'asset_server', 'tftp_server', 'dhcp_mode', 'save_path', 'ssh_container', 'ipmi_container'];
const ASSET_SERVER_KEYS = ['addr', 'port', 'base_dir', 'scheme', 'cdn_addr', 'cdn_port', 'cdn_scheme'];
const HOST_KEYS = ['name', 'interfaces', 'metadata', 'workflow', 'never_provision'];
const IFACE_KEYS = ['type', 'mac', 'subnet', 'ipv4', 'ipv6', 'identifier', 'hostname', 'ignore_dhcp', 'bmc'];
const CONFIG_KEYS = ['type', 'url', 'ref', 'token'];

/** Defaults from Vaquero's data-model reference (env.agent, env.agent.asset_server). */
export const AGENT_DEFAULTS = {
  addr: '127.0.0.1',
  port: 24602,
  base_dir: '/var/vaquero/files',
  scheme: 'http',
  cdn_scheme: 'http',
  dhcp_mode: 'server',
  save_path: '/var/vaquero',
} as const;

export interface SiteContext {
  loader: Loader;
  library: Library;
  /** Libraries of advanced SoTs, by resolved folder, loaded once each. */
  libraryFor(config: SotConfig): Library | undefined;
}

/** `only`: site ids to load; any other site stops after its env.yml (an agent needs just its own). */
export function loadSite(ctx: SiteContext, dir: string, name: string, only?: ReadonlySet<string>): Site | undefined {
  const { loader } = ctx;
  const envPath = ['env.yml', 'env.yaml'].map((n) => join(dir, n)).find((p) => listFiles(dir).includes(p.slice(dir.length + 1)));
  if (!envPath) {
    loader.problems.error(loader.rel(dir), 0, `site '${name}' has no env.yml`);
    return undefined;
  }
  const envObjs = loader.objects(envPath, 'env');
  const first = envObjs[0];
  if (!first) {
    loader.problems.error(loader.rel(envPath), 0, 'env.yml has no env document');
    return undefined;
  }
  if (envObjs.length > 1) loader.problems.warning(loader.rel(envPath), envObjs[1]!.doc.line, 'env.yml: only the first document is read');
  const env = loadEnv(ctx, first.map, first.doc, loader.rel(envPath));
  if (!env) return undefined;
  if (only && !only.has(env.id)) return undefined;
  if (env.id !== name) loader.problems.warning(env.src.file, env.src.line, `env id '${env.id}' differs from its folder name '${name}'`);

  const site: Site = { id: env.id, dir: name, env, hosts: [], byMac: new Map() };
  for (const file of listFiles(dir)) {
    const path = join(dir, file);
    if (path === envPath) continue;
    if (!isYamlName(file)) {
      loader.problems.warning(loader.rel(path), 0, 'ignored: not a .yml or .yaml file');
      continue;
    }
    loadCluster(ctx, site, path);
  }
  if (site.hosts.length === 0) loader.problems.warning(env.src.file, env.src.line, `site '${env.id}' has no hosts`);
  return site;
}

function loadEnv(ctx: SiteContext, map: JsonMap, doc: YamlDoc, file: string): Env | undefined {
  const { problems } = ctx.loader;
  const f = new Fields(map, 'env', file, doc.line, problems, (k) => doc.lineOf([k]));
  f.known(ENV_KEYS);
  const id = f.str('id', true);
  if (id === undefined) return undefined;
  if (map.name === undefined || map.name === null) map.name = id;
  if (map.metadata === undefined || map.metadata === null) map.metadata = {};
  f.obj('metadata');
  f.str('release_tag', false);
  const subnets = new Map<string, Subnet>();
  f.list('subnets').forEach((s, i) => {
    const line = doc.lineOf(['subnets', i]);
    if (!isMap(s)) return problems.error(file, line, 'env: each subnet must be a mapping');
    const subnet = loadSubnet(s, file, line, (k) => doc.lineOf(['subnets', i, k]), ctx);
    if (!subnet) return;
    if (subnets.has(subnet.id)) problems.error(file, line, `duplicate subnet id '${subnet.id}'`);
    else subnets.set(subnet.id, subnet);
  });
  if (map.subnets === undefined) problems.error(file, doc.line, `env '${id}': missing required 'subnets'`);
  const agents: Agent[] = [];
  f.list('agents').forEach((a, i) => {
    const line = doc.lineOf(['agents', i]);
    if (!isMap(a)) return problems.error(file, line, 'env: each agent must be a mapping');
    agents.push(loadAgent(a, file, line, (path) => doc.lineOf(['agents', i, ...path]), ctx));
  });
  if (agents.length === 0) problems.error(file, doc.line, `env '${id}': no agents (the site's agent asset server is needed to render boot scripts)`);
  const cfg = f.obj('config');
  const config = cfg ? loadConfig(ctx, cfg, file, doc.lineOf(['config'])) : undefined;
  return { id, src: { file, line: doc.line }, raw: map, subnets, agents, ...(config ? { config } : {}) };
}

function loadSubnet(s: JsonMap, file: string, line: number, lineOf: (k: string) => number, ctx: SiteContext): Subnet | undefined {
  const { problems } = ctx.loader;
  const f = new Fields(s, 'subnet', file, line, problems, lineOf);
  f.known(SUBNET_KEYS);
  const id = f.str('id', true);
  if (id === undefined) return undefined;
  const cidr = f.str('cidr', true) ?? '';
  const vlan = f.int('vlan', 1);
  s.vlan = vlan;
  if (s.metadata === undefined || s.metadata === null) s.metadata = {};
  f.obj('metadata');
  f.str('domain', false);
  f.str('domain_name', false);
  const parsed = parseCidr4(cidr);
  const dhcpOptions: DhcpOption[] = [];
  f.list('dhcp_options').forEach((o, i) => {
    const ol = lineOf('dhcp_options');
    if (!isMap(o)) return problems.error(file, ol, `subnet '${id}': dhcp_options[${i}] must be a mapping`);
    const of = new Fields(o, `subnet '${id}' dhcp_options[${i}]`, file, ol, problems);
    of.known(['option', 'type', 'value']);
    const option = of.int('option', -1);
    const type = of.str('type', true);
    if (o.value === undefined) problems.error(file, ol, `subnet '${id}' dhcp_options[${i}]: missing required 'value'`);
    if (option < 1 || option > 254) problems.error(file, ol, `subnet '${id}' dhcp_options[${i}]: 'option' must be a DHCP option code 1-254`);
    else if (type !== undefined && o.value !== undefined) dhcpOptions.push({ option, type, value: o.value });
  });
  const subnet: Subnet = {
    id,
    line,
    raw: s,
    cidr,
    dns: f.strList('dns'),
    ntp: f.strList('ntp'),
    vlan,
    dhcpOptions,
    ...(f.str('gateway', false) !== undefined ? { gateway: String(s.gateway) } : {}),
  };
  // Derived for templates (`.interface.subnet.netmask`), as Vaquero offered it.
  if (parsed) s.netmask = netmaskOf(parsed);
  return subnet;
}

function loadAgent(a: JsonMap, file: string, line: number, lineOf: (path: string[]) => number, ctx: SiteContext): Agent {
  const { problems } = ctx.loader;
  const f = new Fields(a, 'agent', file, line, problems, (k) => lineOf([k]));
  f.known(AGENT_KEYS);
  const as = f.obj('asset_server') ?? {};
  a.asset_server = as;
  const af = new Fields(as, 'agent asset_server', file, lineOf(['asset_server']), problems, (k) => lineOf(['asset_server', k]));
  af.known(ASSET_SERVER_KEYS);
  const d = AGENT_DEFAULTS;
  const assetServer = {
    addr: af.str('addr', false) ?? d.addr,
    port: af.int('port', d.port),
    base_dir: af.str('base_dir', false) ?? d.base_dir,
    scheme: af.str('scheme', false) ?? d.scheme,
    cdn_scheme: af.str('cdn_scheme', false) ?? d.cdn_scheme,
    ...(as.cdn_addr !== undefined ? { cdn_addr: af.str('cdn_addr', false) ?? '' } : {}),
    ...(as.cdn_port !== undefined ? { cdn_port: af.int('cdn_port', 0) } : {}),
  };
  Object.assign(as, assetServer);
  if (assetServer.port < 1 || assetServer.port > 65535) problems.error(file, lineOf(['asset_server', 'port']), `agent asset_server: port ${assetServer.port} is not a TCP port`);
  if (!['http', 'https'].includes(assetServer.scheme)) problems.error(file, lineOf(['asset_server', 'scheme']), `agent asset_server: scheme must be http or https, not '${assetServer.scheme}'`);
  const mode = f.str('dhcp_mode', false) ?? d.dhcp_mode;
  if (mode !== 'server' && mode !== 'proxy') problems.error(file, lineOf(['dhcp_mode']), `agent: dhcp_mode must be 'server' or 'proxy', not '${mode}'`);
  const savePath = f.str('save_path', false) ?? d.save_path;
  a.dhcp_mode = mode;
  a.save_path = savePath;
  f.obj('tftp_server');
  return { line, raw: a, assetServer, dhcpMode: mode === 'proxy' ? 'proxy' : 'server', savePath };
}

function loadConfig(ctx: SiteContext, c: JsonMap, file: string, line: number): SotConfig | undefined {
  const { problems } = ctx.loader;
  const f = new Fields(c, 'config', file, line, problems);
  f.known(CONFIG_KEYS);
  const type = f.str('type', true);
  const url = f.str('url', true);
  const ref = f.str('ref', false);
  if (type === undefined || url === undefined) return undefined;
  if (type !== 'local' && type !== 'git') {
    problems.error(file, line, `config: type must be 'local' or 'git', not '${type}'`);
    return undefined;
  }
  if (type === 'git' && ref === undefined) problems.error(file, line, `config: type git needs 'ref'`);
  const raw: JsonMap = { type, url, ...(ref !== undefined ? { ref } : {}) };
  return { type, url, ...(ref !== undefined ? { ref } : {}), src: { file, line }, raw };
}

function loadCluster(ctx: SiteContext, site: Site, path: string): void {
  const { loader } = ctx;
  const file = loader.rel(path);
  let library = site.env.config ? ctx.libraryFor(site.env.config) : ctx.library;
  let config = site.env.config;
  const objs = loader.objects(path, 'host');
  objs.forEach(({ map, doc }, i) => {
    if ('config' in map && !('name' in map)) {
      if (i !== 0) return loader.problems.error(file, doc.line, "a 'config:' section must be the cluster file's first document");
      const f = new Fields(map, 'cluster config', file, doc.line, loader.problems);
      f.known(['config']);
      const cfg = f.obj('config');
      const c = cfg ? loadConfig(ctx, cfg, file, doc.lineOf(['config'])) : undefined;
      if (c) {
        config = c;
        library = ctx.libraryFor(c);
      }
      return;
    }
    const host = loadHost(ctx, map, doc, file, library ?? ctx.library, config);
    if (!host) return;
    if (!library) loader.problems.error(file, doc.line, `host '${host.name}': its cluster's config could not be loaded`);
    site.hosts.push(host);
    for (const iface of host.interfaces) {
      if (!iface.mac) continue;
      const prev = site.byMac.get(iface.mac);
      if (prev) loader.problems.error(file, iface.line, `duplicate MAC ${iface.mac} in site '${site.id}' (also host '${prev.host.name}' at ${prev.host.src.file}:${prev.iface.line})`);
      else site.byMac.set(iface.mac, { host, iface });
    }
  });
}

function loadHost(ctx: SiteContext, map: JsonMap, doc: YamlDoc, file: string, library: Library, config: SotConfig | undefined): Host | undefined {
  const { problems } = ctx.loader;
  const f = new Fields(map, 'host', file, doc.line, problems, (k) => doc.lineOf([k]));
  f.known(HOST_KEYS);
  const name = f.str('name', true);
  if (name === undefined) return undefined;
  const what = `host '${name}'`;
  const hf = new Fields(map, what, file, doc.line, problems, (k) => doc.lineOf([k]));
  const workflow = hf.str('workflow', true) ?? '';
  const neverProvision = hf.bool('never_provision', false);
  if (map.metadata === undefined || map.metadata === null) map.metadata = {};
  hf.obj('metadata');
  const interfaces: Interface[] = [];
  hf.list('interfaces').forEach((item, i) => {
    const line = doc.lineOf(['interfaces', i]);
    if (!isMap(item)) return problems.error(file, line, `${what}: interfaces[${i}] must be a mapping`);
    const iface = loadInterface(item, `${what} interface ${i + 1}`, file, line, (k) => doc.lineOf(['interfaces', i, k]), ctx);
    if (iface) interfaces.push(iface);
  });
  if (interfaces.length === 0) problems.error(file, doc.line, `${what}: no interfaces (a host is identified by its MACs)`);
  else if (!interfaces.some((i) => i.type !== 'bmc')) problems.error(file, doc.line, `${what}: no physical interface to boot from`);
  return { name, src: { file, line: doc.line }, raw: map, interfaces, workflow, neverProvision, library, ...(config ? { config } : {}) };
}

function loadInterface(m: JsonMap, what: string, file: string, line: number, lineOf: (k: string) => number, ctx: SiteContext): Interface | undefined {
  const { problems } = ctx.loader;
  const f = new Fields(m, what, file, line, problems, lineOf);
  f.known(IFACE_KEYS);
  const type = f.str('type', true);
  if (type !== undefined && type !== 'physical' && type !== 'bmc') problems.error(file, lineOf('type'), `${what}: type must be 'physical' or 'bmc', not '${type}'`);
  const macText = f.str('mac', true);
  let mac = '';
  if (macText !== undefined) {
    mac = normalizeMac(macText) ?? '';
    if (!mac) problems.error(file, lineOf('mac'), `${what}: '${macText}' is not a MAC address`);
  }
  const subnet = f.str('subnet', true) ?? '';
  const ipv4 = f.str('ipv4', false);
  f.str('ipv6', false);
  f.str('identifier', false);
  f.str('hostname', false);
  const ignoreDhcp = f.bool('ignore_dhcp', false);
  const bmc = f.obj('bmc');
  if (bmc) {
    const bf = new Fields(bmc, `${what} bmc`, file, lineOf('bmc'), problems);
    bf.known(['type', 'username', 'password', 'keypath', 'container', 'soft_reboot', 'soft_timeout']);
    const bt = bf.str('type', true);
    if (bt !== undefined && !['ipmi', 'ssh', 'custom'].includes(bt)) problems.error(file, lineOf('bmc'), `${what} bmc: type must be ipmi, ssh or custom, not '${bt}'`);
    if (bt === 'ipmi' && type === 'physical') problems.error(file, lineOf('bmc'), `${what}: a physical interface may not use an ipmi bmc (only ssh or custom)`);
    if (bt === 'ipmi') bf.str('username', true);
    if (bt === 'ssh') {
      bf.str('username', true);
      bf.str('keypath', true);
    }
    if (bt === 'custom' && !bf.obj('container')) problems.error(file, lineOf('bmc'), `${what} bmc: type custom needs 'container'`);
    bf.bool('soft_reboot', false);
    bf.int('soft_timeout', 0);
  }
  return { line, raw: m, type: type === 'bmc' ? 'bmc' : 'physical', mac, subnet, ...(ipv4 !== undefined ? { ipv4 } : {}), ignoreDhcp };
}

/** Resolves a local config url: absolute as given, relative to the SoT root. */
export function configDir(root: string, url: string): string {
  const p = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return isAbsolute(p) ? p : resolve(root, p);
}

