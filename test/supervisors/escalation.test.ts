// Restart budgets on a real nact tree: restart while the budget allows,
// then stop the children in reverse and escalate; the root turns the last
// escalation into a logged fatal error and the onFatal callback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isVaqueroError, type VaqueroError } from '../../src/errors.ts';
import { restartBudgetFor } from '../../src/outage/table.ts';
import { startRoot } from '../../src/supervisors/root.ts';
import { supervisorChild, supervisorSpec } from '../../src/supervisors/supervisor.ts';
import { captureLogger, Probes, Recorder, waitFor } from './support.ts';

const DHCP = restartBudgetFor('va-dhcp-crash'); // the sub-supervisor's budget in these tests
const ACTORS = restartBudgetFor('va-actor-crash');

test('within the budget every crash restarts; one more gives up, stops children in reverse and reaches onFatal', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  const fatal: VaqueroError[] = [];
  const { logger, lines } = captureLogger();
  const spec = supervisorSpec({ name: 'svc-sup', strategy: 'one_for_one', policy: 'va-dhcp-crash', children: ['x', 'y', 'z'].map((id) => rec.wrap(probes.spec(id))) });
  const root = await startRoot(spec, { logger, onFatal: (e) => fatal.push(e), now: () => 1000 });
  try {
    for (let i = 1; i <= DHCP.intensity; i++) {
      probes.crash('y');
      await waitFor(() => rec.count('y') === i + 1, `restart ${i}`);
    }
    await root.status();
    assert.equal(rec.counts(['x', 'y', 'z']), { x: 1, y: DHCP.intensity + 1, z: 1 });
    assert.equal(fatal, []);
    rec.events = [];
    probes.crash('y', new Error('the last straw'));
    await waitFor(() => fatal.length === 1, 'the fatal callback');
    assert.equal(rec.events, ['stop:y', 'stop:z', 'stop:x']);
    const [reason] = fatal;
    assert.ok(reason !== undefined && isVaqueroError(reason));
    assert.is(reason.code, 'VQ_ERR_SUPERVISOR_GAVE_UP');
    assert.is(reason.message, `supervisor svc-sup gave up: more than ${DHCP.intensity} restarts in ${DHCP.periodMs} ms (outage row va-dhcp-crash); last crash in y`);
    assert.is((reason.cause as Error).message, 'the last straw');
    const fatalLines = lines.filter((l) => l.level === 60);
    assert.equal(fatalLines.map((l) => [l.msg, l.sup, (l.err as { code?: string }).code]), [['supervision tree gave up; the process must exit', 'svc-sup', 'VQ_ERR_SUPERVISOR_GAVE_UP']]);
    assert.equal(rec.counts(['x', 'y', 'z']), { x: 1, y: DHCP.intensity + 1, z: 1 });
  } finally {
    await root.stop();
  }
  assert.equal(fatal.length, 1, 'stop after a fatal escalation does not report again');
});

test('the period slides: with the injected clock past periodMs the old restarts no longer count', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  const fatal: VaqueroError[] = [];
  let now = 0;
  const spec = supervisorSpec({ name: 'svc-sup', strategy: 'one_for_one', policy: 'va-dhcp-crash', children: [rec.wrap(probes.spec('d'))] });
  const root = await startRoot(spec, { logger: captureLogger().logger, onFatal: (e) => fatal.push(e), now: () => now });
  try {
    let starts = 1;
    for (const t of [0, 1, 2, DHCP.periodMs + 1, DHCP.periodMs + 2]) {
      now = t;
      probes.crash('d');
      starts += 1;
      await waitFor(() => rec.count('d') === starts, `restart at ${t}`);
    }
    await root.status();
    assert.equal(fatal, [], 'only two restarts fall in the window ending at periodMs + 2');
    now = DHCP.periodMs + 3;
    probes.crash('d');
    starts += 1;
    await waitFor(() => rec.count('d') === starts, 'third restart in the new window');
    now = DHCP.periodMs + 4;
    probes.crash('d');
    await waitFor(() => fatal.length === 1, 'give-up on the fourth in one window');
  } finally {
    await root.stop();
  }
});

test('a sub-supervisor that gives up escalates to its parent, which restarts only that subtree', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  const fatal: VaqueroError[] = [];
  const { logger, lines } = captureLogger();
  const sub = supervisorSpec({ name: 'services-sup', strategy: 'one_for_one', policy: 'va-dhcp-crash', children: ['p', 'q'].map((id) => rec.wrap(probes.spec(id))) });
  const top = supervisorSpec({
    name: 'agent-sup',
    strategy: 'one_for_one',
    policy: 'va-actor-crash',
    children: [rec.wrap(probes.spec('x')), rec.wrap(supervisorChild(sub))],
  });
  const root = await startRoot(top, { logger, onFatal: (e) => fatal.push(e), now: () => 0 });
  try {
    assert.equal(rec.events, ['start:x', 'start:services-sup', 'start:p', 'start:q']);
    for (let i = 1; i <= DHCP.intensity; i++) {
      probes.crash('p');
      await waitFor(() => rec.count('p') === i + 1, `p restart ${i}`);
    }
    rec.events = [];
    probes.crash('p');
    await waitFor(() => rec.count('services-sup') === 2, 'the parent to restart the subtree');
    await root.status();
    assert.equal(rec.events, ['stop:p', 'stop:q', 'stop:services-sup', 'start:services-sup', 'start:p', 'start:q']);
    assert.equal(rec.counts(['x', 'services-sup', 'p', 'q']), { x: 1, 'services-sup': 2, p: DHCP.intensity + 2, q: 2 });
    assert.equal(fatal, []);
    assert.ok(lines.some((l) => l.msg === 'restart budget exhausted; stopping children and escalating' && l.sup === 'services-sup'));
    assert.equal(await root.status(), [
      { id: 'x', running: true, incarnation: 1 },
      { id: 'services-sup', running: true, incarnation: 2 },
    ]);
  } finally {
    await root.stop();
  }
});

test('escalations that exhaust every level end at the root: one fatal, whole tree stopped in reverse', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  const fatal: VaqueroError[] = [];
  const sub = supervisorSpec({ name: 'services-sup', strategy: 'one_for_one', policy: 'va-dhcp-crash', children: [rec.wrap(probes.spec('p'))] });
  const top = supervisorSpec({ name: 'agent-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [rec.wrap(probes.spec('x')), rec.wrap(supervisorChild(sub))] });
  const root = await startRoot(top, { logger: captureLogger().logger, onFatal: (e) => fatal.push(e), now: () => 0 });
  try {
    // Each sub-supervisor incarnation absorbs DHCP.intensity crashes and gives up on the next;
    // the top restarts it ACTORS.intensity times and gives up on the next escalation.
    for (let round = 0; round <= ACTORS.intensity; round++) {
      await waitFor(() => rec.count('services-sup') === round + 1, `subtree incarnation ${round + 1}`);
      await root.status(); // queued behind the top's restart of the subtree: the new p is up
      for (let i = 1; i <= DHCP.intensity; i++) {
        const before = rec.count('p');
        probes.crash('p');
        await waitFor(() => rec.count('p') === before + 1, `round ${round}: p restart ${i}`);
      }
      assert.equal(fatal, [], `round ${round}`);
      probes.crash('p');
    }
    await waitFor(() => fatal.length === 1, 'the fatal escalation');
    assert.is(rec.count('services-sup'), ACTORS.intensity + 1, 'the top restarted the subtree as often as its own budget allows');
    assert.is(fatal.length, 1);
    assert.is(fatal[0]?.message, `supervisor agent-sup gave up: more than ${ACTORS.intensity} restarts in ${ACTORS.periodMs} ms (outage row va-actor-crash); last crash in services-sup`);
    assert.is((fatal[0]?.cause as VaqueroError).code, 'VQ_ERR_SUPERVISOR_GAVE_UP');
    assert.equal(rec.events.slice(-2), ['stop:services-sup', 'stop:x']);
  } finally {
    await root.stop();
  }
});

test('a child that fails to restart counts against the budget until the supervisor gives up', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  const fatal: VaqueroError[] = [];
  let broken = false;
  const spec = supervisorSpec({ name: 'svc-sup', strategy: 'one_for_one', policy: 'va-dhcp-crash', children: [rec.wrap(probes.spec('w', { failStart: () => broken }))] });
  const { logger, lines } = captureLogger();
  const root = await startRoot(spec, { logger, onFatal: (e) => fatal.push(e), now: () => 0 });
  try {
    broken = true;
    probes.crash('w');
    await waitFor(() => fatal.length === 1, 'give-up');
    assert.is(rec.count('w'), 1 + DHCP.intensity);
    assert.is(lines.filter((l) => l.msg === 'child failed to start').length, DHCP.intensity);
    assert.is((fatal[0]?.cause as Error).message, 'w refused to start');
  } finally {
    await root.stop();
  }
});

test('a child that fails its first start fails the whole start, stopping the ones already started in reverse', async () => {
  const rec = new Recorder();
  const probes = new Probes();
  const spec = supervisorSpec({
    name: 'svc-sup',
    strategy: 'one_for_one',
    policy: 'va-dhcp-crash',
    children: [rec.wrap(probes.spec('a')), rec.wrap(probes.spec('b')), rec.wrap(probes.spec('c', { failStart: () => true })), rec.wrap(probes.spec('d'))],
  });
  const err = await startRoot(spec, { logger: captureLogger().logger, onFatal: () => assert.unreachable('no fatal for a failed start') }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(isVaqueroError(err));
  assert.is(err.code, 'VQ_ERR_CHILD_START');
  assert.is(err.message, 'supervisor svc-sup: child c failed to start');
  assert.equal(rec.events, ['start:a', 'start:b', 'start:c', 'stop:b', 'stop:a']);
});

test.run();
