// The root of a process's supervision tree: a nact system with the top
// supervisor under it. An escalation out of the top supervisor becomes one
// logged fatal error and a callback; the entry point exits non-zero there.
import type { Logger } from 'pino';
import { VaqueroError } from '../errors.ts';
import { startSystem, stopActor, type NactRef } from './nact.ts';
import type { SupervisionReport } from './child.ts';
import { startSupervisor, type SupervisorControl, type SupervisorSpec } from './supervisor.ts';

export interface RootOptions {
  /** Every supervisor and child logs through children of this logger. */
  logger: Logger;
  /**
   * Called once when the top supervisor escalates (its budget is spent, or
   * it crashed). The process entry point passes `exitProcess`; tests record.
   */
  onFatal: (reason: VaqueroError) => void;
  /** Clock for restart budgets. Default: performance.now (monotonic). */
  now?: () => number;
  /** Every supervisor in the tree reports its restarts and give-ups here (the outage table's `*.child-restarted` events). */
  onReport?: (r: SupervisionReport) => void;
}

/** status/startChild/terminateChild/restartChild act on the top supervisor. */
export interface Root extends SupervisorControl {
  /** The top supervisor's nact actor. */
  readonly ref: NactRef;
  /** Stop every child in reverse start order, then the nact system. Safe after a fatal escalation. */
  stop(): Promise<void>;
}

export async function startRoot(spec: SupervisorSpec, opts: RootOptions): Promise<Root> {
  const system = startSystem();
  const log = opts.logger;
  let fatal = false;
  try {
    const top = await startSupervisor(spec, {
      id: spec.name,
      incarnation: 1,
      parent: system,
      log,
      now: opts.now ?? (() => performance.now()),
      ...(opts.onReport ? { report: opts.onReport } : {}),
      exit: (reason) => {
        if (fatal) return;
        fatal = true;
        const error =
          reason.kind === 'crash'
            ? reason.error instanceof VaqueroError
              ? reason.error
              : new VaqueroError('VQ_ERR_SUPERVISOR_GAVE_UP', `supervisor ${spec.name} crashed`, { cause: reason.error })
            : new VaqueroError('VQ_ERR_SUPERVISOR_GAVE_UP', `supervisor ${spec.name} exited`);
        log.fatal({ err: error, sup: spec.name }, 'supervision tree gave up; the process must exit');
        opts.onFatal(error);
      },
    });
    return {
      ref: top.ref,
      status: () => top.status(),
      startChild: (c) => top.startChild(c),
      terminateChild: (id) => top.terminateChild(id),
      restartChild: (id) => top.restartChild(id),
      stop: async () => {
        await top.stop();
        stopActor(system);
      },
    };
  } catch (e) {
    stopActor(system);
    throw e;
  }
}

/**
 * The entry point's `onFatal`: flush the log and exit 1 so the process
 * manager restarts us (outage table: past the budget, the process exits).
 */
export function exitProcess(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): (reason: VaqueroError) => void {
  return () => {
    logger.flush();
    exit(1);
  };
}

/**
 * An exception or rejection outside every handler escaped supervision: it is
 * a bug, so log it as fatal and exit the same way an escalation does.
 * Returns a function that removes the handlers (for tests).
 */
export function installProcessHandlers(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const onException = (err: unknown): void => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    logger.flush();
    exit(1);
  };
  const onRejection = (err: unknown): void => {
    logger.fatal({ err }, 'unhandled rejection; exiting');
    logger.flush();
    exit(1);
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
