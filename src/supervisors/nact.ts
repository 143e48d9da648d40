// The one file that imports nact (pinned at exactly 7.6.2 in package.json).
// We use its actors (mailbox, one message at a time, awaited handler, crash
// callback) and its tree of names; supervision policy is ours (supervisor.ts).
import { start, spawn, stop, dispatch, type Ref } from 'nact';

export type NactRef = Ref<unknown>;

/** A fresh actor system; nact names it randomly, so tests can start many. */
export function startSystem(): NactRef {
  return start();
}

export interface ActorHooks<S, M> {
  initialState: S;
  /**
   * One message at a time; nact awaits the returned promise, so a throw or a
   * rejection anywhere the handler awaits becomes a crash (not an unhandled
   * rejection). A promise the handler does not await escapes: never leave one.
   */
  handle: (state: S, msg: M) => Promise<S>;
  /** Called once when `handle` throws; the actor is then stopped (never reset, resumed or escalated by nact). */
  crashed: (msg: M, error: unknown) => void;
}

/**
 * Spawn a nact actor under `parent`. Its crash always ends in `ctx.stop`:
 * nact's `reset` keeps the old mailbox and its `resetAll` resets peers that
 * are mid-message (their in-flight handler then overwrites the fresh state
 * and a second handler starts beside it), so a restart here is always
 * "stop, then spawn a new incarnation", as in OTP.
 */
export function spawnActor<S, M>(parent: NactRef, name: string, hooks: ActorHooks<S, M>): NactRef {
  // An anonymous argument and a method: named closures made per actor each get a `name`
  // property of their own under tsx's keepNames (see actorChild in actor.ts).
  return spawn(parent as Ref<never>, (state: S, msg: M): Promise<S> => hooks.handle(state, msg), nactName(name), {
    initialState: hooks.initialState,
    onCrash(msg: M | undefined, error: unknown, ctx: { stop: symbol }) {
      // nact calls onCrash from an un-awaited async function: a throw here
      // would be an unhandled rejection, so none may escape.
      try {
        hooks.crashed(msg as M, error);
      } catch {
        // The crash report itself failed; the actor still stops.
      }
      return ctx.stop;
    },
  } as never) as NactRef;
}

/**
 * nact accepts only /^[a-z0-9-$_.+!*'(),]+$/i as a name; child ids such as
 * `boot-52:54:00:00:10:01` are not. Anything else (and `$` itself) becomes
 * `$` + two hex digits per UTF-8 byte, which keeps distinct ids distinct.
 */
export function nactName(id: string): string {
  if (id.length === 0) throw new Error('an actor name may not be empty');
  return [...Buffer.from(id, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return b < 0x80 && c !== '$' && /^[a-z0-9\-_.+!*'(),]$/i.test(c) ? c : `$${b.toString(16).padStart(2, '0')}`;
    })
    .join('');
}

/**
 * A nact actor that handles no messages, to be the parent of a supervisor's children. nact
 * 7.6.2 copies an actor's map of children into the context of every message that actor
 * handles. A supervisor's own actor handles a message per child started or exited, so with
 * its children directly under it, starting N boot actors cost O(N²): 35 s for 16,000
 * (`npm run bench:supervision`). Under a holder, the supervisor's
 * map has one entry, and the holder's map is never copied.
 */
export function spawnHolder(parent: NactRef, name: string): NactRef {
  return spawn(parent as Ref<never>, (state: null) => state, nactName(name), { initialState: null } as never) as NactRef;
}

/** Stop an actor and its nact descendants at once; a no-op if already stopped. */
export function stopActor(ref: NactRef): void {
  stop(ref);
}

/** Queue a message; silently dropped by nact if the actor is gone (callers check liveness first). */
export function send<M>(ref: NactRef, msg: M): void {
  dispatch(ref as Ref<M>, msg);
}
