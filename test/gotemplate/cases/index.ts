// All differential cases.
import { cases as builtins } from './builtins.ts';
import { cases as control } from './control.ts';
import { cases as edge } from './edge.ts';
import { cases as errors } from './errors.ts';
import { cases as fmt } from './fmt.ts';
import { cases as generated } from './generated.ts';
import { cases as sot } from './sot.ts';
import { cases as syntax } from './syntax.ts';
import type { TemplateCase } from './types.ts';

export type { TemplateCase } from './types.ts';
export const allCases: TemplateCase[] = [...syntax, ...control, ...builtins, ...fmt, ...errors, ...edge, ...generated, ...sot];
