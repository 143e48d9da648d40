// `validate`: load a SoT and run every check; the model is usable when no
// problem is an error (warnings are allowed unless strict).
import { loadSot } from '../model/load.ts';
import { Problems } from '../model/problems.ts';
import type { Sot } from '../model/types.ts';
import { checkReferences } from './references.ts';
import { checkTemplates } from './templates.ts';

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
