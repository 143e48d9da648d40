// What a supervisor supervises: a child spec (how to start one incarnation,
// when to restart it, how long it may take to stop) and the running child.
import type { Logger } from 'pino';
import type { RestartRowId } from '../outage/table.ts';
import type { NactRef } from './nact.ts';

/** OTP's restart types: always; only after a crash; never (removed once it exits). */
export type RestartType = 'permanent' | 'transient' | 'temporary';

export type ExitReason = { kind: 'normal' } | { kind: 'crash'; error: unknown };

/**
 * What a supervisor tells the process about its work, for the events the
 * outage table promises (`agent.child-restarted`): a crash it recovered from,
 * or a budget it spent before escalating.
 */
export type SupervisionReport =
  | { type: 'restarted'; supervisor: string; policy: RestartRowId; child: string; reason: string; restarted: string[]; restartsInPeriod: number }
  | { type: 'gave-up'; supervisor: string; policy: RestartRowId; child: string; reason: string };

export interface ChildContext {
  id: string;
  /** 1 for the first start, +1 per restart; exits of older incarnations are ignored. */
  incarnation: number;
  /** nact parent under which this child spawns its actors (a holder under the supervisor's actor: spawnHolder). */
  parent: NactRef;
  /** The tree's logger, bound to this child. */
  log: Logger;
  /** The tree's clock for restart budgets (monotonic ms). */
  now: () => number;
  /**
   * Report that this incarnation died: `{ kind: 'crash', error }` for an
   * `error` event, a throw or a rejection; `{ kind: 'normal' }` for work
   * that is done. The first call counts; later ones are ignored.
   */
  exit: (reason: ExitReason) => void;
  /** Where supervisors below report restarts and give-ups (the root's onReport); absent: nowhere. */
  report?: (r: SupervisionReport) => void;
}

export interface Child {
  /** Stop gracefully; the supervisor waits at most the spec's shutdownMs. */
  stop(): Promise<void>;
  /** Called when stop() overran shutdownMs: drop everything now. */
  kill?(): void;
}

export interface ChildSpec {
  id: string;
  /** Start one incarnation; resolve once it is serving. A rejection is a failed start. */
  start: (ctx: ChildContext) => Promise<Child>;
  restart: RestartType;
  /** Longest wait for stop() before kill(); Infinity waits for ever (the default for supervisors, as in OTP). */
  shutdownMs: number;
}
