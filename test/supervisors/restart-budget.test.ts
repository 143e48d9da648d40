import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideRestart, type RestartBudget } from '../../src/supervisors/restart-budget.ts';

const b = (intensity: number, periodMs: number): RestartBudget => ({ intensity, periodMs });

test('the first crash with budget 1 restarts and records it', () => {
  assert.equal(decideRestart(b(1, 1000), [], 5000), { decision: 'restart', history: [5000] });
});

test('intensity 0: the first crash gives up', () => {
  assert.equal(decideRestart(b(0, 1000), [], 5000), { decision: 'give-up', history: [5000] });
});

test('intensity N allows exactly N restarts inside one window, the N+1th gives up', () => {
  let history: number[] = [];
  const decisions: string[] = [];
  for (const now of [100, 200, 300, 400]) {
    const d = decideRestart(b(3, 1000), history, now);
    decisions.push(d.decision);
    history = d.history;
  }
  assert.equal(decisions, ['restart', 'restart', 'restart', 'give-up']);
  assert.equal(history, [100, 200, 300, 400]);
});

test('a restart exactly periodMs old still counts (inclusive window, as OTP)', () => {
  assert.equal(decideRestart(b(1, 1000), [1000], 2000), { decision: 'give-up', history: [1000, 2000] });
});

test('a restart older than periodMs is pruned and frees its slot', () => {
  assert.equal(decideRestart(b(1, 1000), [999], 2000), { decision: 'restart', history: [2000] });
});

test('pruning keeps only the window and sorts oldest first', () => {
  assert.equal(decideRestart(b(5, 100), [50, 10, 180, 120], 200), { decision: 'restart', history: [120, 180, 200] });
});

test('restarts spread wider than the period never give up', () => {
  let history: number[] = [];
  for (let i = 0; i < 50; i++) {
    const d = decideRestart(b(2, 1000), history, i * 600);
    assert.is(d.decision, 'restart', `crash ${i}`);
    history = d.history;
    assert.ok(history.length <= 2);
  }
});

test('a time later than now (clock went backwards) counts as now', () => {
  assert.equal(decideRestart(b(2, 1000), [9000], 500), { decision: 'restart', history: [500, 500] });
  assert.equal(decideRestart(b(1, 1000), [9000], 500), { decision: 'give-up', history: [500, 500] });
});

test('the input history is not mutated', () => {
  const h = [3, 1, 2];
  decideRestart(b(5, 10), h, 4);
  assert.equal(h, [3, 1, 2]);
});

test('nonsense budgets are programmer errors', () => {
  assert.throws(() => decideRestart(b(-1, 1000), [], 0), /intensity must be an integer >= 0/);
  assert.throws(() => decideRestart(b(1.5, 1000), [], 0), /intensity must be an integer >= 0/);
  assert.throws(() => decideRestart(b(1, 0), [], 0), /periodMs must be finite and > 0/);
  assert.throws(() => decideRestart(b(1, Number.POSITIVE_INFINITY), [], 0), /periodMs must be finite and > 0/);
  assert.throws(() => decideRestart(b(1, Number.NaN), [], 0), /periodMs must be finite and > 0/);
});

test.run();
