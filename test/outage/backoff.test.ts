import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextDelay, type BackoffPolicy } from '../../src/outage/backoff.ts';

const p: BackoffPolicy = { baseMs: 100, factor: 2, maxMs: 1000, jitter: 0 };
const none = (): number => 0;

test('no jitter: base, doubling, then the cap', () => {
  assert.equal([0, 1, 2, 3, 4, 5, 10].map((a) => nextDelay(a, p, none)), [100, 200, 400, 800, 1000, 1000, 1000]);
});

test('jitter takes up to that fraction off, never adds', () => {
  const j = { ...p, jitter: 0.5 };
  assert.is(nextDelay(2, j, () => 0), 400);
  assert.is(nextDelay(2, j, () => 0.5), 300);
  assert.is(nextDelay(2, j, () => 0.999999), 200);
  assert.is(nextDelay(9, j, () => 0.999999), 500);
});

test('full jitter can reach zero but no lower', () => {
  assert.is(nextDelay(0, { ...p, jitter: 1 }, () => 0.999999), 0);
});

test('a random source out of [0,1) is clamped', () => {
  assert.is(nextDelay(0, { ...p, jitter: 0.5 }, () => 7), 50);
  assert.is(nextDelay(0, { ...p, jitter: 0.5 }, () => -3), 100);
});

test('odd attempts: negative and fractional floor to >= 0, huge and Infinity stay at the cap', () => {
  assert.is(nextDelay(-5, p, none), 100);
  assert.is(nextDelay(1.9, p, none), 200);
  assert.is(nextDelay(5000, p, none), 1000);
  assert.is(nextDelay(Number.POSITIVE_INFINITY, p, none), 1000);
  assert.is(nextDelay(Number.NaN, p, none), 100);
});

test('factor 1 is a constant delay', () => {
  assert.is(nextDelay(30, { ...p, factor: 1 }, none), 100);
});

test('nonsense policies are programmer errors', () => {
  for (const bad of [
    { ...p, baseMs: 0 },
    { ...p, factor: 0.5 },
    { ...p, maxMs: 50 },
    { ...p, jitter: 1.5 },
    { ...p, jitter: -0.1 },
    { ...p, maxMs: Number.POSITIVE_INFINITY },
  ]) {
    assert.throws(() => nextDelay(0, bad, none), /backoff policy out of range/, JSON.stringify(bad));
  }
});

test.run();
