// Actors from pure transition functions: `init(now)` and
// `step(state, msg, now)` return [state, effects]; effects are data, run here
// by an injected runner (the adapters live in the runner, not the actor
// file). Each actor has a bounded mailbox and a stable ref across restarts.
import type { Logger } from 'pino';
import { VaqueroError } from '../errors.ts';
import type { ChildContext, ChildSpec, RestartType } from './child.ts';
import { send, spawnActor, stopActor, type NactRef } from './nact.ts';
import { deferred, type Deferred } from './deferred.ts';

export interface ActorDef<S, M, E> {
  /** State and effects of a fresh incarnation (the first start and every restart). */
  init: (now: number) => readonly [S, readonly E[]];
  /** Pure: no I/O, no clock but `now`, no randomness. */
  step: (state: S, msg: M, now: number) => readonly [S, readonly E[]];
}

/** Where an `ask` wants its answer; put it in the message, hand it back in a reply effect. */
export interface ReplyTo<R> {
  deliver(value: R): void;
}

/** What an effect runner may do besides calling its own adapters. */
export interface ActorIO<M> {
  self: ActorRef<M>;
  log: Logger;
  now(): number;
  /** Deliver `msg` to this actor at time `at` (the actor's clock). Replaces the timer with the same key. */
  timer(key: string, at: number, msg: M): void;
  cancelTimer(key: string): void;
  /** End this incarnation normally once the current message's effects are done (transient: no restart). */
  stop(): void;
  reply<R>(to: ReplyTo<R>, value: R): void;
}

/** Runs one effect. Effects of a message run in order and are awaited; a throw or rejection crashes the actor. */
export type EffectRunner<M, E> = (effect: E, io: ActorIO<M>) => void | Promise<void>;

export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

// Node runs a setTimeout longer than 2^31-1 ms (24.8 days) after 1 ms.
// Clamped here; io.timer re-arms until the deadline is really reached.
const MAX_TIMER_MS = 2_147_483_647;

/** Wall-clock ms (actors stamp events with `now`), real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, Math.min(Math.max(ms, 0), MAX_TIMER_MS)),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export type TellResult = 'ok' | 'full' | 'down';

export interface MailboxStats {
  limit: number;
  /** Messages accepted and not yet taken by the handler. */
  queued: number;
  /** Messages accepted since creation. */
  accepted: number;
  /** Refused because the mailbox was at its limit. */
  overflowed: number;
  /** Refused because no incarnation was running (between a crash and its restart, or after stop). */
  refusedDown: number;
  /** Accepted but discarded unhandled because their incarnation crashed or stopped. */
  lost: number;
}

export interface ActorRef<M> {
  readonly id: string;
  /** Never throws: 'full' and 'down' are counted in stats() and the message is dropped. */
  tell(msg: M): TellResult;
  /**
   * Request/response: rejects with VQ_ERR_MAILBOX_FULL, VQ_ERR_ASK_TIMEOUT,
   * or VQ_ERR_ACTOR_DOWN (not running, or it crashed/stopped before replying).
   */
  ask<R>(make: (replyTo: ReplyTo<R>) => M, timeoutMs: number): Promise<R>;
  stats(): MailboxStats;
}

export interface ActorChildOptions<S, M, E> {
  /** Child id and nact actor name. */
  id: string;
  def: ActorDef<S, M, E>;
  run: EffectRunner<M, E>;
  /** Default 'permanent'. */
  restart?: RestartType;
  /** How long stop() waits for the message in hand. Default 5000 ms. */
  shutdownMs?: number;
  /**
   * Mailbox limit: messages accepted but not yet handled. Default 1000.
   * Load from the network (DHCP bursts after a power cut) is shed here,
   * counted, instead of growing the heap without bound.
   */
  mailboxLimit?: number;
  /** Default systemClock. */
  clock?: Clock;
}

type Envelope<M> = { k: 'init'; done: Deferred<void> } | { k: 'msg'; msg: M } | { k: 'timer'; key: string; gen: number; msg: M };

interface Incarnation {
  ref: NactRef | undefined;
  log: Logger;
  /** Refuses new messages; set by a crash, a stop, or io.stop(). */
  down: boolean;
  /** io.stop() was called: exit normally after the current message. */
  stopRequested: boolean;
  finished: boolean;
  queued: number;
  timers: Map<string, { handle: unknown; gen: number }>;
  gen: number;
  inflight: Promise<unknown> | undefined;
  /** Asks this incarnation accepted and has not answered: failed at once if it dies. */
  asks: Set<(e: unknown) => void>;
}

/** Counters an actor keeps across its incarnations (MailboxStats without limit and queued). */
type Counters = Omit<MailboxStats, 'limit' | 'queued'>;

/** Ends an incarnation's intake: timers cleared, queued messages counted lost, waiting asks failed. */
function halt(inc: Incarnation, clock: Clock, counters: Counters, id: string): void {
  inc.down = true;
  for (const t of inc.timers.values()) clock.clearTimer(t.handle);
  inc.timers.clear();
  counters.lost += inc.queued;
  inc.queued = 0;
  // A caller waiting on a dead incarnation hears so now, not at its timeout.
  const asks = [...inc.asks];
  inc.asks.clear();
  for (const fail of asks) fail(new VaqueroError('VQ_ERR_ACTOR_DOWN', `actor ${id} stopped before replying`));
}

/** Arms timer `key` (generation `gen`) to deliver `msg` at `at`; re-arms when woken early. */
function armTimer<M>(inc: Incarnation, clock: Clock, key: string, gen: number, at: number, msg: M): unknown {
  return clock.setTimer(() => {
    const t = inc.timers.get(key);
    if (inc.down || inc.ref === undefined || t?.gen !== gen) return;
    // Woken before `at` (a clamped far deadline, a coarse clock): wait the rest.
    if (clock.now() < at) t.handle = armTimer(inc, clock, key, gen, at, msg);
    else send<Envelope<M>>(inc.ref, { k: 'timer', key, gen, msg });
  }, Math.max(0, at - clock.now()));
}

/** What one incarnation's message handler works with. */
interface Running<S, M, E> {
  o: ActorChildOptions<S, M, E>;
  inc: Incarnation;
  io: ActorIO<M>;
  ctx: ChildContext;
  clock: Clock;
  counters: Counters;
}

async function handleEnvelope<S, M, E>(r: Running<S, M, E>, holder: { s: S } | null, env: Envelope<M>): Promise<{ s: S } | null> {
  const { o, inc, clock } = r;
  if (env.k === 'msg') inc.queued = Math.max(0, inc.queued - 1);
  if (inc.finished) return holder;
  let next: readonly [S, readonly E[]];
  switch (env.k) {
    case 'init':
      next = o.def.init(clock.now());
      break;
    case 'msg':
      if (holder === null) throw new Error(`actor ${o.id}: message before init`);
      next = o.def.step(holder.s, env.msg, clock.now());
      break;
    case 'timer': {
      const t = inc.timers.get(env.key);
      if (t === undefined || t.gen !== env.gen || holder === null) return holder; // cancelled or replaced after it fired
      inc.timers.delete(env.key);
      next = o.def.step(holder.s, env.msg, clock.now());
      break;
    }
  }
  for (const e of next[1]) await o.run(e, r.io);
  if (env.k === 'init') env.done.resolve();
  if (inc.stopRequested) {
    inc.finished = true;
    halt(inc, clock, r.counters, o.id);
    r.ctx.exit({ kind: 'normal' });
  }
  return { s: next[0] };
}

/**
 * An actor as a supervisor child, and its ref (stable across restarts; tell it after the tree started).
 *
 * Functions made per actor or per incarnation are methods, not arrow functions bound to
 * a name: tsx compiles with esbuild's keepNames, which gives every such arrow its own
 * `name` property as it is created (about 270 bytes each; 20 per boot actor were half
 * of its heap). Methods, anonymous arguments and module-level functions are named once.
 */
export function actorChild<S, M, E>(o: ActorChildOptions<S, M, E>): { spec: ChildSpec; ref: ActorRef<M> } {
  const clock = o.clock ?? systemClock;
  const limit = o.mailboxLimit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`actor ${o.id}: mailboxLimit must be an integer >= 1`);
  const counters: Counters = { accepted: 0, overflowed: 0, refusedDown: 0, lost: 0 };
  let current: Incarnation | undefined;
  let overflowing = false;

  const ref: ActorRef<M> = {
    id: o.id,
    tell(msg) {
      const inc = current;
      if (inc === undefined || inc.down || inc.ref === undefined) {
        counters.refusedDown += 1;
        return 'down';
      }
      if (inc.queued >= limit) {
        counters.overflowed += 1;
        // One warning per burst, with the running total; a flood must not also flood the log.
        if (!overflowing) inc.log.warn({ actor: o.id, limit, overflowed: counters.overflowed }, 'mailbox full; dropping messages');
        overflowing = true;
        return 'full';
      }
      // A burst ends once the mailbox has drained to half: at the limit, drops and
      // accepts alternate as the handler takes one message at a time.
      if (inc.queued <= limit / 2) overflowing = false;
      inc.queued += 1;
      counters.accepted += 1;
      send<Envelope<M>>(inc.ref, { k: 'msg', msg });
      return 'ok';
    },
    ask<R>(make: (replyTo: ReplyTo<R>) => M, timeoutMs: number): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        let settled = false;
        let owner: Incarnation | undefined;
        const settle = (): boolean => {
          if (settled) return false;
          settled = true;
          clock.clearTimer(handle);
          owner?.asks.delete(fail);
          return true;
        };
        const fail = (e: unknown): void => {
          if (settle()) reject(e);
        };
        const handle = clock.setTimer(() => fail(new VaqueroError('VQ_ERR_ASK_TIMEOUT', `actor ${o.id} did not reply within ${timeoutMs} ms`)), timeoutMs);
        const replyTo: ReplyTo<R> = {
          deliver(value) {
            if (settle()) resolve(value);
          },
        };
        const r = ref.tell(make(replyTo));
        if (r === 'ok') {
          owner = current;
          if (!settled) owner?.asks.add(fail);
        } else {
          fail(new VaqueroError(r === 'full' ? 'VQ_ERR_MAILBOX_FULL' : 'VQ_ERR_ACTOR_DOWN', `actor ${o.id}: ${r === 'full' ? 'mailbox full' : 'not running'}`));
        }
      });
    },
    stats() {
      return { limit, queued: current?.queued ?? 0, ...counters };
    },
  };

  const spec: ChildSpec = {
    id: o.id,
    restart: o.restart ?? 'permanent',
    shutdownMs: o.shutdownMs ?? 5000,
    async start(ctx) {
      const inc: Incarnation = {
        ref: undefined,
        log: ctx.log,
        down: false,
        stopRequested: false,
        finished: false,
        queued: 0,
        timers: new Map(),
        gen: 0,
        inflight: undefined,
        asks: new Set(),
      };
      const io: ActorIO<M> = {
        self: ref,
        log: ctx.log,
        now() {
          return clock.now();
        },
        timer(key, at, msg) {
          if (inc.down) return;
          const old = inc.timers.get(key);
          if (old !== undefined) clock.clearTimer(old.handle);
          inc.gen += 1;
          inc.timers.set(key, { handle: armTimer(inc, clock, key, inc.gen, at, msg), gen: inc.gen });
        },
        cancelTimer(key) {
          const t = inc.timers.get(key);
          if (t !== undefined) clock.clearTimer(t.handle);
          inc.timers.delete(key);
        },
        stop() {
          inc.stopRequested = true;
        },
        reply(to, value) {
          to.deliver(value);
        },
      };
      const running: Running<S, M, E> = { o, inc, io, ctx, clock, counters };

      inc.ref = spawnActor<{ s: S } | null, Envelope<M>>(ctx.parent, o.id, {
        initialState: null,
        handle(holder, env) {
          const p = handleEnvelope(running, holder, env);
          inc.inflight = p;
          return p;
        },
        crashed(env, error) {
          halt(inc, clock, counters, o.id);
          if (env?.k === 'init') env.done.reject(error);
          else if (!inc.finished) ctx.exit({ kind: 'crash', error });
        },
      });
      current = inc;
      const done = deferred<void>();
      send<Envelope<M>>(inc.ref, { k: 'init', done });
      try {
        await done.promise;
      } catch (e) {
        halt(inc, clock, counters, o.id);
        stopActor(inc.ref);
        throw e;
      }
      const nactRef = inc.ref;
      return {
        async stop() {
          halt(inc, clock, counters, o.id);
          stopActor(nactRef);
          // nact lets the message in hand finish; wait for its effects, not for the queue.
          await inc.inflight?.catch(() => undefined);
        },
        kill() {
          halt(inc, clock, counters, o.id);
          stopActor(nactRef);
        },
      };
    },
  };

  return { spec, ref };
}
