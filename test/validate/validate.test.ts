import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXAMPLES_SOT, LAB_SOT, VAGRANT_SOT, copySot, type SotCopy } from '../helpers/sot.ts';
import { cli, cliProcess } from '../helpers/cli.ts';

const lines = (s: string) => s.split('\n').filter(Boolean);

test('the reference model is valid, with exactly the warnings Vaquero accepted', async () => {
  const r = await cli('validate', '--sot', EXAMPLES_SOT);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(lines(r.out), [
    "sites/test-site/env.yml:13: warning: subnet 'clevos' has no ntp servers",
    "sites/test-site/inventory.yml:9: warning: host 'host1': ipv4 10.10.11.10 is outside subnet 'default' (10.10.10.0/24)",
    "sites/test-site/inventory.yml:104: warning: host 'clevos1': ipv4 192.128.1.16 is outside subnet 'clevos' (192.168.1.0/24)",
  ]);
  assert.equal(r.err, 'valid: 0 error(s), 3 warning(s)\n');
});

test('--strict turns those warnings into failure', async () => {
  const r = await cli('validate', '--sot', EXAMPLES_SOT, '--strict');
  assert.equal(r.code, 1);
  assert.equal(lines(r.out).length, 3);
});

test('the lab model and our example are valid', async () => {
  const vagrant = await cli('validate', '--sot', VAGRANT_SOT);
  assert.equal([vagrant.code, vagrant.out], [0, ''], vagrant.err);
  const lab = await cli('validate', '--sot', LAB_SOT, '--strict');
  assert.equal([lab.code, lab.out], [0, ''], lab.err);
});

test('--json gives the same problems as data', async () => {
  const r = await cli('validate', '--sot', EXAMPLES_SOT, '--json');
  assert.equal(r.code, 0);
  const j = JSON.parse(r.out);
  assert.equal([j.valid, j.errors, j.warnings, j.problems.length], [true, 0, 3, 3]);
  assert.equal(j.problems[0], { file: 'sites/test-site/env.yml', line: 13, level: 'warning', message: "subnet 'clevos' has no ntp servers" });
});

/** Breaks a copy of a model, validates it, and returns the error lines. */
async function errorsAfter(src: string, breakIt: (c: SotCopy) => void): Promise<string[]> {
  const c = copySot(src);
  try {
    breakIt(c);
    const r = await cli('validate', '--sot', c.dir);
    assert.equal(r.code, 1, `expected invalid, got:\n${r.out}${r.err}`);
    return lines(r.out).filter((l) => l.includes(': error: '));
  } finally {
    c.cleanup();
  }
}

const cases: [string, string, (c: SotCopy) => void, string[]][] = [
  ['dangling OS', EXAMPLES_SOT, (c) => c.edit('boot/clevos.yml', 'operating_system: clevos-basic', 'operating_system: clevos-9'),
    ["boot/clevos.yml:2: error: boot 'clevos': operating_system 'clevos-9' does not exist"]],
  ['dangling boot', EXAMPLES_SOT, (c) => c.edit('workflows/clevos.yml', 'boot: clevos', 'boot: clevos-2'),
    ["workflows/clevos.yml:3: error: workflow 'clevos': boot 'clevos-2' does not exist"]],
  ['dangling workflow', EXAMPLES_SOT, (c) => c.edit('sites/test-site/inventory.yml', 'workflow: clevos', 'workflow: clevos-x'),
    ["sites/test-site/inventory.yml:96: error: host 'clevos1': workflow 'clevos-x' does not exist"]],
  ['dangling subnet', EXAMPLES_SOT, (c) => c.edit('sites/test-site/inventory.yml', 'subnet: clevos', 'subnet: clevo'),
    [
      // The template that reads .interface.subnet fails too: both are reported.
      'assets/untyped/clevos-answers.provision:22: error: template: clevos-answers.provision:22:41: executing "clevos-answers.provision" at <.subnet.netmask>: can\'t evaluate field netmask in type string (host clevos1)',
      "sites/test-site/inventory.yml:104: error: host 'clevos1': subnet 'clevo' does not exist in site 'test-site'",
    ]],
  ['dangling block_deps', EXAMPLES_SOT, (c) => c.edit('workflows/etcd-proxy.yml', "['etcd-master']", "['etcd-masters']"),
    ["workflows/etcd-proxy.yml:1: error: workflow 'etcd-proxy': block_deps names workflow 'etcd-masters', which does not exist"]],
  ['missing asset', EXAMPLES_SOT, (c) => c.edit('boot/etcd-master.yml', 'use: etcd.yml', 'use: etcd.yaml'),
    ["boot/etcd-master.yml:2: error: boot 'etcd-master': unattended asset assets/ignition/etcd.yaml does not exist"]],
  ['duplicate os id', EXAMPLES_SOT, (c) => c.write('os/copy.yml', c.read('os/clevos-basic.yml')),
    ["os/copy.yml:2: error: duplicate os id 'clevos-basic' (first defined at os/clevos-basic.yml:2)"]],
  ['duplicate MAC', VAGRANT_SOT, (c) => c.edit('sites/test-site/inventory.yml', 'mac: 00:00:00:00:00:41', 'mac: 00:00:00:00:00:21'),
    ["sites/test-site/inventory.yml:129: error: duplicate MAC 00:00:00:00:00:21 in site 'test-site' (also host 'etcd1' at sites/test-site/inventory.yml:4)"]],
  ['dhcp option value the agent could not encode', LAB_SOT, (c) => c.edit('sites/lab/env.yml', '    vlan: 101\n', '    vlan: 101\n    dhcp_options:\n      - {option: 150, type: addresses, value: "10.101.0.5,10.101.0.300"}\n'),
    ['sites/lab/env.yml:11: error: subnet \'oob\': dhcp_options option 150 (addresses): expects IPv4 addresses (comma-separated or a list), got "10.101.0.5,10.101.0.300"']],
  ['YAML syntax error', EXAMPLES_SOT, (c) => c.edit('sites/test-site/inventory.yml', 'etcd_name: node3', 'etcd_name: [node3'),
    ['sites/test-site/inventory.yml:62: error: YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 62, column 1:']],
];

for (const [name, src, breakIt, expected] of cases) {
  test(`refused with the file named: ${name}`, async () => {
    assert.equal(await errorsAfter(src, breakIt), expected);
  });
}

test('refused: template syntax error and unknown function, at the asset line', async () => {
  const errs = await errorsAfter(EXAMPLES_SOT, (c) => {
    c.edit('assets/untyped/clevos-answers.provision', 'system hostname {{ .host.name }}', 'system hostname {{ .host.name }');
    c.edit('assets/cloud-config/etcd-proxy.yml', 'ExecStart=/usr/bin/curl {{ Checkpoint }}', 'ExecStart=/usr/bin/curl {{ Checkpoin }}');
  });
  assert.equal(errs.length, 2, errs.join('\n'));
  assert.match(errs[0]!, /^assets\/cloud-config\/etcd-proxy\.yml:39: error: template: etcd-proxy\.yml:39: function "Checkpoin" not defined/);
  assert.match(errs[1]!, /^assets\/untyped\/clevos-answers\.provision:25: error: template: clevos-answers\.provision:25: unexpected "}" in operand$/);
});

test('refused: metadata a template needs but no host has (<no value>)', async () => {
  const errs = await errorsAfter(EXAMPLES_SOT, (c) => c.edit('assets/ignition/snippets/etcd.yml', '{{.host.md.etcd_name}}', '{{.host.md.etcd_id}}'));
  assert.equal(errs.length, 1, errs.join('\n'));
  assert.match(errs[0]!, /^assets\/ignition\/etcd\.yml:\d+: error: renders <no value>: template: etcd\.yml:\d+:\d+: executing "etcd2" at <\.host\.md\.etcd_id>: map has no entry for key "etcd_id" \(hosts host1, host2, host3\)$/);
});

test('refused: rendered ignition and cloud-config that do not parse, kickstart section left open', async () => {
  const ign = await errorsAfter(EXAMPLES_SOT, (c) => c.edit('assets/ignition/etcd.yml', 'systemd:\n  units:', 'systemd:\n  units: [\n'));
  assert.ok(ign.length >= 1);
  for (const l of ign) assert.match(l, /^assets\/ignition\/etcd\.yml:0: error: rendered ignition, output line \d+: YAML syntax error: .* \(hosts host1, host2, host3\)$/);
  const cc = await errorsAfter(EXAMPLES_SOT, (c) => c.edit('assets/cloud-config/etcd-proxy.yml', '#cloud-config\n', ''));
  assert.equal(cc.length, 1, cc.join('\n'));
  assert.match(cc[0]!, /^assets\/cloud-config\/etcd-proxy\.yml:0: error: rendered cloud-config, output line 1: .*#cloud-config.* \(hosts proxy1, proxy2\)$/);
  const ks = await errorsAfter(VAGRANT_SOT, (c) => c.edit('assets/kickstart/centos.yml', 'openssh-server\n%end', 'openssh-server\n'));
  assert.equal(ks.length, 1, ks.join('\n'));
  assert.equal(ks[0], 'assets/kickstart/centos.yml:0: error: rendered kickstart, output line 45: %packages section is not closed by %end (host centos1)');
});

test('--strict also refuses addresses outside their subnet', async () => {
  const c = copySot(VAGRANT_SOT);
  try {
    c.edit('sites/test-site/inventory.yml', 'ipv4: 10.10.10.41', 'ipv4: 10.10.11.41');
    const loose = await cli('validate', '--sot', c.dir);
    assert.equal(loose.code, 0);
    const strict = await cli('validate', '--sot', c.dir, '--strict');
    assert.equal(strict.code, 1);
    assert.equal(lines(strict.out), ["sites/test-site/inventory.yml:129: warning: host 'centos1': ipv4 10.10.11.41 is outside subnet 'vagrant1' (10.10.10.0/24)"]);
  } finally {
    c.cleanup();
  }
});

test('bad input: exit 2 with a one-line message, never a stack trace', () => {
  const missing = cliProcess('validate', '--sot', '/nonexistent/sot');
  assert.equal(missing.code, 2);
  assert.equal(missing.err, "vaquero validate: source of truth '/nonexistent/sot' is not a readable folder (VQ_ERR_IO)\n");
  const usage = cliProcess('validate', '--frobnicate');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /^vaquero validate: Unknown option '--frobnicate'/);
  assert.not.match(usage.err, /\n\s+at /);
  const nothing = cliProcess('validate');
  assert.equal(nothing.code, 2);
  const help = cliProcess('validate', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: vaquero validate --sot DIR/);
});

test.run();
