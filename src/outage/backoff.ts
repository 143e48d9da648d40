// Retry delays for outage-table rows that serve stale and retry: capped
// exponential backoff with injected jitter. Pure: randomness is an argument.

export interface BackoffPolicy {
  /** Delay before the first retry (attempt 0), in ms. > 0. */
  baseMs: number;
  /** Growth per attempt. >= 1. */
  factor: number;
  /** Ceiling on any delay, in ms. >= baseMs. */
  maxMs: number;
  /**
   * Fraction of the delay that is random, 0..1. The delay lands in
   * [d * (1 - jitter), d], so many agents that lost the same server at once
   * do not retry in step (and never wait longer than the cap).
   */
  jitter: number;
}

export function assertBackoff(p: BackoffPolicy): void {
  const ok =
    Number.isFinite(p.baseMs) && p.baseMs > 0 &&
    Number.isFinite(p.factor) && p.factor >= 1 &&
    Number.isFinite(p.maxMs) && p.maxMs >= p.baseMs &&
    Number.isFinite(p.jitter) && p.jitter >= 0 && p.jitter <= 1;
  if (!ok) throw new Error(`backoff policy out of range: ${JSON.stringify(p)}`);
}

/**
 * Delay in whole ms before retry number `attempt` (0 for the first retry).
 * `random` returns a number in [0, 1) (Math.random in production, a constant
 * in tests). A negative or non-integer attempt is taken as its floor, at
 * least 0; a huge attempt stays at the cap (no Infinity, no NaN).
 */
export function nextDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  assertBackoff(policy);
  const n = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt)) : attempt > 0 ? Number.MAX_SAFE_INTEGER : 0;
  const raw = policy.baseMs * Math.pow(policy.factor, n);
  const capped = Number.isFinite(raw) ? Math.min(policy.maxMs, raw) : policy.maxMs;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(capped * (1 - policy.jitter * r));
}
