// The agent's local model source: polls the SoT folder (LocalDir.PollInterval),
// and when its files change loads and validates it and hands the result to the
// model-cache actor, which decides whether it replaces the last good model.
// A folder that cannot be read is reported as source-failed and retried with
// the outage table's backoff for an unreachable SoT (row sot-to-vs).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { isVaqueroError } from '../errors.ts';
import type { ModelMsg } from '../actors/model-cache.ts';
import { sotVersion } from '../model/version.ts';
import { nextDelay } from '../outage/backoff.ts';
import { backoffFor } from '../outage/table.ts';
import type { Service } from '../supervisors/service.ts';
import { validateSot } from '../validate/index.ts';
import type { AgentModel } from './asset-routes.ts';

export interface LocalSourceOptions {
  dir: string;
  siteId: string;
  intervalMs: number;
  deliver(msg: ModelMsg<AgentModel>): void;
  logger: Logger;
  random?: () => number;
}

/** Paths, sizes and modification times: cheap to read every poll, changes whenever a file does. */
function signature(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        parts.push(`${p}\0${st.size}\0${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return parts.sort().join('\n');
}

export function createLocalSource(o: LocalSourceOptions): Service & { pollNow(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let last: string | undefined;
  let failures = 0;
  const backoff = backoffFor('sot-to-vs');

  function check(): void {
    let sig: string;
    try {
      sig = signature(o.dir);
      if (sig === last && failures === 0) return;
      const version = sotVersion(o.dir);
      // Only this agent's site: other sites' hosts are other agents' business (and cost).
      const { sot, problems } = validateSot(o.dir, { sites: [o.siteId] });
      const site = sot.sites.get(o.siteId);
      if (!site) {
        problems.error('sites', 0, `site '${o.siteId}' is not in this source of truth (sites: ${[...sot.sites.keys()].join(', ') || 'none'})`);
      }
      last = sig;
      failures = 0;
      if (!site) {
        // Refused like any invalid model: the model cache never publishes it.
        o.deliver({ type: 'loaded', version, model: { sot, site: undefined as never }, problems: problems.sorted(), valid: false });
        return;
      }
      o.deliver({ type: 'loaded', version, model: { sot, site }, problems: problems.sorted(), valid: problems.errorCount === 0 });
    } catch (e) {
      failures++;
      o.deliver({ type: 'source-failed', code: isVaqueroError(e) ? e.code : 'VQ_ERR_IO', message: e instanceof Error ? e.message : String(e) });
    }
  }

  function schedule(): void {
    if (stopped) return;
    const delay = failures > 0 ? nextDelay(failures - 1, backoff, o.random ?? Math.random) : o.intervalMs;
    timer = setTimeout(() => {
      check();
      schedule();
    }, delay);
  }

  return {
    start: async () => {
      check();
      schedule();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    pollNow: () => check(),
  };
}
