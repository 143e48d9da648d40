// Every typed asset of the two real Vaquero models, rendered for real hosts
// (fixtures/README.md), must validate with no problems at all.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateAsset } from '../../src/validate/assets/index.ts';
import type { AssetProblem, AssetType } from '../../src/validate/assets/index.ts';
import { FIXTURES } from '../helpers/sot.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const rendered = (name: string): string => readFileSync(join(HERE, 'fixtures', name), 'utf8');

interface Case {
  asset: string; // relative to the shared SoT fixtures
  type: AssetType;
  renders: Record<string, AssetProblem[]>; // rendered fixture -> whole expected problem list
}

const cases: Case[] = [
  {
    asset: 'vaquero-examples/assets/ignition/etcd.yml',
    type: 'ignition',
    renders: { 'examples-ignition-etcd-host1.yml': [], 'examples-ignition-etcd-host2.yml': [] },
  },
  {
    asset: 'vaquero-examples/assets/cloud-config/etcd-proxy.yml',
    type: 'cloud-config',
    renders: { 'examples-cloud-config-etcd-proxy-proxy1.yml': [] },
  },
  {
    asset: 'vaquero-vagrant/assets/cloud-config/coreos.yml',
    type: 'cloud-config',
    renders: { 'vagrant-cloud-config-coreos-etcd1.yml': [], 'vagrant-cloud-config-coreos-node1.yml': [] },
  },
  {
    asset: 'vaquero-vagrant/assets/ignition/etcd.yml',
    type: 'ignition',
    renders: { 'vagrant-ignition-etcd-etcdi1.yml': [] },
  },
  {
    asset: 'vaquero-vagrant/assets/ignition/etcd-proxy.yml',
    type: 'ignition',
    renders: { 'vagrant-ignition-etcd-proxy-proxy1.yml': [], 'vagrant-ignition-etcd-proxy-proxy1-nokeys.yml': [] },
  },
  {
    asset: 'vaquero-vagrant/assets/kickstart/centos.yml',
    type: 'kickstart',
    renders: { 'vagrant-kickstart-centos-centos1.ks': [] },
  },
];

test('every typed asset of the SoT fixtures has rendered test fixtures', () => {
  const onDisk: string[] = [];
  for (const model of readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const type of ['ignition', 'cloud-config', 'kickstart']) {
      const dir = join(FIXTURES, model.name, 'assets', type);
      let entries: string[];
      try {
        entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
      } catch {
        continue;
      }
      onDisk.push(...entries.map((e) => `${model.name}/assets/${type}/${e}`));
    }
  }
  assert.equal(onDisk.sort(), cases.map((c) => c.asset).sort());
});

for (const c of cases) {
  for (const [file, expected] of Object.entries(c.renders)) {
    test(`${c.asset} rendered as ${file}`, () => {
      assert.equal(validateAsset(c.type, rendered(file)), expected);
    });
  }
}

test('the rendered fixtures are the real YAML 1.1 documents: on/off, octal and enable: true all in use', () => {
  // Guards the point of these fixtures: the values that YAML 1.1 reads as
  // booleans or numbers are really there, and still validate.
  assert.match(rendered('vagrant-cloud-config-coreos-node1.yml'), /^ {4}proxy: on$/m);
  assert.match(rendered('vagrant-cloud-config-coreos-node1.yml'), /^ {4}reboot-strategy: off$/m);
  assert.match(rendered('examples-cloud-config-etcd-proxy-proxy1.yml'), /^ {4}permissions: 0644$/m);
  assert.match(rendered('vagrant-ignition-etcd-etcdi1.yml'), /^ {6}enable: true$/m);
});

test.run();
