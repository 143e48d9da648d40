// Go text/template in TypeScript: the module's public face. Self-contained
// (node built-ins only) so it can be used and tested on its own.
//
// Data is Go's view of JSON: objects are map[string]interface{}, arrays
// []interface{}, numbers float64, plus strings, booleans and null; a bigint
// is a Go int. Output equals Go 1.19's byte for byte (test/gotemplate's
// differential suite checks ~1,000 cases against Go itself), except:
// - strings are JS strings, so a result that is not valid UTF-8 in Go (a
//   "\xff" escape, `slice` through a multi-byte character) becomes U+FFFD;
// - {{template}} recursion deeper than about 1,000 levels fails with Go's
//   depth error (Go allows 100,000);
// - some messages name the concrete type where Go says "interface {}".
export { TemplateSet, type TemplateSetOptions, type ExecuteOptions, type MissingKey } from './template-set.ts';
export { render, type RenderOptions } from './render.ts';
export { TemplateParseError, TemplateExecError } from './errors.ts';
export type { GoValue, GoFunc } from './value.ts';
