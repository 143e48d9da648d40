// Random templates from a small grammar, with a fixed seed so the suite is
// reproducible: they reach combinations nobody writes by hand (nil in odd
// places, verbs on every type, nested control flow). Both engines must agree.
import { mixed } from './data.ts';
import type { TemplateCase } from './types.ts';

// mulberry32: a tiny deterministic PRNG.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fields = ['.s', '.e', '.u', '.n', '.f', '.z', '.neg', '.big', '.small', '.t', '.no', '.nul', '.list', '.nums', '.empty', '.m', '.emptyMap', '.mixedList', '.nested.a', '.nested.l', '.missing', '.withNull.a', '.withNull', '.m.a', '.html', '.'];
const literals = ['0', '1', '-2', '3', '1.5', '0.0', '1e3', '"a"', '""', '"b c"', "'x'", 'true', 'false', 'nil', '0x10'];
const verbs = ['%v', '%d', '%s', '%q', '%x', '%5.1f', '%e', '%g', '%t', '%c', '%T', '%-4v|', '%03d', '%+v', '%#v'];
const unary = ['len', 'not', 'html', 'js', 'urlquery', 'print', 'println'];
const binary = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'index', 'slice', 'print'];

// The safe grammar keeps to functions that accept anything, so most of its
// templates render and the comparison is about output, not just failure.
const safeUnary = ['not', 'html', 'js', 'urlquery', 'print', 'println'];
const safeBinary = ['and', 'or', 'print', 'println', 'html'];

function generator(seed: number, safe: boolean) {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const vars: string[] = ['$'];
  const arg = (depth: number): string => {
    const x = r();
    if (x < 0.35) return pick(fields);
    if (x < 0.6) return pick(literals);
    if (x < 0.7 && vars.length > 1) return pick(vars);
    if (depth > 1) return pick(fields);
    return `(${expr(depth + 1)})`;
  };
  const expr = (depth: number): string => {
    const x = r();
    if (x < 0.2) return arg(depth);
    if (x < 0.4) return `${pick(safe ? safeUnary : unary)} ${arg(depth)}`;
    if (x < 0.7) return `${pick(safe ? safeBinary : binary)} ${arg(depth)} ${arg(depth)}`;
    if (x < 0.85) return `printf "${pick(verbs)}" ${arg(depth)}`;
    return `${arg(depth)} | ${pick(safe ? ['print', 'not', 'html', 'printf "%v"', 'and 1', 'or ""', 'js'] : ['print', 'len', 'not', 'html', 'printf "%v"', 'eq 1', 'and 1', 'or ""', 'index .list'])}`;
  };
  // Variables declared inside a control end with it, as Go scopes them.
  const scoped = (depth: number, inRange: boolean): string => {
    const mark = vars.length;
    const out = body(depth + 1, inRange);
    vars.length = mark;
    return out;
  };
  const body = (depth: number, inRange: boolean): string => {
    let out = '';
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const x = r();
      if (x < 0.4 || depth > 2) out += `{{${expr(0)}}} `;
      else if (x < 0.5) {
        const v = `$v${vars.length}`;
        out += `{{${v} := ${expr(0)}}}`;
        vars.push(v);
      } else if (x < 0.62) out += `{{if ${expr(0)}}}T${body(depth + 1, inRange)}{{else}}F{{end}}`;
      else if (x < 0.72) out += `{{with ${expr(0)}}}W{{.}}${body(depth + 1, inRange)}{{end}}`;
      else if (x < 0.86) {
        const mark = vars.length;
        vars.push(`$i${depth}`, `$e${depth}`);
        out += `{{range $i${depth}, $e${depth} := ${pick(safe ? ['.list', '.nums', '.m', '.mixedList', '.empty', '.missing', '.nested.l', '.withNull'] : ['.list', '.nums', '.m', '.mixedList', '.empty', '.missing', '.nested.l', '.withNull', '.s', '.n'])}}}[{{$i${depth}}}]${scoped(depth, true)}{{else}}E{{end}}`;
        vars.length = mark;
      } else if (inRange && x < 0.9) out += `{{if ${expr(0)}}}{{${pick(['break', 'continue'])}}}{{end}}`;
      else out += `{{- ${expr(0)} -}}\n`;
    }
    return out;
  };
  return () => {
    vars.length = 1;
    return body(0, false);
  };
}

const gen = generator(20261128, false);
const genSafe = generator(1128, true);
export const cases: TemplateCase[] = Array.from({ length: 300 }, (_, i) => ({
  name: `generated/${i}`,
  template: i % 3 === 0 ? gen() : genSafe(),
  data: mixed,
  missingKey: i % 10 === 9 ? 'error' : i % 10 === 8 ? 'zero' : 'default',
}));
