// A supervisor as data (OTP-style spec) and its runtime: a nact actor that
// starts children in order, stops them in reverse, restarts crashed ones per
// strategy within the restart budget, and escalates once the budget is spent.
import { VaqueroError } from '../errors.ts';
import { restartBudgetFor, type RestartRowId } from '../outage/table.ts';
import type { Child, ChildContext, ChildSpec, ExitReason, RestartType, SupervisionReport } from './child.ts';
import { send, spawnActor, spawnHolder, stopActor, type NactRef } from './nact.ts';
import { assertBudget, decideRestart } from './restart-budget.ts';
import { deferred, type Deferred } from './deferred.ts';

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

export interface SupervisorSpec {
  /** Also the nact actor name and the child id under a parent supervisor; ends in `-sup` by house style. */
  name: string;
  strategy: Strategy;
  /** Restarts allowed per period (OTP's MaxR); from the outage row named by `policy`. */
  intensity: number;
  /** Period in ms (OTP's MaxT). */
  periodMs: number;
  /** The outage-table row this budget comes from. */
  policy: RestartRowId;
  /** Started in this order, stopped in reverse. Ids are unique. */
  children: readonly ChildSpec[];
}

/** The way to build a spec: the budget is read from the outage table, never written here. */
export function supervisorSpec(o: { name: string; strategy: Strategy; policy: RestartRowId; children: readonly ChildSpec[] }): SupervisorSpec {
  return { name: o.name, strategy: o.strategy, policy: o.policy, ...restartBudgetFor(o.policy), children: o.children };
}

export interface ChildStatus {
  id: string;
  running: boolean;
  incarnation: number;
}

/** What can be asked of a running supervisor. */
export interface SupervisorControl {
  /** Its children now, in start order (only this level). */
  status(): Promise<ChildStatus[]>;
  /**
   * Add a child at the end and start it (OTP's start_child), e.g. one boot
   * actor per host. A dynamic child is forgotten once it exits for good, and
   * is not brought back if the supervisor itself restarts. Rejects with
   * VQ_ERR_CHILD_START (start failed) or VQ_ERR_ACTOR_DOWN (supervisor not running).
   */
  startChild(spec: ChildSpec): Promise<void>;
  /** Stop a child (reverse-order rules do not apply: just this one) and forget it. False if there was none. */
  terminateChild(id: string): Promise<boolean>;
  /**
   * Stop a child and start a new incarnation of it at once, e.g. a service whose settings
   * changed (its spec reads them when it starts). Not a crash: the restart budget is not
   * charged and nothing is reported. Rejects with VQ_ERR_CHILD_START if the new incarnation
   * failed to start; the child is then left stopped until restartChild succeeds (or the
   * supervisor itself restarts). Rejects with VQ_ERR_ACTOR_DOWN if there is no such child.
   */
  restartChild(id: string): Promise<void>;
}

/** A running supervisor as seen by its parent (or the root). */
export interface SupervisorChild extends Child, SupervisorControl {
  readonly ref: NactRef;
}

/** A supervisor as a child spec, with a handle that follows its current incarnation. */
export interface SupervisorChildSpec extends ChildSpec {
  readonly handle: SupervisorControl;
}

/** Make a supervisor a child of another (a subtree). Default: permanent, and the parent waits for ever for it to stop. */
export function supervisorChild(spec: SupervisorSpec, o: { restart?: RestartType; shutdownMs?: number } = {}): SupervisorChildSpec {
  let current: SupervisorChild | undefined;
  const live = (): SupervisorChild => {
    if (current === undefined) throw new VaqueroError('VQ_ERR_ACTOR_DOWN', `supervisor ${spec.name} is not running`);
    return current;
  };
  return {
    id: spec.name,
    restart: o.restart ?? 'permanent',
    shutdownMs: o.shutdownMs ?? Number.POSITIVE_INFINITY,
    start: async (ctx) => {
      const sup = await startSupervisor(spec, ctx);
      current = sup;
      const forget = (): void => {
        if (current === sup) current = undefined;
      };
      return {
        stop: async () => {
          forget();
          await sup.stop();
        },
        kill: () => {
          forget();
          sup.kill?.();
        },
      };
    },
    handle: {
      status: async () => live().status(),
      startChild: async (c) => live().startChild(c),
      terminateChild: async (id) => live().terminateChild(id),
      restartChild: async (id) => live().restartChild(id),
    },
  };
}

type SupMsg =
  | { t: 'start'; done: Deferred<void> }
  | { t: 'exit'; id: string; incarnation: number; reason: ExitReason }
  | { t: 'shutdown'; done: Deferred<void> }
  | { t: 'status'; done: Deferred<ChildStatus[]> }
  | { t: 'add'; spec: ChildSpec; done: Deferred<void> }
  | { t: 'remove'; id: string; done: Deferred<boolean> }
  | { t: 'restart'; id: string; done: Deferred<void> };

interface Entry {
  spec: ChildSpec;
  incarnation: number;
  /** Set while this incarnation runs; cleared before it is stopped, so its late exits are ignored. */
  child: Child | undefined;
  /** Added by startChild: forgotten once it exits for good. */
  dynamic: boolean;
}

/** Start a supervisor (spawn its actor under ctx.parent, start its children in order). Rejects if a child fails to start. */
export async function startSupervisor(spec: SupervisorSpec, ctx: ChildContext): Promise<SupervisorChild> {
  assertSpec(spec);
  const core = new SupervisorCore(spec, ctx);
  const ref = spawnActor<null, SupMsg>(ctx.parent, spec.name, {
    initialState: null,
    handle: async (state, msg) => {
      await core.handle(msg);
      return state;
    },
    // core.handle catches everything it can; this is for a bug in it.
    crashed: (msg, error) => core.crashedItself(msg, error),
  });
  core.self = ref;
  core.childParent = spawnHolder(ref, 'children');
  const started = deferred<void>();
  send<SupMsg>(ref, { t: 'start', done: started });
  try {
    await started.promise;
  } catch (e) {
    stopActor(ref);
    throw e;
  }
  // nact drops a message to a stopped actor without a word: once stopped,
  // answer here instead of waiting for ever.
  let closed = false;
  let stopping: Promise<void> | undefined;
  const request = <T>(make: (done: Deferred<T>) => SupMsg): Promise<T> => {
    if (closed) return Promise.reject(new VaqueroError('VQ_ERR_ACTOR_DOWN', `supervisor ${spec.name} is stopped`));
    const done = deferred<T>();
    send<SupMsg>(ref, make(done));
    return done.promise;
  };
  return {
    ref,
    stop: () => {
      stopping ??= (async () => {
        if (closed) return;
        await request<void>((done) => ({ t: 'shutdown', done }));
        closed = true;
        stopActor(ref);
      })();
      return stopping;
    },
    kill: () => {
      closed = true;
      core.killAll();
      stopActor(ref);
    },
    status: () => request<ChildStatus[]>((done) => ({ t: 'status', done })),
    startChild: (c) => request<void>((done) => ({ t: 'add', spec: c, done })),
    terminateChild: (id) => request<boolean>((done) => ({ t: 'remove', id, done })),
    restartChild: (id) => request<void>((done) => ({ t: 'restart', id, done })),
  };
}

function assertSpec(spec: SupervisorSpec): void {
  assertBudget(spec);
  const ids = new Set<string>();
  for (const c of spec.children) {
    if (ids.has(c.id)) throw new Error(`supervisor ${spec.name}: duplicate child id ${c.id}`);
    ids.add(c.id);
    assertChild(spec.name, c);
  }
}

function assertChild(sup: string, c: ChildSpec): void {
  if (!(c.shutdownMs >= 0)) throw new Error(`supervisor ${sup}: child ${c.id} has shutdownMs ${String(c.shutdownMs)}`);
}

/** Runs a request's work and answers it with the outcome. */
async function answer<T>(done: Deferred<T>, work: () => Promise<T>): Promise<void> {
  try {
    done.resolve(await work());
  } catch (e) {
    done.reject(e);
  }
}

class SupervisorCore {
  /** The supervisor's own actor: its mailbox. */
  self: NactRef | undefined;
  /** The nact parent of its children (see spawnHolder). */
  childParent: NactRef | undefined;
  /** By child id, in start order (a Map keeps insertion order; a restart keeps the place). */
  private readonly entries: Map<string, Entry>;
  private history: number[] = [];
  private phase: 'new' | 'running' | 'dead' = 'new';
  private readonly log;

  constructor(
    private readonly spec: SupervisorSpec,
    private readonly ctx: ChildContext,
  ) {
    this.entries = new Map(spec.children.map((c) => [c.id, { spec: c, incarnation: 0, child: undefined, dynamic: false }]));
    this.log = ctx.log.child({ sup: spec.name });
  }

  async handle(msg: SupMsg): Promise<void> {
    switch (msg.t) {
      case 'start':
        return answer(msg.done, () => this.startAll());
      case 'exit':
        try {
          await this.childExited(msg.id, msg.incarnation, msg.reason);
        } catch (e) {
          await this.giveUp(msg.id, e);
        }
        return;
      case 'shutdown':
        if (this.phase !== 'dead') {
          this.phase = 'dead';
          await this.stopEntries(this.running().reverse());
          this.log.info('supervisor stopped');
        }
        msg.done.resolve();
        return;
      case 'status':
        msg.done.resolve([...this.entries.values()].map((e) => ({ id: e.spec.id, running: e.child !== undefined, incarnation: e.incarnation })));
        return;
      case 'add':
        return answer(msg.done, () => this.addChild(msg.spec));
      case 'remove': {
        const e = this.entries.get(msg.id);
        if (e !== undefined) {
          await this.stopEntry(e);
          this.entries.delete(msg.id);
        }
        msg.done.resolve(e !== undefined);
        return;
      }
      case 'restart':
        return answer(msg.done, () => this.restartOne(msg.id));
    }
  }

  private async restartOne(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (this.phase !== 'running' || e === undefined) throw new VaqueroError('VQ_ERR_ACTOR_DOWN', `supervisor ${this.spec.name}: no child ${id} to restart`);
    await this.stopEntry(e);
    const err = await this.startEntry(e);
    if (err !== undefined) throw new VaqueroError('VQ_ERR_CHILD_START', `supervisor ${this.spec.name}: child ${id} failed to restart`, { cause: err });
    this.log.info({ child: id, incarnation: e.incarnation }, 'child restarted on request');
  }

  private async addChild(spec: ChildSpec): Promise<void> {
    if (this.phase !== 'running') throw new VaqueroError('VQ_ERR_ACTOR_DOWN', `supervisor ${this.spec.name} is not running`);
    if (this.entries.has(spec.id)) throw new Error(`supervisor ${this.spec.name}: duplicate child id ${spec.id}`);
    assertChild(this.spec.name, spec);
    const e: Entry = { spec, incarnation: 0, child: undefined, dynamic: true };
    this.entries.set(spec.id, e);
    const err = await this.startEntry(e);
    if (err !== undefined) {
      this.entries.delete(spec.id);
      throw new VaqueroError('VQ_ERR_CHILD_START', `supervisor ${this.spec.name}: child ${spec.id} failed to start`, { cause: err });
    }
  }

  crashedItself(msg: SupMsg, error: unknown): void {
    this.log.error({ err: error }, 'supervisor crashed; killing its children');
    this.killAll();
    if ('done' in msg) msg.done.reject(error);
    this.phase = 'dead';
    this.ctx.exit({ kind: 'crash', error });
  }

  /** Brutal: no waiting (used when the parent's patience ran out, or on our own bug). */
  killAll(): void {
    for (const e of this.running().reverse()) {
      const c = e.child;
      e.child = undefined;
      try {
        if (c?.kill) c.kill();
        else void c?.stop().catch(() => undefined);
      } catch {
        // Nothing more can be done for it.
      }
    }
  }

  private running(): Entry[] {
    return [...this.entries.values()].filter((e) => e.child !== undefined);
  }

  private async startAll(): Promise<void> {
    for (const e of this.entries.values()) {
      const err = await this.startEntry(e);
      if (err !== undefined) {
        this.phase = 'dead';
        await this.stopEntries(this.running().reverse());
        throw new VaqueroError('VQ_ERR_CHILD_START', `supervisor ${this.spec.name}: child ${e.spec.id} failed to start`, { cause: err });
      }
    }
    this.phase = 'running';
    this.log.info({ children: [...this.entries.keys()] }, 'supervisor started');
  }

  /** Start one incarnation; returns the error if it failed to start. */
  private async startEntry(e: Entry): Promise<unknown> {
    e.incarnation += 1;
    const incarnation = e.incarnation;
    const id = e.spec.id;
    let reported = false;
    const self = this.self;
    const parent = this.childParent;
    if (self === undefined || parent === undefined) throw new Error('supervisor started before its actor existed');
    const childCtx: ChildContext = {
      id,
      incarnation,
      parent,
      log: this.ctx.log.child({ sup: this.spec.name, child: id }),
      now: this.ctx.now,
      ...(this.ctx.report ? { report: this.ctx.report } : {}),
      // A method: see actorChild in actor.ts (one per child incarnation).
      exit(reason) {
        if (reported) return;
        reported = true;
        send<SupMsg>(self, { t: 'exit', id, incarnation, reason });
      },
    };
    try {
      e.child = await e.spec.start(childCtx);
      return undefined;
    } catch (err) {
      this.log.error({ err, child: id, incarnation }, 'child failed to start');
      return err ?? new Error('child start rejected without a reason');
    }
  }

  private async stopEntries(list: Entry[]): Promise<void> {
    for (const e of list) await this.stopEntry(e);
  }

  private async stopEntry(e: Entry): Promise<void> {
    const c = e.child;
    e.child = undefined;
    if (c !== undefined) await stopWithin(c, e.spec, this.log);
  }

  private async childExited(id: string, incarnation: number, reason: ExitReason): Promise<void> {
    if (this.phase !== 'running') return;
    const e = this.entries.get(id);
    if (e === undefined || e.incarnation !== incarnation || e.child === undefined) return; // an incarnation we already stopped
    if (reason.kind === 'crash') this.log.error({ err: reason.error, child: id, incarnation }, 'child crashed');
    else this.log.info({ child: id, incarnation }, 'child exited');
    // The dead incarnation may still hold resources (a socket that errored): release them.
    await this.stopEntry(e);
    const again = e.spec.restart === 'permanent' || (e.spec.restart === 'transient' && reason.kind === 'crash');
    if (!again) {
      if (e.spec.restart === 'temporary' || e.dynamic) this.entries.delete(id);
      return;
    }
    await this.restartFrom(e, reason.kind === 'crash' ? reason.error : new Error(`child ${id} exited`));
  }

  /** Restart per strategy; a failed start counts as another crash of that child (and against the budget). */
  private async restartFrom(first: Entry, firstError: unknown): Promise<void> {
    let failed = first;
    let error = firstError;
    const want = new Set<Entry>();
    const restarted: string[] = [];
    for (;;) {
      const d = decideRestart(this.spec, this.history, this.ctx.now());
      this.history = d.history;
      if (d.decision === 'give-up') {
        await this.giveUp(failed.spec.id, error);
        return;
      }
      const affected = this.affected(failed);
      for (const e of affected) if (e.child !== undefined || e === failed) want.add(e);
      await this.stopEntries(affected.filter((e) => e.child !== undefined).reverse());
      // Siblings that are temporary are stopped with the rest and never come back (OTP).
      for (const e of [...want]) {
        if (e.spec.restart === 'temporary' && e !== failed) {
          want.delete(e);
          this.entries.delete(e.spec.id);
        }
      }
      let next: Entry | undefined;
      for (const e of this.entries.values()) {
        if (!want.has(e)) continue;
        const err = await this.startEntry(e);
        if (err !== undefined) {
          next = e;
          error = err;
          break;
        }
        want.delete(e);
        restarted.push(e.spec.id);
      }
      if (next === undefined) {
        this.log.info({ strategy: this.spec.strategy, crashed: first.spec.id, restarts: this.history.length }, 'restarted');
        this.report({ type: 'restarted', supervisor: this.spec.name, policy: this.spec.policy, child: first.spec.id, reason: messageOf(firstError), restarted, restartsInPeriod: this.history.length });
        return;
      }
      failed = next;
    }
  }

  /** A report is news for operators; a sink that throws must not take the supervisor down. */
  private report(r: SupervisionReport): void {
    try {
      this.ctx.report?.(r);
    } catch (err) {
      this.log.error({ err }, 'supervision report sink threw');
    }
  }

  private affected(failed: Entry): Entry[] {
    switch (this.spec.strategy) {
      case 'one_for_one':
        return [failed];
      case 'one_for_all':
        return [...this.entries.values()];
      case 'rest_for_one': {
        const all = [...this.entries.values()];
        return all.slice(all.indexOf(failed));
      }
    }
  }

  private async giveUp(childId: string, error: unknown): Promise<void> {
    this.phase = 'dead';
    const reason = new VaqueroError(
      'VQ_ERR_SUPERVISOR_GAVE_UP',
      `supervisor ${this.spec.name} gave up: more than ${this.spec.intensity} restarts in ${this.spec.periodMs} ms (outage row ${this.spec.policy}); last crash in ${childId}`,
      { cause: error },
    );
    this.log.error({ err: reason, child: childId }, 'restart budget exhausted; stopping children and escalating');
    this.report({ type: 'gave-up', supervisor: this.spec.name, policy: this.spec.policy, child: childId, reason: reason.message });
    await this.stopEntries(this.running().reverse());
    this.ctx.exit({ kind: 'crash', error: reason });
  }
}

async function stopWithin(c: Child, spec: ChildSpec, log: ChildContext['log']): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<'overran'>((resolve) => {
    if (Number.isFinite(spec.shutdownMs)) timer = setTimeout(() => resolve('overran'), spec.shutdownMs);
  });
  try {
    const r = await Promise.race([c.stop().then(() => 'stopped' as const), overran]);
    if (r === 'overran') {
      log.warn({ child: spec.id, shutdownMs: spec.shutdownMs }, 'child did not stop in time; killing it');
      c.kill?.();
    }
  } catch (err) {
    // A child that already failed often fails to close too; it is gone either way.
    log.warn({ err, child: spec.id }, 'child stop failed');
    c.kill?.();
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
