// The fast path may only ever say "clean" when the full check finds nothing,
// and must say it for the real models' rendered configs (or it saves nothing).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { looksClean } from '../../src/validate/assets/fast-path.ts';
import { validateAssetFully } from '../../src/validate/assets/validate-asset.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const typeOf = (name: string): 'ignition' | 'cloud-config' | undefined => (name.includes('-ignition-') ? 'ignition' : name.includes('-cloud-config-') ? 'cloud-config' : undefined);

test('the rendered fixture configs take the fast path, and the full check agrees they are clean', () => {
  const names = readdirSync(FIXTURES).filter((n) => typeOf(n));
  assert.ok(names.length >= 8);
  for (const n of names) {
    const text = readFileSync(join(FIXTURES, n), 'utf8');
    const type = typeOf(n)!;
    assert.equal(validateAssetFully(type, text), [], n);
    assert.ok(looksClean(type, text), `${n} should take the fast path`);
  }
});

// Each document here has something the full check reports (error or warning).
const flagged: ['ignition' | 'cloud-config', string][] = [
  ['ignition', 'systemd:\n  units:\n    name: a\n'],
  ['ignition', 'systemd:\n  units:\n    - enable: true\n'],
  ['ignition', 'systemd:\n  units:\n    - name: a\n      enable: "yes please"\n'],
  ['ignition', 'systemd: {units: [{name: a}]}\nfrobnicate: 1\n'],
  ['ignition', 'passwd:\n  users:\n    - name: core\n      uid: 1.5\n'],
  ['ignition', 'storage:\n  files:\n    - path: /a\n      mode: sixfourfour\n'],
  ['ignition', 'systemd:\n  units:\n    - name: a\n    -\n'],
  ['ignition', 'a: &x 1\nsystemd:\n  units: []\n'],
  ['ignition', 'systemd:\n  units: [\n'],
  ['ignition', 'systemd:\n  units: []\nsystemd:\n  units: []\n'],
  ['ignition', 'systemd:\n  units: []\n---\nsystemd: {}\n'],
  ['ignition', ''],
  ['cloud-config', 'coreos:\n  units: []\n'],
  ['cloud-config', '#cloud-config\n- a\n'],
  ['cloud-config', '#cloud-config\nwrite_files:\n  - content: x\n'],
  ['cloud-config', '#cloud-config\ncoreos:\n  update:\n    reboot-strategy: sometimes\n'],
  ['cloud-config', '#cloud-config\nnot_a_key: 1\n'],
  ['cloud-config', '#cloud-config extra\nhostname: a\n'],
  ['cloud-config', '#cloud-config\nusers: {name: a}\n'],
];

test('documents the full check flags never take the fast path', () => {
  for (const [type, text] of flagged) {
    assert.ok(validateAssetFully(type, text).length > 0, `full check should flag: ${JSON.stringify(text)}`);
    assert.not.ok(looksClean(type, text), `fast path must defer: ${JSON.stringify(text)}`);
  }
});

test.run();
