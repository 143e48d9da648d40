// Go text/template in TypeScript: the module's public face. Self-contained
// (node built-ins only) so it can be used and tested on its own.
export { TemplateSet, type TemplateSetOptions, type ExecuteOptions, type MissingKey } from './template-set.ts';
export { render, type RenderOptions } from './render.ts';
export { TemplateParseError, TemplateExecError } from './errors.ts';
export type { GoValue, GoFunc } from './value.ts';
