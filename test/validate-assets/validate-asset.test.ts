// validateAsset picks the validator by asset type; untyped assets are never judged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateAsset } from '../../src/validate/assets/index.ts';

const notAnything = '[install]\ntype = factory\n%packages\n{ "broken": \n';

test('untyped assets have no problems, whatever they hold', () => {
  assert.equal(validateAsset('untyped', notAnything), []);
  assert.equal(validateAsset('untyped', ''), []);
});

test('each typed asset goes to its own validator', () => {
  assert.equal(validateAsset('ignition', notAnything), [
    { line: 2, level: 'error', message: 'YAML syntax error: Unexpected scalar at node end' },
  ]);
  assert.equal(validateAsset('cloud-config', '#cloud-config\n- a\n'), [
    { line: 2, level: 'error', message: 'the document must be a mapping, found a list' },
  ]);
  assert.equal(validateAsset('kickstart', notAnything), [
    { line: 1, level: 'warning', message: 'unknown kickstart command "[install]"' },
    { line: 2, level: 'warning', message: 'unknown kickstart command "type"' },
    { line: 3, level: 'error', message: '%packages section is not closed by %end' },
    { line: 4, level: 'warning', message: '"{ "broken":" is read as one package name containing a space' },
  ]);
});

test.run();
