// A real nact tree: crash one actor (a throw in its handler, or a promise its
// handler awaits rejecting) and assert exactly which children restarted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { actorChild, type ActorRef, type ReplyTo } from '../../src/supervisors/actor.ts';
import { startRoot, type Root } from '../../src/supervisors/root.ts';
import { supervisorSpec, type Strategy } from '../../src/supervisors/supervisor.ts';
import type { VaqueroError } from '../../src/errors.ts';
import { captureLogger, Recorder, waitFor } from './support.ts';

type CounterMsg = { type: 'inc' } | { type: 'get'; replyTo: ReplyTo<number> } | { type: 'throw' } | { type: 'reject' };
type CounterEffect = { type: 'reply'; to: ReplyTo<number>; value: number } | { type: 'write'; fail: boolean };

// Pure: a throw here is a handler crash; a `write` that fails is a rejected promise the handler awaits.
function step(n: number, msg: CounterMsg): [number, CounterEffect[]] {
  switch (msg.type) {
    case 'inc':
      return [n + 1, []];
    case 'get':
      return [n, [{ type: 'reply', to: msg.replyTo, value: n }]];
    case 'throw':
      throw new Error('step threw');
    case 'reject':
      return [n, [{ type: 'write', fail: true }]];
  }
}

function counter(id: string, rec: Recorder): { spec: ReturnType<Recorder['wrap']>; ref: ActorRef<CounterMsg> } {
  const a = actorChild<number, CounterMsg, CounterEffect>({
    id,
    def: { init: () => [0, []], step: (s, m) => step(s, m) },
    run: async (e, io) => {
      if (e.type === 'reply') return io.reply(e.to, e.value);
      // Stands in for an adapter call (a socket write) that fails a tick later.
      await new Promise((r) => setImmediate(r));
      if (e.fail) throw new Error('write rejected');
    },
  });
  return { spec: rec.wrap(a.spec), ref: a.ref };
}

async function tree(strategy: Strategy): Promise<{ root: Root; rec: Recorder; refs: Record<string, ActorRef<CounterMsg>>; fatal: VaqueroError[] }> {
  const rec = new Recorder();
  const kids = ['a', 'b', 'c'].map((id) => counter(id, rec));
  const fatal: VaqueroError[] = [];
  const root = await startRoot(supervisorSpec({ name: 'test-sup', strategy, policy: 'va-actor-crash', children: kids.map((k) => k.spec) }), {
    logger: captureLogger().logger,
    onFatal: (e) => fatal.push(e),
    now: () => 0,
  });
  const refs = Object.fromEntries(kids.map((k) => [k.ref.id, k.ref]));
  return { root, rec, refs, fatal };
}

const get = (ref: ActorRef<CounterMsg> | undefined): Promise<number> => {
  if (ref === undefined) throw new Error('no such ref');
  return ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), 1000);
};

const expected: Record<Strategy, { starts: Record<string, number>; events: string[] }> = {
  one_for_one: { starts: { a: 1, b: 2, c: 1 }, events: ['stop:b', 'start:b'] },
  one_for_all: { starts: { a: 2, b: 2, c: 2 }, events: ['stop:b', 'stop:c', 'stop:a', 'start:a', 'start:b', 'start:c'] },
  rest_for_one: { starts: { a: 1, b: 2, c: 2 }, events: ['stop:b', 'stop:c', 'start:b', 'start:c'] },
};

for (const strategy of ['one_for_one', 'one_for_all', 'rest_for_one'] as const) {
  for (const how of ['throw', 'reject'] as const) {
    test(`${strategy}: b crashes by ${how === 'throw' ? 'throwing in its handler' : 'a rejected promise in its handler'}; exactly the right children restart`, async () => {
      const { root, rec, refs, fatal } = await tree(strategy);
      try {
        assert.equal(rec.events, ['start:a', 'start:b', 'start:c']);
        for (const ref of Object.values(refs)) assert.is(ref.tell({ type: 'inc' }), 'ok');
        assert.equal([await get(refs.a), await get(refs.b), await get(refs.c)], [1, 1, 1]);
        rec.events = [];
        assert.is(refs.b?.tell({ type: how }), 'ok');
        await waitFor(() => rec.count('b') === 2, 'b to restart');
        await root.status(); // the supervisor handles one exit at a time: once it answers, this restart is complete
        assert.equal(rec.counts(['a', 'b', 'c']), expected[strategy].starts);
        assert.equal(rec.events, expected[strategy].events);
        // A restarted actor starts from its initial state; one left alone keeps its state.
        const after = [await get(refs.a), await get(refs.b), await get(refs.c)];
        assert.equal(after, ['a', 'b', 'c'].map((id) => (expected[strategy].starts[id] === 2 ? 0 : 1)));
        assert.equal(await root.status(), ['a', 'b', 'c'].map((id) => ({ id, running: true, incarnation: expected[strategy].starts[id] })));
        assert.equal(fatal, []);
      } finally {
        await root.stop();
      }
    });
  }
}

test('a crash never surfaces as an unhandled rejection or exception', async () => {
  const seen: unknown[] = [];
  const onErr = (e: unknown): void => void seen.push(e);
  process.on('unhandledRejection', onErr);
  process.on('uncaughtException', onErr);
  const { root, rec, refs } = await tree('one_for_one');
  try {
    refs.a?.tell({ type: 'reject' });
    await waitFor(() => rec.count('a') === 2, 'a to restart');
    refs.a?.tell({ type: 'throw' });
    await waitFor(() => rec.count('a') === 3, 'a to restart again');
    await root.status();
    await new Promise((r) => setImmediate(r));
    assert.equal(seen, []);
  } finally {
    process.off('unhandledRejection', onErr);
    process.off('uncaughtException', onErr);
    await root.stop();
  }
});

test.run();
