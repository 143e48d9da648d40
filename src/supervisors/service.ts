// Service children: plain objects with start/stop (a UDP server, an HTTP
// server) supervised like actors. A crash is their `error` event or a call
// to `crashed`; the supervisor stops the broken one and starts a new one.
import type { Logger } from 'pino';
import type { ChildSpec, RestartType } from './child.ts';

export interface Service {
  /** Resolve once serving (bound, listening). */
  start(): Promise<void>;
  /** Resolve once closed. Called after a crash too, to release what is left. */
  stop(): Promise<void>;
  /** If present (an EventEmitter), its `error` events are crashes. */
  on?(event: 'error', listener: (err: unknown) => void): unknown;
}

export interface ServiceSignals {
  /** The service failed (a socket error it cannot recover from): the supervisor restarts it per strategy. */
  crashed(error: unknown): void;
  /** The service finished its work on purpose (transient: not restarted). */
  finished(): void;
  log: Logger;
}

export interface ServiceChildOptions {
  id: string;
  /** Build a fresh service for each incarnation; wire its failure callbacks to `signals`. */
  create: (signals: ServiceSignals) => Service | Promise<Service>;
  /** Default 'permanent'. */
  restart?: RestartType;
  /** Longest wait for stop(). Default 5000 ms: a socket closes in well under that. */
  shutdownMs?: number;
}

export function serviceChild(o: ServiceChildOptions): ChildSpec {
  return {
    id: o.id,
    restart: o.restart ?? 'permanent',
    shutdownMs: o.shutdownMs ?? 5000,
    start: async (ctx) => {
      const signals: ServiceSignals = {
        crashed: (error) => ctx.exit({ kind: 'crash', error }),
        finished: () => ctx.exit({ kind: 'normal' }),
        log: ctx.log,
      };
      const svc = await o.create(signals);
      // Stays attached after stop: an EventEmitter with no `error` listener
      // throws, and a late error from a closed socket must not kill the
      // process. Exits from a stopped incarnation are ignored by the supervisor.
      if (typeof svc.on === 'function') svc.on('error', (err) => signals.crashed(err));
      try {
        await svc.start();
      } catch (e) {
        await svc.stop().catch(() => undefined);
        throw e;
      }
      return { stop: () => svc.stop() };
    },
  };
}
