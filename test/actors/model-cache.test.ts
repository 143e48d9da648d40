import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initModel, stepModel } from '../../src/actors/model-cache.ts';
import type { Problem } from '../../src/model/problems.ts';

const warn: Problem = { file: 'sites/a/env.yml', line: 3, level: 'warning', message: "subnet 'x' has no ntp servers" };
const err: Problem = { file: 'boot/b.yml', line: 2, level: 'error', message: "boot 'b': operating_system 'o' does not exist" };

test('a valid model is published and replaces nothing at first', () => {
  const [s, fx] = stepModel(initModel<string>(), { type: 'loaded', version: 'v1', model: 'M1', problems: [warn], valid: true }, 10);
  assert.equal(s, { current: { version: 'v1', model: 'M1', since: 10 }, stale: false, rejected: undefined });
  assert.equal(fx, [{ type: 'publish', version: 'v1', model: 'M1' }, { type: 'emit', event: { type: 'model.updated', version: 'v1', previous: undefined, at: 10, warnings: 1 } }]);
});

test('a broken change is reported once with its errors; the last good model keeps serving', () => {
  const [s1] = stepModel(initModel<string>(), { type: 'loaded', version: 'v1', model: 'M1', problems: [], valid: true }, 10);
  const [s2, fx2] = stepModel(s1, { type: 'loaded', version: 'v2', model: 'M2', problems: [warn, err], valid: false }, 20);
  assert.equal(s2, { current: { version: 'v1', model: 'M1', since: 10 }, stale: false, rejected: 'v2' });
  assert.equal(fx2, [{ type: 'emit', event: { type: 'model.rejected', version: 'v2', at: 20, serving: 'v1', problems: [err] } }]);
  const [s3, fx3] = stepModel(s2, { type: 'loaded', version: 'v2', model: 'M2', problems: [err], valid: false }, 30);
  assert.equal([s3, fx3], [s2, []]);
});

test('the same version again publishes nothing', () => {
  const [s1] = stepModel(initModel<string>(), { type: 'loaded', version: 'v1', model: 'M1', problems: [], valid: true }, 10);
  assert.equal(stepModel(s1, { type: 'loaded', version: 'v1', model: 'M1b', problems: [], valid: true }, 20), [s1, []]);
});

test('a failing source marks the model stale once; the next load makes it fresh', () => {
  const [s1] = stepModel(initModel<string>(), { type: 'loaded', version: 'v1', model: 'M1', problems: [], valid: true }, 10);
  const [s2, fx2] = stepModel(s1, { type: 'source-failed', code: 'VQ_ERR_IO', message: 'sot unreadable' }, 20);
  assert.equal(s2.stale, true);
  assert.equal(fx2, [{ type: 'emit', event: { type: 'model.stale', at: 20, serving: 'v1', code: 'VQ_ERR_IO', message: 'sot unreadable' } }]);
  assert.equal(stepModel(s2, { type: 'source-failed', code: 'VQ_ERR_IO', message: 'again' }, 25), [s2, []]);
  const [s3, fx3] = stepModel(s2, { type: 'loaded', version: 'v1', model: 'M1', problems: [], valid: true }, 30);
  assert.equal(s3, s1);
  assert.equal(fx3, [{ type: 'emit', event: { type: 'model.fresh', at: 30, version: 'v1' } }]);
});

test.run();
