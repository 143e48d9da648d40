// Model-cache actor: holds the last good (validated) model a site serves.
// A new model replaces it only when it validated; a bad one is reported with
// its problems and the last good model keeps serving. A source that cannot be
// read marks the model stale (outage table: SoT unreachable -> serve the last
// model, marked stale, retry). Pure: effects are data run by its supervisor.
import type { Problem } from '../model/problems.ts';

export type ModelMsg<M> =
  | { type: 'loaded'; version: string; model: M; problems: Problem[]; valid: boolean }
  | { type: 'source-failed'; code: string; message: string };

export interface ModelState<M> {
  current: { version: string; model: M; since: number } | undefined;
  /** True while the source has failed since the current model was loaded. */
  stale: boolean;
  /** The last version refused, so the same broken change is reported once. */
  rejected: string | undefined;
}

export type ModelEvent =
  | { type: 'model.updated'; version: string; previous: string | undefined; at: number; warnings: number }
  | { type: 'model.unchanged'; version: string; at: number }
  | { type: 'model.rejected'; version: string; at: number; serving: string | undefined; problems: Problem[] }
  | { type: 'model.stale'; at: number; serving: string | undefined; code: string; message: string }
  | { type: 'model.fresh'; at: number; version: string };

export type ModelEffect<M> = { type: 'emit'; event: ModelEvent } | { type: 'publish'; version: string; model: M };

export function initModel<M>(): ModelState<M> {
  return { current: undefined, stale: false, rejected: undefined };
}

export function stepModel<M>(state: ModelState<M>, msg: ModelMsg<M>, now: number): [ModelState<M>, ModelEffect<M>[]] {
  switch (msg.type) {
    case 'loaded': {
      const fresh: ModelEffect<M>[] = state.stale && state.current ? [{ type: 'emit', event: { type: 'model.fresh', at: now, version: msg.version } }] : [];
      if (!msg.valid) {
        if (state.rejected === msg.version) return [{ ...state, stale: false }, fresh];
        const event: ModelEvent = { type: 'model.rejected', version: msg.version, at: now, serving: state.current?.version, problems: msg.problems.filter((p) => p.level === 'error') };
        return [{ ...state, stale: false, rejected: msg.version }, [...fresh, { type: 'emit', event }]];
      }
      if (state.current?.version === msg.version) return [{ ...state, stale: false, rejected: undefined }, fresh];
      const warnings = msg.problems.filter((p) => p.level === 'warning').length;
      return [
        { current: { version: msg.version, model: msg.model, since: now }, stale: false, rejected: undefined },
        [{ type: 'publish', version: msg.version, model: msg.model }, { type: 'emit', event: { type: 'model.updated', version: msg.version, previous: state.current?.version, at: now, warnings } }],
      ];
    }
    case 'source-failed': {
      if (state.stale) return [state, []];
      return [{ ...state, stale: true }, [{ type: 'emit', event: { type: 'model.stale', at: now, serving: state.current?.version, code: msg.code, message: msg.message } }]];
    }
  }
}
