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

export interface ValidateOptions {
  /** Warnings fail validation too. */
  strict?: boolean;
  /** Only these sites (an agent validates just its own). */
  sites?: readonly string[];
}

function loadChecked(dir: string, opts: ValidateOptions): { sot: Sot; problems: Problems } {
  const loaded = loadSot(dir, new Problems(), opts.sites ? { sites: opts.sites } : {});
  checkReferences(loaded.sot, loaded.problems);
  return loaded;
}

function result(sot: Sot, problems: Problems, opts: ValidateOptions): ValidationResult {
  return { sot, problems, valid: problems.errorCount === 0 && (!opts.strict || problems.warningCount === 0) };
}

export function validateSot(dir: string, opts: ValidateOptions = {}): ValidationResult {
  const { sot, problems } = loadChecked(dir, opts);
  checkTemplates(sot, problems);
  return result(sot, problems, opts);
}

/** Hosts above which validateSotParallel checks rendered documents in worker threads (below, starting them costs more than it saves). */
export const PARALLEL_HOSTS = 2000;

/** validateSot for the command line and large models: the same result, typed checks spread over the cores. */
export async function validateSotParallel(dir: string, opts: ValidateOptions = {}): Promise<ValidationResult> {
  const { sot, problems } = loadChecked(dir, opts);
  let hosts = 0;
  for (const site of sot.sites.values()) hosts += site.hosts.length;
  if (hosts < PARALLEL_HOSTS) {
    checkTemplates(sot, problems);
    return result(sot, problems, opts);
  }
  const pool = new AssetCheckPool();
  try {
    const pending = checkTemplatesWith(sot, problems, (c) => pool.check(c));
    pool.flush();
    await pending;
  } finally {
    await pool.close();
  }
  return result(sot, problems, opts);
}
