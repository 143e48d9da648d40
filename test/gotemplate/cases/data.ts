// Realistic template data, shaped like the dot Vaquero gives templates
// (DESIGN.md "Templates"): env with agentURL, boot with os and configURL,
// host and interface with subnet, metadata also reachable as md.

const subnet = {
  id: 'test-subnet',
  cidr: '10.10.10.0/24',
  netmask: '255.255.255.0',
  gateway: '10.10.10.1',
  dns: ['10.10.10.2', '8.8.8.8'],
  ntp: ['10.10.10.3', 'pool.ntp.org', 'time.example.com'],
  vlan: 100,
};

const envMeta = {
  etcd_ignition_nodes: [
    { name: 'etcd-1', ip: '10.10.10.11' },
    { name: 'etcd-2', ip: '10.10.10.12' },
    { name: 'etcd-3', ip: '10.10.10.13' },
  ],
  etcd_cloud_nodes: [
    { name: 'node-a', ip: '10.10.10.21' },
    { name: 'node-b', ip: '10.10.10.22' },
  ],
  etcd_initial_cluster: 'etcd-1=http://10.10.10.11:2380,etcd-2=http://10.10.10.12:2380',
  ssh_authorized_keys: ['ssh-rsa AAAAB3NzaC1yc2E admin@example', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ops@example'],
  domain: 'example.com',
  replicas: 3,
  ratio: 0.75,
};

const coreos = {
  id: 'coreos-1053.2.0-stable',
  name: 'CoreOS Stable 1053.2.0',
  major_version: '1053',
  minor_version: '2.0',
  os_family: 'CoreOS',
  release_name: 'stable',
};

export function vaqueroData(variant: { role?: string; keys?: boolean; hostKeys?: boolean; mstr?: string | null; fleetadd?: string; ifaces?: number } = {}): unknown {
  const hostMeta: Record<string, unknown> = {
    role: variant.role ?? 'kube-master',
    etcd_name: 'etcd-1',
    manager: '10.10.10.50',
  };
  if (variant.mstr !== null) hostMeta.mstr = variant.mstr ?? 'master-1';
  if (variant.hostKeys) hostMeta.ssh_authorized_keys = ['ssh-rsa HOSTKEY host@example'];
  const env = { ...envMeta } as Record<string, unknown>;
  if (variant.keys === false) delete env.ssh_authorized_keys;
  const interfaces = [
    { identifier: 'eth0', mac: '00:00:00:00:00:01', ipv4: '10.10.10.11', subnet },
    { identifier: 'eth1', mac: '00:00:00:00:00:02', ipv4: '10.10.20.11', subnet: { ...subnet, id: 'other', gateway: '10.10.20.1', netmask: '255.255.0.0', vlan: 200 } },
  ].slice(0, variant.ifaces ?? 2);
  const host: Record<string, unknown> = { id: 'host-1', name: 'etcd-1', metadata: hostMeta, md: hostMeta, interfaces };
  if (variant.mstr !== null) host.mstr = variant.mstr ?? 'master-1';
  if (variant.fleetadd) host.fleetadd = variant.fleetadd;
  const bootMeta = { root_pass: '$6$rounds=4096$salt$hash', fleet_metadata: 'region=us-east' };
  return {
    env: { id: 'test-site', agentURL: 'http://10.10.10.1:24601', metadata: env, md: env },
    boot: { id: 'etcd-master', os: coreos, operating_system: coreos, configURL: 'http://10.10.10.1:24601/config/etcd-master?mac=00:00:00:00:00:01', metadata: bootMeta, md: bootMeta },
    host,
    interface: interfaces[0] ?? null,
    config: {},
  };
}

/** Small mixed data for feature cases. */
export const mixed = {
  s: 'hello',
  e: '',
  u: 'héllo wörld ✓',
  n: 42,
  f: 1.5,
  z: 0,
  neg: -7,
  big: 1e21,
  large: 123456789,
  small: 1e-7,
  t: true,
  no: false,
  nul: null,
  list: ['a', 'b', 'c'],
  nums: [3, 1, 2],
  empty: [],
  emptyMap: {},
  mixedList: [1, 'two', true, null, { k: 'v' }, [1, 2]],
  m: { b: 2, a: 1, c: 3, A: 0, _x: 'u', '10': 't', '9': 'n' },
  nested: { a: { b: { c: 'deep' } }, l: [{ x: 1 }, { x: 2 }] },
  html: '<a href="x">Tom & Jerry\'s</a>',
  nulls: [null, null],
  withNull: { a: null, b: 'set' },
};
