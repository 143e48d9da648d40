import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadSot } from '../../src/model/load.ts';
import { formatProblem } from '../../src/model/problems.ts';
import { parseYamlDocuments } from '../../src/model/yaml.ts';
import { EXAMPLES_SOT, VAGRANT_SOT, copySot } from '../helpers/sot.ts';

const lines = (dir: string) => loadSot(dir).problems.sorted().map(formatProblem);

test('the reference model loads without a problem, every object in place', () => {
  const { sot, problems } = loadSot(EXAMPLES_SOT);
  assert.equal(problems.list, []);
  assert.equal([...sot.library.os.keys()].sort(), ['clevos-basic', 'coreos-1053.2.0-stable']);
  assert.equal([...sot.library.boots.keys()].sort(), ['clevos', 'etcd-master', 'etcd-proxy']);
  assert.equal([...sot.library.workflows.keys()].sort(), ['clevos', 'etcd-master', 'etcd-proxy']);
  assert.equal([...sot.library.assets.keys()].sort(), ['cloud-config', 'ignition', 'untyped']);
  assert.equal(sot.library.assets.get('ignition')!.snippets.map((s) => s.file), ['assets/ignition/snippets/etcd.yml']);
  const site = sot.sites.get('test-site')!;
  assert.equal(site.hosts.map((h) => h.name), ['host1', 'host2', 'host3', 'proxy1', 'proxy2', 'clevos1']);
  assert.equal(site.byMac.size, 11);
  assert.equal(site.byMac.get('00:00:00:00:01:01')!.host.name, 'host1');
  assert.equal(sot.library.workflows.get('etcd-proxy')!.deps, { max_concurrent: 0, min_standing: 0, block_deps: ['etcd-master'], validate_on: [], max_fail: 0 });
  const os = sot.library.os.get('clevos-basic')!;
  assert.equal(os.cmdline.slice(0, 3).map((p) => [p.key, p.value]), [['lang', ' '], ['live-getty', ''], ['console', 'ttyS0,115200n8']]);
  assert.equal(os.cmdline.find((p) => p.key === 'noprompt')!.value, null);
});

test('defaults are applied as Vaquero documents them and templates see them', () => {
  const { sot } = loadSot(EXAMPLES_SOT);
  const site = sot.sites.get('test-site')!;
  assert.equal(site.env.subnets.get('default')!.raw.vlan, 1);
  assert.equal(site.env.subnets.get('default')!.raw.netmask, '255.255.255.0');
  assert.equal(site.env.agents[0]!.assetServer, { addr: '127.0.0.1', port: 24602, base_dir: '/var/vaquero/files', scheme: 'http', cdn_scheme: 'http' });
  assert.equal(sot.library.boots.get('clevos')!.raw.name, 'ClevOS 3.7');
  assert.equal(sot.library.workflows.get('clevos')!.raw.name, undefined);
  assert.equal(site.hosts[0]!.src, { file: 'sites/test-site/inventory.yml', line: 2 });
  assert.equal(site.hosts[0]!.interfaces.map((i) => i.line), [4, 9]);
});

test('the lab model loads too, .yaml files included', () => {
  const { sot, problems } = loadSot(VAGRANT_SOT);
  assert.equal(problems.list, []);
  assert.ok(sot.library.workflows.has('coreos-ignition-proxy'));
  assert.equal(sot.sites.get('test-site')!.hosts.length, 9);
  assert.equal(sot.sites.get('test-site')!.env.raw.policy, { force_provision: true });
});

test('YAML is read as yaml.v2 read it: 1.1 booleans, no base-60 numbers or timestamps', () => {
  const { docs, errors } = parseYamlDocuments('mac: 00:00:00:00:00:01\nt: 1:20\nd: 2017-03-10\nb: yes\no: off\nnum: 010\n');
  assert.equal(errors, []);
  assert.equal(docs[0]!.value, { mac: '00:00:00:00:00:01', t: '1:20', d: '2017-03-10', b: true, o: false, num: 8 });
});

test('problems name file and line: YAML errors, wrong types, duplicates, unknown keys', () => {
  const c = copySot(EXAMPLES_SOT);
  try {
    c.edit('os/coreos-pxe.yml', "major_version: '1053'", "major_version: '1053'\nflavour: vanilla");
    c.edit('boot/clevos.yml', 'id: clevos', 'id: etcd-master');
    c.edit('sites/test-site/inventory.yml', 'mac: 00:00:00:00:00:05', 'mac: 00:00:00:00:00:04');
    c.edit('sites/test-site/inventory.yml', 'mac: 00:00:00:00:00:06', 'mac: not-a-mac');
    c.write('workflows/broken.yml', 'id: broken\nworkflow: [\n');
    c.edit('workflows/etcd-master.yml', 'max_concurrent: 2', 'max_concurrent: two');
    assert.equal(lines(c.dir), [
      "boot/etcd-master.yml:2: error: duplicate boot id 'etcd-master' (first defined at boot/clevos.yml:2)",
      "os/coreos-pxe.yml:5: warning: os: unknown key 'flavour'",
      "sites/test-site/inventory.yml:82: error: duplicate MAC 00:00:00:00:00:04 in site 'test-site' (also host 'proxy1' at sites/test-site/inventory.yml:66)",
      "sites/test-site/inventory.yml:100: error: host 'clevos1' interface 1: 'not-a-mac' is not a MAC address",
      "workflows/broken.yml:3: error: YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:",
      "workflows/etcd-master.yml:9: error: workflow 'etcd-master' deps: 'max_concurrent' must be an integer",
    ]);
  } finally {
    c.cleanup();
  }
});

test('an advanced SoT: a cluster config section points its hosts at another library', () => {
  const c = copySot(EXAMPLES_SOT);
  try {
    c.write('alt/os/other.yml', "id: other-os\nboot:\n  kernel: k\n  initrd: [i]\n");
    c.write('alt/boot/b.yml', 'id: alt-boot\noperating_system: other-os\n');
    c.write('alt/workflows/w.yml', 'id: alt-wf\nworkflow:\n  - boot: alt-boot\n');
    c.write('sites/test-site/cluster-alt.yml', '---\nconfig:\n  type: local\n  url: alt\n---\nname: alt1\ninterfaces:\n  - type: physical\n    subnet: default\n    mac: 00:00:00:00:0a:01\n    ipv4: 10.10.10.99\nworkflow: alt-wf\n');
    const { sot, problems } = loadSot(c.dir);
    assert.equal(problems.list, []);
    const alt = sot.sites.get('test-site')!.hosts.find((h) => h.name === 'alt1')!;
    assert.ok(alt.library.workflows.has('alt-wf'));
    assert.not.ok(sot.library.workflows.has('alt-wf'));
    assert.equal(alt.config!.raw, { type: 'local', url: 'alt' });
  } finally {
    c.cleanup();
  }
});

test('an agent loads only its own site: other sites stop at their env and their hosts are not checked', () => {
  const c = copySot(EXAMPLES_SOT);
  try {
    c.write('sites/other/env.yml', 'id: other\nsubnets: []\nagents: [{}]\n');
    c.write('sites/other/hosts.yml', 'name: broken\ninterfaces: [{type: physical, mac: nope, subnet: x, ipv4: 10.0.0.1}]\nworkflow: clevos\n');
    const all = loadSot(c.dir);
    assert.equal([...all.sot.sites.keys()].sort(), ['other', 'test-site']);
    assert.equal(all.problems.sorted().map(formatProblem), ["sites/other/hosts.yml:2: error: host 'broken' interface 1: 'nope' is not a MAC address"]);
    const mine = loadSot(c.dir, undefined, { sites: ['test-site'] });
    assert.equal([...mine.sot.sites.keys()], ['test-site']);
    assert.equal(mine.problems.list, []);
  } finally {
    c.cleanup();
  }
});

test('a folder that is not a SoT is refused with a typed error', () => {
  assert.throws(() => loadSot('/nonexistent/sot'), (e: Error & { code?: string }) => e.code === 'VQ_ERR_IO');
  assert.throws(() => loadSot('/work/main/src'), (e: Error & { code?: string }) => e.code === 'VQ_ERR_SOT_LAYOUT');
});

test.run();
