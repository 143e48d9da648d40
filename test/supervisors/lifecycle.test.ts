// Start in order, stop in reverse (nested), restart types, shutdownMs, and
// exits from incarnations that are already gone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildContext, ChildSpec } from '../../src/supervisors/child.ts';
import { isVaqueroError } from '../../src/errors.ts';
import { restartBudgetFor } from '../../src/outage/table.ts';
import { startRoot } from '../../src/supervisors/root.ts';
import { supervisorChild, supervisorSpec, type Strategy } from '../../src/supervisors/supervisor.ts';
import { captureLogger, Probes, Recorder, waitFor } from './support.ts';

const noFatal = (): void => assert.unreachable('no fatal expected');

test('children start in order and stop in reverse, subtrees included', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  const sub = supervisorSpec({ name: 'services-sup', strategy: 'one_for_one', policy: 'va-dhcp-crash', children: ['d', 'e'].map((id) => rec.wrap(probes.spec(id))) });
  const top = supervisorSpec({
    name: 'agent-sup',
    strategy: 'one_for_all',
    policy: 'va-actor-crash',
    children: [rec.wrap(probes.spec('a')), rec.wrap(supervisorChild(sub)), rec.wrap(probes.spec('c'))],
  });
  const root = await startRoot(top, { logger: captureLogger().logger, onFatal: noFatal });
  assert.equal(rec.events, ['start:a', 'start:services-sup', 'start:d', 'start:e', 'start:c']);
  rec.events = [];
  await root.stop();
  assert.equal(rec.events, ['stop:c', 'stop:services-sup', 'stop:e', 'stop:d', 'stop:a']);
});

const restartCases: Array<[ChildSpec['restart'], 'crash' | 'finish', boolean]> = [
  ['permanent', 'crash', true],
  ['permanent', 'finish', true],
  ['transient', 'crash', true],
  ['transient', 'finish', false],
  ['temporary', 'crash', false],
  ['temporary', 'finish', false],
];

for (const [restart, how, again] of restartCases) {
  test(`${restart} child that exits by ${how}: ${again ? 'restarted' : 'not restarted'}`, async () => {
    const rec = new Recorder();
    const probes = new Probes();
    const spec = supervisorSpec({ name: 'x-sup', strategy: 'one_for_all', policy: 'va-actor-crash', children: [rec.wrap(probes.spec('k', { restart })), rec.wrap(probes.spec('other'))] });
    const root = await startRoot(spec, { logger: captureLogger().logger, onFatal: noFatal });
    try {
      rec.events = [];
      if (how === 'crash') probes.crash('k');
      else probes.finish('k');
      await waitFor(() => rec.events.includes('stop:k'), 'the exit to be handled');
      const status = await root.status();
      assert.is(rec.count('k'), again ? 2 : 1);
      // one_for_all: siblings restart only when the exited child is restarted.
      assert.is(rec.count('other'), again ? 2 : 1);
      const k = { id: 'k', running: again, incarnation: again ? 2 : 1 };
      assert.equal(status, [...(restart === 'temporary' ? [] : [k]), { id: 'other', running: true, incarnation: again ? 2 : 1 }]);
    } finally {
      await root.stop();
    }
  });
}

for (const strategy of ['one_for_all', 'rest_for_one'] as Strategy[]) {
  test(`${strategy}: a temporary sibling is stopped with the rest and not restarted`, async () => {
    const rec = new Recorder();
    const probes = new Probes();
    const spec = supervisorSpec({
      name: 'x-sup',
      strategy,
      policy: 'va-actor-crash',
      children: [rec.wrap(probes.spec('a')), rec.wrap(probes.spec('t', { restart: 'temporary' })), rec.wrap(probes.spec('c'))],
    });
    const root = await startRoot(spec, { logger: captureLogger().logger, onFatal: noFatal });
    try {
      rec.events = [];
      probes.crash('a');
      await waitFor(() => rec.count('a') === 2, 'restart');
      assert.equal(await root.status(), [
        { id: 'a', running: true, incarnation: 2 },
        { id: 'c', running: true, incarnation: 2 },
      ]);
      assert.equal(rec.events, ['stop:a', 'stop:c', 'stop:t', 'start:a', 'start:c']);
    } finally {
      await root.stop();
    }
  });
}

test('a child that overruns shutdownMs is killed and the stop goes on', async () => {
  const rec = new Recorder();
  let killed = 0;
  const stuck: ChildSpec = {
    id: 'stuck',
    restart: 'permanent',
    shutdownMs: 20,
    start: () => Promise.resolve({ stop: () => new Promise<void>(() => undefined), kill: () => void (killed += 1) }),
  };
  const probes = new Probes();
  const { logger, lines } = captureLogger();
  const root = await startRoot(supervisorSpec({ name: 'x-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [rec.wrap(probes.spec('first')), rec.wrap(stuck)] }), {
    logger,
    onFatal: noFatal,
  });
  rec.events = [];
  await root.stop();
  assert.is(killed, 1);
  assert.equal(rec.events, ['stop:stuck', 'stop:first']);
  assert.equal(lines.filter((l) => l.level === 40).map((l) => [l.msg, l.child, l.shutdownMs]), [['child did not stop in time; killing it', 'stuck', 20]]);
});

test('exits from an old incarnation, or a second exit from the same one, are ignored', async () => {
  const rec = new Recorder();
  const ctxs: ChildContext[] = [];
  const spec: ChildSpec = {
    id: 'w',
    restart: 'permanent',
    shutdownMs: 100,
    start: (ctx) => {
      ctxs.push(ctx);
      return Promise.resolve({ stop: () => Promise.resolve() });
    },
  };
  const root = await startRoot(supervisorSpec({ name: 'x-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [rec.wrap(spec)] }), {
    logger: captureLogger().logger,
    onFatal: noFatal,
  });
  try {
    const first = ctxs[0] as ChildContext;
    first.exit({ kind: 'crash', error: new Error('1') });
    first.exit({ kind: 'crash', error: new Error('again') });
    await waitFor(() => rec.count('w') === 2, 'restart');
    first.exit({ kind: 'crash', error: new Error('late') });
    assert.equal(await root.status(), [{ id: 'w', running: true, incarnation: 2 }]);
    assert.is(rec.count('w'), 2);
    assert.equal(ctxs.map((c) => c.incarnation), [1, 2]);
  } finally {
    await root.stop();
  }
});

test('specs that cannot work are refused at start', async () => {
  const probes = new Probes();
  const dup = supervisorSpec({ name: 'x-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [probes.spec('a'), probes.spec('a')] });
  await startRoot(dup, { logger: captureLogger().logger, onFatal: noFatal }).then(
    () => assert.unreachable('started'),
    (e: Error) => assert.is(e.message, 'supervisor x-sup: duplicate child id a'),
  );
  const bad = { ...supervisorSpec({ name: 'x-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [] }), intensity: -1 };
  await startRoot(bad, { logger: captureLogger().logger, onFatal: noFatal }).then(
    () => assert.unreachable('started'),
    (e: Error) => assert.match(e.message, /intensity must be an integer >= 0/),
  );
});

test('dynamic children: added to a running subtree through its handle, forgotten once done, gone when the subtree restarts', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  const bootSup = supervisorChild(supervisorSpec({ name: 'boot-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [] }));
  const top = supervisorSpec({ name: 'agent-sup', strategy: 'one_for_one', policy: 'vs-actor-crash', children: [rec.wrap(bootSup)] });
  const root = await startRoot(top, { logger: captureLogger().logger, onFatal: noFatal });
  try {
    await bootSup.handle.startChild(rec.wrap(probes.spec('boot-h1', { restart: 'transient' })));
    await bootSup.handle.startChild(rec.wrap(probes.spec('boot-h2', { restart: 'transient' })));
    const dup = await bootSup.handle.startChild(probes.spec('boot-h1')).catch((e: Error) => e.message);
    assert.is(dup, 'supervisor boot-sup: duplicate child id boot-h1');
    const failed = await bootSup.handle.startChild(probes.spec('boot-bad', { failStart: () => true })).catch((e: unknown) => e);
    assert.ok(isVaqueroError(failed) && failed.code === 'VQ_ERR_CHILD_START');
    probes.crash('boot-h1');
    await waitFor(() => rec.count('boot-h1') === 2, 'a crashed transient dynamic child to restart');
    probes.finish('boot-h1');
    await waitFor(() => rec.events.filter((e) => e === 'stop:boot-h1').length === 2, 'the finished child to be stopped');
    assert.equal(await bootSup.handle.status(), [{ id: 'boot-h2', running: true, incarnation: 1 }]);
    assert.is(await bootSup.handle.terminateChild('boot-h2'), true);
    assert.is(await bootSup.handle.terminateChild('boot-h2'), false);
    assert.equal(await bootSup.handle.status(), []);
    await bootSup.handle.startChild(rec.wrap(probes.spec('boot-h3')));
    assert.is(await root.terminateChild('boot-sup'), true);
    const down = await bootSup.handle.status().catch((e: unknown) => e);
    assert.ok(isVaqueroError(down) && down.code === 'VQ_ERR_ACTOR_DOWN');
    assert.equal(await root.status(), []);
  } finally {
    await root.stop();
  }
  assert.ok(rec.events.includes('stop:boot-h3'));
});

test('restartChild: a new incarnation on request, in place, not charged to the budget; a failed start leaves the child stopped until a restart succeeds', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  let refuse = false;
  const reports: unknown[] = [];
  const svcSup = supervisorChild(
    supervisorSpec({ name: 'tftp-sup', strategy: 'one_for_one', policy: 'va-tftp-crash', children: [rec.wrap(probes.spec('tftp', { failStart: () => refuse })), rec.wrap(probes.spec('other'))] }),
  );
  const root = await startRoot(supervisorSpec({ name: 'agent-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [svcSup] }), {
    logger: captureLogger().logger,
    onFatal: noFatal,
    onReport: (r) => reports.push(r),
  });
  try {
    // More restarts than the budget allows crashes: none of them counts.
    const budget = restartBudgetFor('va-tftp-crash').intensity;
    for (let i = 0; i <= budget + 1; i++) await svcSup.handle.restartChild('tftp');
    assert.equal(rec.counts(['tftp', 'other']), { tftp: budget + 3, other: 1 });
    assert.equal(await svcSup.handle.status(), [
      { id: 'tftp', running: true, incarnation: budget + 3 },
      { id: 'other', running: true, incarnation: 1 },
    ]);
    assert.equal(reports, []);
    // The old incarnation is stopped before the new one starts (a port is free again).
    assert.equal(rec.events.slice(-2), ['stop:tftp', 'start:tftp']);
    refuse = true;
    const failed = await svcSup.handle.restartChild('tftp').catch((e: unknown) => e);
    assert.ok(isVaqueroError(failed) && failed.code === 'VQ_ERR_CHILD_START');
    assert.equal((await svcSup.handle.status())[0], { id: 'tftp', running: false, incarnation: budget + 4 });
    refuse = false;
    await svcSup.handle.restartChild('tftp');
    assert.equal((await svcSup.handle.status())[0], { id: 'tftp', running: true, incarnation: budget + 5 });
    // Its crashes are still supervised as before.
    probes.crash('tftp');
    await waitFor(() => rec.count('tftp') === budget + 6, 'the crashed child to restart');
    assert.is(reports.length, 1);
    const missing = await svcSup.handle.restartChild('nope').catch((e: unknown) => e);
    assert.ok(isVaqueroError(missing) && missing.code === 'VQ_ERR_ACTOR_DOWN');
  } finally {
    await root.stop();
  }
});

test('a restarted subtree comes back with its static children only; the handle follows the new incarnation', async () => {
  const probes = new Probes();
  const rec = new Recorder();
  const bootSup = supervisorChild(supervisorSpec({ name: 'boot-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [rec.wrap(probes.spec('cache'))] }));
  const root = await startRoot(supervisorSpec({ name: 'agent-sup', strategy: 'one_for_one', policy: 'vs-actor-crash', children: [bootSup, rec.wrap(probes.spec('crasher'))] }), {
    logger: captureLogger().logger,
    onFatal: noFatal,
    now: () => 0,
  });
  try {
    await bootSup.handle.startChild(probes.spec('boot-h1'));
    // Make boot-sup give up: its budget is spent by its static child.
    const budget = restartBudgetFor('va-actor-crash').intensity;
    for (let i = 0; i <= budget; i++) {
      const before = rec.count('cache');
      probes.crash('cache');
      await waitFor(() => rec.count('cache') > before, 'cache restart');
    }
    await root.status();
    assert.equal(await bootSup.handle.status(), [{ id: 'cache', running: true, incarnation: 1 }]);
    assert.equal((await root.status()).map((c) => [c.id, c.incarnation]), [['boot-sup', 2], ['crasher', 1]]);
  } finally {
    await root.stop();
  }
});

test('stop is idempotent (also when called twice at once); a stopped tree answers ACTOR_DOWN instead of hanging', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  const root = await startRoot(supervisorSpec({ name: 'x-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [rec.wrap(probes.spec('a'))] }), {
    logger: captureLogger().logger,
    onFatal: noFatal,
  });
  await Promise.all([root.stop(), root.stop()]);
  await root.stop();
  assert.equal(rec.events, ['start:a', 'stop:a']);
  for (const late of [root.status(), root.startChild(probes.spec('b')), root.terminateChild('a')]) {
    const err = await late.then(() => undefined, (e: unknown) => e);
    assert.ok(isVaqueroError(err) && err.code === 'VQ_ERR_ACTOR_DOWN');
  }
});

test.run();
