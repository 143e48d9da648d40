// Restart budget (OTP's restart intensity): a supervisor may restart at most
// `intensity` times within any `periodMs` window; one more and it gives up.
// Pure: the caller owns the history and the clock.

export interface RestartBudget {
  /** Restarts allowed inside one window. 0 means the first crash gives up. Integer >= 0. */
  intensity: number;
  /** Window length in milliseconds. Finite, > 0. */
  periodMs: number;
}

export interface BudgetDecision {
  decision: 'restart' | 'give-up';
  /** Restart times still inside the window, oldest first, including `now`. Keep it for the next call. */
  history: number[];
}

/** Throws for a budget no supervisor could mean (a programmer error in a table row or a spec). */
export function assertBudget(budget: RestartBudget): void {
  if (!Number.isInteger(budget.intensity) || budget.intensity < 0) {
    throw new Error(`restart budget: intensity must be an integer >= 0, got ${String(budget.intensity)}`);
  }
  if (!Number.isFinite(budget.periodMs) || budget.periodMs <= 0) {
    throw new Error(`restart budget: periodMs must be finite and > 0, got ${String(budget.periodMs)}`);
  }
}

/**
 * Decide whether one more restart at `now` fits the budget. As in OTP, a
 * restart at time t still counts while `now - t <= periodMs` (the window is
 * inclusive at its old end). A time later than `now` (a clock that went
 * backwards) is taken as `now`, so it can neither vanish early nor linger.
 */
export function decideRestart(budget: RestartBudget, history: readonly number[], now: number): BudgetDecision {
  assertBudget(budget);
  const kept = history.map((t) => Math.min(t, now)).filter((t) => now - t <= budget.periodMs);
  kept.sort((a, b) => a - b);
  kept.push(now);
  return { decision: kept.length > budget.intensity ? 'give-up' : 'restart', history: kept };
}
