// The actor helper: a pure step plus an effect runner, with a deadline timer
// effect on an injected clock, a bounded mailbox, ask/reply, and crashes
// that lose only what was queued.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isVaqueroError } from '../../src/errors.ts';
import { actorChild, type ActorRef, type Clock, type ReplyTo } from '../../src/supervisors/actor.ts';
import { startRoot, type Root } from '../../src/supervisors/root.ts';
import { supervisorSpec } from '../../src/supervisors/supervisor.ts';
import type { ChildSpec } from '../../src/supervisors/child.ts';
import { captureLogger, ManualClock, Recorder, waitFor } from './support.ts';

// ---- The example actor: watches a host's boot steps and raises a stall event
// when none arrives before its deadline. Pure; no imports of sockets or loggers.
type WatchMsg = { type: 'seen'; step: string } | { type: 'deadline' } | { type: 'get'; replyTo: ReplyTo<WatchState> };
interface WatchState {
  steps: string[];
  deadlineAt: number;
}
type WatchEvent = { type: 'boot.step'; step: string; at: number } | { type: 'boot.stalled'; at: number; last: string | null } | { type: 'boot.done'; at: number };
type WatchEffect = { type: 'timer'; at: number } | { type: 'emit'; event: WatchEvent } | { type: 'stop' } | { type: 'reply'; to: ReplyTo<WatchState>; state: WatchState };

const STALL_MS = 100;

function watchInit(now: number): [WatchState, WatchEffect[]] {
  return [{ steps: [], deadlineAt: now + STALL_MS }, [{ type: 'timer', at: now + STALL_MS }]];
}

function watchStep(s: WatchState, msg: WatchMsg, now: number): [WatchState, WatchEffect[]] {
  switch (msg.type) {
    case 'seen': {
      const next = { steps: [...s.steps, msg.step], deadlineAt: now + STALL_MS };
      const emit: WatchEffect = { type: 'emit', event: { type: 'boot.step', step: msg.step, at: now } };
      if (msg.step === 'checkpoint') return [next, [emit, { type: 'emit', event: { type: 'boot.done', at: now } }, { type: 'stop' }]];
      return [next, [emit, { type: 'timer', at: next.deadlineAt }]];
    }
    case 'deadline':
      if (now < s.deadlineAt) return [s, [{ type: 'timer', at: s.deadlineAt }]];
      return [s, [{ type: 'emit', event: { type: 'boot.stalled', at: now, last: s.steps.at(-1) ?? null } }, { type: 'stop' }]];
    case 'get':
      return [s, [{ type: 'reply', to: msg.replyTo, state: s }]];
  }
}

/** Wiring: the runner maps effects to the injected adapter (here an event sink) and the runtime's timers. */
function watchChild(clock: Clock, sink: WatchEvent[], step = watchStep): { spec: ChildSpec; ref: ActorRef<WatchMsg> } {
  return actorChild<WatchState, WatchMsg, WatchEffect>({
    id: 'boot-52:54:00:00:10:01',
    restart: 'transient',
    clock,
    def: { init: watchInit, step },
    run: (e, io) => {
      switch (e.type) {
        case 'timer':
          return io.timer('deadline', e.at, { type: 'deadline' });
        case 'emit':
          sink.push(e.event);
          return;
        case 'stop':
          return io.stop();
        case 'reply':
          return io.reply(e.to, e.state);
      }
    },
  });
}

async function rootOf(children: ChildSpec[]): Promise<Root> {
  return startRoot(supervisorSpec({ name: 'boot-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children }), {
    logger: captureLogger().logger,
    onFatal: (e) => assert.unreachable(`unexpected fatal: ${e.message}`),
    now: () => 0,
  });
}

test('example actor, pure: the whole next state and effects of each step', () => {
  const [s0, fx0] = watchInit(1000);
  assert.equal([s0, fx0], [{ steps: [], deadlineAt: 1100 }, [{ type: 'timer', at: 1100 }]]);
  const [s1, fx1] = watchStep(s0, { type: 'seen', step: 'dhcp' }, 1050);
  assert.equal([s1, fx1], [{ steps: ['dhcp'], deadlineAt: 1150 }, [{ type: 'emit', event: { type: 'boot.step', step: 'dhcp', at: 1050 } }, { type: 'timer', at: 1150 }]]);
  assert.equal(watchStep(s1, { type: 'deadline' }, 1100), [s1, [{ type: 'timer', at: 1150 }]]);
  assert.equal(watchStep(s1, { type: 'deadline' }, 1150), [s1, [{ type: 'emit', event: { type: 'boot.stalled', at: 1150, last: 'dhcp' } }, { type: 'stop' }]]);
});

test('under a supervisor: the deadline timer effect fires on the injected clock, moves with each step, and a stall ends the transient actor normally', async () => {
  const clock = new ManualClock(0);
  const events: WatchEvent[] = [];
  const rec = new Recorder();
  const w = watchChild(clock, events);
  const root = await rootOf([rec.wrap(w.spec)]);
  try {
    assert.is(clock.pending(), 1, 'init armed the deadline');
    clock.t = 50;
    assert.is(w.ref.tell({ type: 'seen', step: 'dhcp' }), 'ok');
    assert.equal(await w.ref.ask<WatchState>((replyTo) => ({ type: 'get', replyTo }), 1000), { steps: ['dhcp'], deadlineAt: 150 });
    assert.is(clock.pending(), 1, 'the same key replaced the first timer');
    clock.advance(70); // t=120: the old deadline (100) has passed, the new one (150) has not
    assert.equal(events, [{ type: 'boot.step', step: 'dhcp', at: 50 }]);
    clock.advance(40); // t=160
    await waitFor(() => events.length === 2, 'the stall event');
    assert.equal(events[1], { type: 'boot.stalled', at: 160, last: 'dhcp' });
    await waitFor(() => w.ref.tell({ type: 'seen', step: 'tftp' }) === 'down', 'the actor to refuse messages once done');
    assert.equal(await root.status(), [{ id: 'boot-52:54:00:00:10:01', running: false, incarnation: 1 }]);
    assert.is(rec.count('boot-52:54:00:00:10:01'), 1, 'a normal exit of a transient child is not restarted');
    assert.is(clock.pending(), 0, 'no timer outlives its actor');
  } finally {
    await root.stop();
  }
});

test('a checkpoint finishes the actor before its deadline; the timer is cleared', async () => {
  const clock = new ManualClock(0);
  const events: WatchEvent[] = [];
  const w = watchChild(clock, events);
  const root = await rootOf([w.spec]);
  try {
    clock.t = 10;
    w.ref.tell({ type: 'seen', step: 'checkpoint' });
    await waitFor(() => events.length === 2, 'done events');
    assert.equal(events, [{ type: 'boot.step', step: 'checkpoint', at: 10 }, { type: 'boot.done', at: 10 }]);
    await waitFor(() => clock.pending() === 0, 'the timer to be cleared');
    clock.advance(1000);
    assert.is(events.length, 2);
  } finally {
    await root.stop();
  }
});

test('a timer that wakes early (clamped far deadline, coarse clock) waits out the rest before delivering', async () => {
  // Fires every timer after half its delay, as a setTimeout clamped below the deadline would.
  class EarlyClock extends ManualClock {
    override setTimer(fn: () => void, ms: number): unknown {
      return super.setTimer(fn, Math.ceil(ms / 2));
    }
  }
  const clock = new EarlyClock(0);
  const events: WatchEvent[] = [];
  const deliveredAt: number[] = [];
  const w = watchChild(clock, events, (s, m, now) => {
    if (m.type === 'deadline') deliveredAt.push(now);
    return watchStep(s, m, now);
  });
  const root = await rootOf([w.spec]);
  try {
    clock.advance(99);
    assert.equal(events, []);
    assert.equal(await w.ref.ask<WatchState>((replyTo) => ({ type: 'get', replyTo }), 1000), { steps: [], deadlineAt: 100 }, 'the actor was not woken early');
    clock.advance(1);
    await waitFor(() => events.length === 1, 'the stall at the real deadline');
    assert.equal(events, [{ type: 'boot.stalled', at: 100, last: null }]);
    assert.equal(deliveredAt, [100], 'the deadline message was delivered once, at the deadline');
  } finally {
    await root.stop();
  }
});

// ---- A slow counter for the mailbox tests.
type CMsg = { type: 'inc' } | { type: 'get'; replyTo: ReplyTo<number> } | { type: 'throw' } | { type: 'ignore' };
type CFx = { type: 'reply'; to: ReplyTo<number>; value: number };
function countChild(limit: number, clock?: Clock): { spec: ChildSpec; ref: ActorRef<CMsg> } {
  return actorChild<number, CMsg, CFx>({
    id: 'counter',
    mailboxLimit: limit,
    ...(clock ? { clock } : {}),
    def: {
      init: () => [0, []],
      step: (n, m) => {
        if (m.type === 'throw') throw new Error('boom');
        if (m.type === 'get') return [n, [{ type: 'reply', to: m.replyTo, value: n }]];
        if (m.type === 'ignore') return [n, []];
        return [n + 1, []];
      },
    },
    run: (e, io) => io.reply(e.to, e.value),
  });
}

test('bounded mailbox: past the limit messages are refused and counted, one warning per burst, and nothing crashes', async () => {
  const rec = new Recorder();
  const c = countChild(3);
  const cap = captureLogger();
  const root = await startRoot(supervisorSpec({ name: 'svc-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [rec.wrap(c.spec)] }), {
    logger: cap.logger,
    onFatal: () => assert.unreachable('no fatal'),
  });
  try {
    const results = Array.from({ length: 10 }, () => c.ref.tell({ type: 'inc' }));
    assert.equal(results, ['ok', 'ok', 'ok', 'full', 'full', 'full', 'full', 'full', 'full', 'full']);
    const askErr = await c.ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), 1000).catch((e: unknown) => e);
    assert.ok(isVaqueroError(askErr) && askErr.code === 'VQ_ERR_MAILBOX_FULL');
    await waitFor(() => c.ref.stats().queued === 0, 'the mailbox to drain');
    assert.is(await c.ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), 1000), 3);
    assert.equal(c.ref.stats(), { limit: 3, queued: 0, accepted: 4, overflowed: 8, refusedDown: 0, lost: 0 });
    const warns = () => cap.lines.filter((l) => l.msg === 'mailbox full; dropping messages');
    assert.equal(warns().map((l) => [l.level, l.actor, l.overflowed]), [[40, 'counter', 1]]);
    // A second burst after the mailbox recovered warns once more.
    for (let i = 0; i < 5; i++) c.ref.tell({ type: 'inc' });
    assert.equal(warns().map((l) => l.overflowed), [1, 9]);
    assert.is(rec.count('counter'), 1);
  } finally {
    await root.stop();
  }
});

test('a crash loses only the messages queued behind it (counted); the new incarnation starts fresh', async () => {
  const rec = new Recorder();
  const c = countChild(100);
  const root = await startRoot(supervisorSpec({ name: 'svc-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [rec.wrap(c.spec)] }), {
    logger: captureLogger().logger,
    onFatal: () => assert.unreachable('no fatal'),
  });
  try {
    c.ref.tell({ type: 'inc' });
    c.ref.tell({ type: 'throw' });
    c.ref.tell({ type: 'inc' });
    c.ref.tell({ type: 'inc' });
    await waitFor(() => rec.count('counter') === 2, 'restart');
    await root.status();
    assert.is(c.ref.stats().lost, 2);
    assert.is(await c.ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), 1000), 0);
  } finally {
    await root.stop();
  }
  assert.is(c.ref.tell({ type: 'inc' }), 'down');
  const err = await c.ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), 1000).catch((e: unknown) => e);
  assert.ok(isVaqueroError(err) && err.code === 'VQ_ERR_ACTOR_DOWN');
  assert.is(c.ref.stats().refusedDown, 2);
});

test('an ask that gets no reply times out on the actor clock', async () => {
  const clock = new ManualClock(0);
  const c = countChild(10, clock);
  const root = await startRoot(supervisorSpec({ name: 'svc-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [c.spec] }), {
    logger: captureLogger().logger,
    onFatal: () => assert.unreachable('no fatal'),
  });
  try {
    const p = c.ref.ask<number>(() => ({ type: 'ignore' }), 500).catch((e: unknown) => e);
    await waitFor(() => c.ref.stats().queued === 0, 'the message to be handled');
    clock.advance(500);
    const err = await p;
    assert.ok(isVaqueroError(err) && err.code === 'VQ_ERR_ASK_TIMEOUT');
  } finally {
    await root.stop();
  }
});

test('an ask pending on an incarnation that crashes is rejected at once, not at its timeout', async () => {
  const clock = new ManualClock(0); // the ask timer never fires unless the test advances it
  const c = countChild(10, clock);
  const rec = new Recorder();
  const root = await startRoot(supervisorSpec({ name: 'svc-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [rec.wrap(c.spec)] }), {
    logger: captureLogger().logger,
    onFatal: () => assert.unreachable('no fatal'),
  });
  try {
    let outcome: unknown;
    c.ref.ask<number>(() => ({ type: 'throw' }), 60_000).then(
      () => (outcome = 'resolved'),
      (e: unknown) => (outcome = e),
    );
    await waitFor(() => outcome !== undefined, 'the ask to settle');
    assert.ok(isVaqueroError(outcome) && outcome.code === 'VQ_ERR_ACTOR_DOWN');
    assert.is((outcome as Error).message, 'actor counter stopped before replying');
    await waitFor(() => rec.count('counter') === 2, 'restart');
    assert.is(await c.ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), 1000), 0);
    assert.is(clock.pending(), 0, 'answered asks leave no timer behind');
  } finally {
    await root.stop();
  }
});

test('a throw in init fails the start (a failed start, not a crash)', async () => {
  const a = actorChild<number, CMsg, CFx>({
    id: 'bad-init',
    def: {
      init: () => {
        throw new Error('cannot init');
      },
      step: (n) => [n, []],
    },
    run: () => undefined,
  });
  const err = await startRoot(supervisorSpec({ name: 'svc-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [a.spec] }), {
    logger: captureLogger().logger,
    onFatal: () => assert.unreachable('no fatal'),
  }).catch((e: unknown) => e);
  assert.ok(isVaqueroError(err) && err.code === 'VQ_ERR_CHILD_START');
  assert.is((err.cause as Error).message, 'cannot init');
  assert.is(a.ref.tell({ type: 'inc' }), 'down');
});

test.run();
