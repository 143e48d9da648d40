import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { assertBackoff } from '../../src/outage/backoff.ts';
import {
  OUTAGE_TABLE,
  backoffFor,
  detectionAfterMs,
  policyFor,
  restartBudgetFor,
  rowFor,
  type OutageRow,
  type OutageRowId,
} from '../../src/outage/table.ts';
import { assertBudget } from '../../src/supervisors/restart-budget.ts';
import { supervisorSpec } from '../../src/supervisors/supervisor.ts';
import { REPO, SHARED } from '../helpers/sot.ts';

const rows: readonly OutageRow[] = OUTAGE_TABLE;

/** The seed's table: [outage, acceptable] per row, read from the shared seed itself. */
function seedRows(): Array<[string, string]> {
  const text = readFileSync(join(SHARED, 'seed', 'outage-table.md'), 'utf8');
  const out: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('|') || line.startsWith('|:') || line.includes('Effected Vaquero Functionality')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const [outage, , acceptable] = cells;
    if (outage !== undefined && acceptable !== undefined) out.push([outage, acceptable]);
  }
  return out;
}

test('the seed has the seven rows we expect to cover', () => {
  assert.equal(
    seedRows().map(([o]) => o),
    ['SoT -> VS', 'VS -> VA', 'VS Outage', 'VA Outage', 'VS Load Balancer / VirtualIP', 'VA -> Host', 'VS -> KV'],
  );
});

test('every seed row is in the table, with the seed acceptable column verbatim', () => {
  for (const [outage, acceptable] of seedRows()) {
    const ours = rows.filter((r) => r.seed === outage);
    assert.ok(ours.length > 0, `no row for seed outage ${outage}`);
    for (const r of ours) assert.is(r.seedAcceptable, acceptable.replace(/\s+$/, ''), `${r.id} seedAcceptable`);
  }
});

test('VS outage is split into one server down and all servers down', () => {
  assert.equal(rows.filter((r) => r.seed === 'VS Outage').map((r) => [r.id, r.action.kind, r.acceptable]), [
    ['vs-one-down', 'fail-over', 'Y'],
    ['vs-all-down', 'serve-stale-and-retry', 'N'],
  ]);
});

test('the agent services (DHCP, TFTP, HTTP) each have a restart-child row', () => {
  for (const id of ['va-dhcp-crash', 'va-tftp-crash', 'va-http-crash'] as const) {
    const r = rowFor(id);
    assert.is(r.process, 'agent');
    assert.is(r.action.kind, 'restart-child');
    assert.is(r.detection.kind, 'child-exit');
    assert.is(r.seed, null);
  }
});

test('the seed-required behaviours are the actions of their rows', () => {
  const summary = Object.fromEntries(rows.map((r) => [r.id, [r.process, r.detection.kind, r.action.kind, r.userSees.readiness, r.acceptable]]));
  assert.equal(summary, {
    'sot-to-vs': ['server', 'poll-error', 'serve-stale-and-retry', 'unchanged', 'Y'],
    'vs-to-va': ['agent', 'poll-error', 'serve-stale-and-retry', 'unchanged', 'Y'],
    'vs-one-down': ['both', 'request-error', 'fail-over', 'unchanged', 'Y'],
    'vs-all-down': ['agent', 'poll-error', 'serve-stale-and-retry', 'unchanged', 'N'],
    'va-down': ['server', 'heartbeat-timeout', 'stop-subtree', 'unchanged', 'Y'],
    'lb-down': ['both', 'request-error', 'fail-over', 'unchanged', 'Y'],
    'va-to-host': ['agent', 'deadline', 'stop-subtree', 'unchanged', 'Y'],
    'vs-to-kv': ['server', 'socket-error', 'exit-process', 'not-ready', 'N'],
    'va-dhcp-crash': ['agent', 'child-exit', 'restart-child', 'unchanged', 'Y'],
    'va-tftp-crash': ['agent', 'child-exit', 'restart-child', 'unchanged', 'Y'],
    'va-http-crash': ['agent', 'child-exit', 'restart-child', 'unchanged', 'Y'],
    'va-actor-crash': ['agent', 'child-exit', 'restart-child', 'unchanged', 'Y'],
    'vs-actor-crash': ['server', 'child-exit', 'restart-child', 'unchanged', 'Y'],
  });
});

test('rows are well-formed: unique kebab ids, typed policies in range, something the user sees', () => {
  const ids = new Set<string>();
  for (const r of rows) {
    assert.ok(/^[a-z]+(-[a-z]+)*$/.test(r.id), `${r.id} is kebab-case`);
    assert.not.ok(ids.has(r.id), `${r.id} unique`);
    ids.add(r.id);
    assert.ok(r.dependency.length > 0 && r.detection.what.length > 0 && r.faultInjection.length > 0, r.id);
    assert.ok(r.userSees.events.length > 0, `${r.id} raises at least one event`);
    assert.ok(r.userSees.summary.length > 0, r.id);
    for (const e of r.userSees.events) assert.ok(/^[a-z]+(\.[a-z-]+)+$/.test(e), `${r.id} event ${e}`);
    if (r.detection.kind === 'heartbeat-timeout' || r.detection.kind === 'deadline') assert.ok(r.detection.afterMs > 0, r.id);
    const a = r.action;
    switch (a.kind) {
      case 'serve-stale-and-retry':
      case 'fail-over':
        assertBackoff(a.backoff);
        break;
      case 'restart-child':
        assertBudget(a.budget);
        assert.ok(a.budget.intensity > 0, `${r.id}: a restart row that never restarts is a stop-subtree row`);
        break;
      case 'stop-subtree':
        assert.ok(a.subtree.length > 0);
        break;
      case 'exit-process':
        assert.ok(a.rideThroughMs > 0 && a.exitCode !== 0, r.id);
        break;
    }
  }
});

test('accessors return the row policy (and copies, so callers cannot edit the table)', () => {
  assert.equal(policyFor('vs-to-kv'), { kind: 'exit-process', rideThroughMs: 10_000, exitCode: 1 });
  assert.equal(restartBudgetFor('va-dhcp-crash'), { intensity: 3, periodMs: 10_000 });
  assert.equal(backoffFor('vs-to-va'), { baseMs: 500, factor: 2, maxMs: 30_000, jitter: 0.5 });
  assert.equal(backoffFor('vs-one-down'), { baseMs: 1000, factor: 2, maxMs: 30_000, jitter: 0.5 });
  backoffFor('sot-to-vs').maxMs = 1;
  restartBudgetFor('va-http-crash').intensity = 99;
  assert.is(backoffFor('sot-to-vs').maxMs, 60_000);
  assert.is(restartBudgetFor('va-http-crash').intensity, 3);
  assert.is(detectionAfterMs('va-to-host'), 600_000);
  assert.is(detectionAfterMs('va-down'), 30_000);
  assert.is(detectionAfterMs('vs-to-kv'), undefined);
  assert.throws(() => rowFor('no-such-row' as OutageRowId), /no row no-such-row/);
  assert.throws(() => restartBudgetFor('vs-to-kv' as never), /has no restart budget/);
  assert.throws(() => backoffFor('va-dhcp-crash' as never), /has no backoff/);
});

test('a supervisor spec takes its budget from the row it names', () => {
  for (const r of rows) {
    if (r.action.kind !== 'restart-child') continue;
    const spec = supervisorSpec({ name: 'x-sup', strategy: 'one_for_one', policy: r.id as never, children: [] });
    assert.equal([spec.policy, spec.intensity, spec.periodMs], [r.id, r.action.budget.intensity, r.action.budget.periodMs]);
  }
});

// "Supervisors read their policy from it; nothing hard-codes a policy
// elsewhere" (DESIGN.md): no policy number may be written outside src/outage/.
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

// Budget and ride-through field names are ours alone; a backoff literal is
// recognised by baseMs and factor together (other timers may say baseMs).
const policyField = /\b(intensity|periodMs|rideThroughMs)\s*:\s*[\d.]/;
const backoffLiteral = /\bbaseMs\s*:\s*[\d.][^}]*\bfactor\s*:\s*[\d.]|\bfactor\s*:\s*[\d.][^}]*\bbaseMs\s*:\s*[\d.]/;

test('no source file outside src/outage hard-codes a restart budget, backoff or ride-through', () => {
  const offenders: string[] = [];
  for (const f of tsFiles(join(REPO, 'src'))) {
    const rel = relative(REPO, f);
    if (rel.startsWith(join('src', 'outage'))) continue;
    const text = readFileSync(f, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (policyField.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
    });
    if (backoffLiteral.test(text)) offenders.push(`${rel}: a backoff literal`);
  }
  assert.equal(offenders, []);
});

test('the scan above does catch what it is meant to', () => {
  assert.ok(policyField.test("supervisorSpecLike({ intensity: 3, periodMs: 5000 })"));
  assert.ok(backoffLiteral.test('const b = {\n  baseMs: 500,\n  factor: 2,\n  maxMs: 1 };'));
  assert.not.ok(backoffLiteral.test('const t = { baseMs: 500 }; const u = { factor: 2 };'));
  assert.not.ok(policyField.test('const { intensity, periodMs } = restartBudgetFor(id);'));
});

test.run();
