// `validate`: load a SoT and run every check; the model is usable when no
// problem is an error (warnings are allowed unless strict).
import { loadSot } from '../model/load.ts';
import { Problems } from '../model/problems.ts';
import type { Sot } from '../model/types.ts';
import { checkReferences } from './references.ts';
import { AssetCheckPool } from './assets/pool.ts';
import { checkTemplates, checkTemplatesWith } from './templates.ts';

export interface ValidationResult {
  sot: Sot;
  problems: Problems;
  valid: boolean;
}

export function validateSot(dir: string, opts: { strict?: boolean; sites?: readonly string[] } = {}): ValidationResult {
  const { sot, problems } = loadSot(dir, new Problems(), opts.sites ? { sites: opts.sites } : {});
  checkReferences(sot, problems);
  checkTemplates(sot, problems);
  const valid = problems.errorCount === 0 && (!opts.strict || problems.warningCount === 0);
  return { sot, problems, valid };
}

/** Hosts above which validateSotParallel checks rendered documents in worker threads (below, starting them costs more than it saves). */
export const PARALLEL_HOSTS = 2000;

/** validateSot for the command line and large models: the same result, typed checks spread over the cores. */
export async function validateSotParallel(dir: string, opts: { strict?: boolean; sites?: readonly string[] } = {}): Promise<ValidationResult> {
  const { sot, problems } = loadSot(dir, new Problems(), opts.sites ? { sites: opts.sites } : {});
  checkReferences(sot, problems);
  let hosts = 0;
  for (const site of sot.sites.values()) hosts += site.hosts.length;
  if (hosts < PARALLEL_HOSTS) checkTemplates(sot, problems);
  else {
    const pool = new AssetCheckPool();
    try {
      const pending = checkTemplatesWith(sot, problems, (c) => pool.check(c));
      pool.flush();
      await pending;
    } finally {
      await pool.close();
    }
  }
  const valid = problems.errorCount === 0 && (!opts.strict || problems.warningCount === 0);
  return { sot, problems, valid };
}
