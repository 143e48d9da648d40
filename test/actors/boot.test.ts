import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, step, type BootState } from '../../src/actors/boot.ts';

const MAC = '52:54:00:00:10:01';

test('init arms the stall deadline', () => {
  const [s, fx] = init(MAC, 'worker-1', 1000, 60_000);
  assert.equal(s, { mac: MAC, host: 'worker-1', startedAt: 1000, stage: undefined, reached: [], deadlineAt: 61_000, stallAfterMs: 60_000, done: false });
  assert.equal(fx, [{ type: 'timer', at: 61_000 }]);
});

test('each new stage is reported once and moves the deadline; repeats only move the deadline; neither touches the armed timer', () => {
  let [s] = init(MAC, 'worker-1', 0, 1000);
  let fx;
  [s, fx] = step(s, { type: 'observed', stage: 'dhcp' }, 100);
  assert.equal(fx, [{ type: 'emit', event: { type: 'boot.stage', mac: MAC, host: 'worker-1', stage: 'dhcp', at: 100, elapsedMs: 100 } }]);
  assert.equal(s.deadlineAt, 1100);
  [s, fx] = step(s, { type: 'observed', stage: 'tftp', detail: 'snponly.efi' }, 200);
  assert.equal(fx[0], { type: 'emit', event: { type: 'boot.stage', mac: MAC, host: 'worker-1', stage: 'tftp', at: 200, elapsedMs: 200, detail: 'snponly.efi' } });
  const before = s;
  [s, fx] = step(s, { type: 'observed', stage: 'dhcp' }, 300);
  assert.equal(fx, []);
  assert.equal(s, { ...before, deadlineAt: 1300 });
  assert.equal(s.reached.map((r) => r.stage), ['dhcp', 'tftp']);
});

test('checkpoint completes the boot and stops the actor; later messages are ignored', () => {
  let [s] = init(MAC, 'worker-1', 0, 1000);
  for (const [stage, at] of [['dhcp', 10], ['ipxe', 20], ['kernel', 30], ['initrd', 40], ['config', 50]] as const) [s] = step(s, { type: 'observed', stage }, at);
  const [done, fx] = step(s, { type: 'observed', stage: 'checkpoint', detail: 'flatcar-worker' }, 90);
  assert.equal(fx, [
    { type: 'emit', event: { type: 'boot.stage', mac: MAC, host: 'worker-1', stage: 'checkpoint', at: 90, elapsedMs: 90, detail: 'flatcar-worker' } },
    { type: 'emit', event: { type: 'boot.done', mac: MAC, host: 'worker-1', at: 90, elapsedMs: 90 } },
    { type: 'stop', reason: 'done' },
  ]);
  assert.equal(done.done, true);
  assert.equal(step(done, { type: 'deadline' }, 5000), [done, []]);
});

test('a deadline that has moved re-arms; one that passed raises boot.stalled with the last stage', () => {
  let [s]: [BootState, unknown] = init(MAC, 'worker-1', 0, 1000);
  [s] = step(s, { type: 'observed', stage: 'tftp' }, 500);
  const [early, fx1] = step(s, { type: 'deadline' }, 1000);
  assert.equal(fx1, [{ type: 'timer', at: 1500 }]);
  assert.equal(early, s);
  const [stalled, fx2] = step(s, { type: 'deadline' }, 1500);
  assert.equal(fx2, [{ type: 'emit', event: { type: 'boot.stalled', mac: MAC, host: 'worker-1', at: 1500, stage: 'tftp', idleMs: 1000 } }, { type: 'stop', reason: 'stalled' }]);
  assert.equal(stalled.done, true);
});

test('a host that never got past its first packet stalls at stage none', () => {
  const [s] = init(MAC, 'worker-1', 0, 1000);
  const [, fx] = step(s, { type: 'deadline' }, 1000);
  assert.equal(fx[0], { type: 'emit', event: { type: 'boot.stalled', mac: MAC, host: 'worker-1', at: 1000, stage: 'none', idleMs: 1000 } });
});

test.run();
