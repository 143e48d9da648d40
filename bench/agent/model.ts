// The same 1,000 reservations for every DHCP server under test: a Vaquero
// source of truth (one site, subnet 10.100.0.0/16, 1,000 hosts), a Kea
// configuration (memfile, host reservations by hw-address), a dnsmasq
// configuration (static range plus dhcp-host lines) and perfdhcp's MAC list.
import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_IP, PREFIX, ROOT, SERVER_IP } from './common.ts';

export const SITE = 'bench';
export const SUBNET = `10.100.0.0/${PREFIX}`;
const WORKFLOWS = ['flatcar-worker', 'rocky', 'ubuntu'];

export interface Host {
  name: string;
  mac: string;
  ip: string;
}

export function hosts(n: number): Host[] {
  const out: Host[] = [];
  for (let i = 0; i < n; i++) {
    const mac = ['52', '54', '01', '00', (i >> 8) & 255, i & 255].map((b) => (typeof b === 'string' ? b : b.toString(16).padStart(2, '0'))).join(':');
    // 10.100.10.1 upwards, 250 a /24, never .0 or .255.
    out.push({ name: `node-${String(i).padStart(4, '0')}`, mac, ip: `10.100.${10 + Math.floor(i / 250)}.${1 + (i % 250)}` });
  }
  return out;
}

export interface Models {
  sotDir: string;
  macList: string;
  keaConf: string;
  dnsmasqConf: string;
}

/** Writes every server's view of the same reservations under `dir` (world-readable: dnsmasq drops to nobody). */
export function writeModels(dir: string, list: readonly Host[], httpPort: number): Models {
  const lab = join(ROOT, 'examples', 'lab');
  const sotDir = join(dir, 'sot');
  for (const d of ['assets', 'os', 'boot', 'workflows']) cpSync(join(lab, d), join(sotDir, d), { recursive: true });
  const sd = join(sotDir, 'sites', SITE);
  mkdirSync(sd, { recursive: true });
  writeFileSync(join(sd, 'env.yml'), [
    `id: ${SITE}`,
    'subnets:',
    '  - id: prov',
    `    cidr: ${SUBNET}`,
    `    gateway: ${CLIENT_IP}`,
    `    domain: ${SITE}.example`,
    `    dns: [${CLIENT_IP}]`,
    `    ntp: [${CLIENT_IP}]`,
    'agents:',
    '  - name: bench-agent',
    '    asset_server:',
    `      addr: ${SERVER_IP}`,
    `      port: ${httpPort}`,
    '      scheme: http',
    '    dhcp_mode: server',
    'metadata:',
    '  timezone: UTC',
    '  ssh_authorized_keys:',
    '    - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq7 ops@bench',
    '',
  ].join('\n'));
  for (let f = 0; f * 100 < list.length; f++) {
    const docs = list.slice(f * 100, (f + 1) * 100).map((h, k) =>
      `---\nname: ${h.name}\ninterfaces:\n  - type: physical\n    subnet: prov\n    mac: ${h.mac}\n    ipv4: ${h.ip}\n    identifier: eth0\nmetadata:\n  prefix: ${PREFIX}\nworkflow: ${WORKFLOWS[(f * 100 + k) % WORKFLOWS.length]}\n`);
    writeFileSync(join(sd, `cluster-${f}.yml`), docs.join(''));
  }

  const macList = join(dir, 'macs.txt');
  writeFileSync(macList, list.map((h) => h.mac).join('\n') + '\n');

  // Kea: the same options ours sends (router, DNS, domain, lease time), leases in memory only
  // (ours keeps none on disk either), plain UDP sockets (relayed traffic needs no raw socket).
  const keaConf = join(dir, 'kea-dhcp4.json');
  writeFileSync(keaConf, JSON.stringify({
    Dhcp4: {
      'interfaces-config': { interfaces: ['eth0'], 'dhcp-socket-type': 'udp' },
      'lease-database': { type: 'memfile', persist: false, 'lfc-interval': 0 },
      'valid-lifetime': 86400,
      'host-reservation-identifiers': ['hw-address'],
      'option-data': [{ name: 'domain-name-servers', data: CLIENT_IP }, { name: 'domain-name', data: `${SITE}.example` }],
      subnet4: [{
        id: 1,
        subnet: SUBNET,
        'reservations-out-of-pool': true,
        'option-data': [{ name: 'routers', data: CLIENT_IP }],
        reservations: list.map((h) => ({ 'hw-address': h.mac, 'ip-address': h.ip, hostname: h.name })),
      }],
      loggers: [{ name: 'kea-dhcp4', output_options: [{ output: 'stdout' }], severity: 'WARN' }],
    },
  }, null, 1));

  // dnsmasq: reservations only (static range), lease limit raised above its default 1,000,
  // leases in memory only (leasefile-ro), no DNS (port=0).
  const dnsmasqConf = join(dir, 'dnsmasq.conf');
  writeFileSync(dnsmasqConf, [
    'port=0',
    'keep-in-foreground',
    'log-facility=-',
    'no-resolv',
    'bind-interfaces',
    `listen-address=${SERVER_IP}`,
    'leasefile-ro',
    'dhcp-lease-max=10000',
    `dhcp-range=10.100.0.0,static,255.255.0.0,24h`,
    `dhcp-option=option:router,${CLIENT_IP}`,
    `dhcp-option=option:dns-server,${CLIENT_IP}`,
    `dhcp-option=option:domain-name,${SITE}.example`,
    ...list.map((h) => `dhcp-host=${h.mac},${h.ip},${h.name}`),
    '',
  ].join('\n'));
  for (const f of [macList, keaConf, dnsmasqConf]) chmodSync(f, 0o644);
  chmodSync(dir, 0o755);
  return { sotDir, macList, keaConf, dnsmasqConf };
}
