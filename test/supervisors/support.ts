// Test support for supervision: a logger that keeps its lines, polling with a
// deadline, a manual clock, and child specs that record what happened.
import { pino, type Logger } from 'pino';
import type { Child, ChildContext, ChildSpec } from '../../src/supervisors/child.ts';
import type { Clock } from '../../src/supervisors/actor.ts';
import { until } from '../helpers/until.ts';

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'trace' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}

/** Poll `cond` until true; fail with `what` after `timeoutMs` (a deadline, not a sleep). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  await until(what, timeoutMs, cond);
}

/** A clock the test moves by hand; timers fire in `advance`. */
export class ManualClock implements Clock {
  t: number;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(t = 0) {
    this.t = t;
  }
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    this.t += ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) return;
      this.timers = this.timers.filter((x) => x !== due);
      due.fn();
    }
  }
}

/** Records "start:id", "stop:id" for any child spec, and counts starts per id. */
export class Recorder {
  events: string[] = [];
  starts = new Map<string, number>();
  count(id: string): number {
    return this.starts.get(id) ?? 0;
  }
  counts(ids: string[]): Record<string, number> {
    return Object.fromEntries(ids.map((id) => [id, this.count(id)]));
  }
  wrap(spec: ChildSpec): ChildSpec {
    return {
      ...spec,
      start: async (ctx: ChildContext): Promise<Child> => {
        this.starts.set(spec.id, this.count(spec.id) + 1);
        this.events.push(`start:${spec.id}`);
        const child = await spec.start(ctx);
        return {
          stop: async () => {
            this.events.push(`stop:${spec.id}`);
            await child.stop();
          },
          ...(child.kill ? { kill: () => child.kill?.() } : {}),
        };
      },
    };
  }
}

/** A bare child whose latest incarnation the test can crash or finish by id. */
export class Probes {
  private live = new Map<string, ChildContext>();
  spec(id: string, o: { restart?: ChildSpec['restart']; failStart?: () => boolean; stop?: () => Promise<void> } = {}): ChildSpec {
    return {
      id,
      restart: o.restart ?? 'permanent',
      shutdownMs: 1000,
      start: async (ctx) => {
        if (o.failStart?.()) throw new Error(`${id} refused to start`);
        this.live.set(id, ctx);
        return { stop: o.stop ?? (async () => undefined) };
      },
    };
  }
  crash(id: string, error: unknown = new Error(`${id} crashed`)): void {
    const ctx = this.live.get(id);
    if (ctx === undefined) throw new Error(`probe ${id} never started`);
    ctx.exit({ kind: 'crash', error });
  }
  finish(id: string): void {
    const ctx = this.live.get(id);
    if (ctx === undefined) throw new Error(`probe ${id} never started`);
    ctx.exit({ kind: 'normal' });
  }
  incarnation(id: string): number {
    return this.live.get(id)?.incarnation ?? 0;
  }
}
