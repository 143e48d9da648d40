// Go's predefined template functions (text/template funcs.go semantics):
// and, or, not, len, index, slice, print, printf, println, html, js,
// urlquery, eq, ne, lt, le, gt, ge, call. Each declares its parameter kinds
// so the executor converts arguments as Go's evalArg does.
import { htmlEscape, jsEscape, urlQueryEscape } from './escape.ts';
import { sprint, sprintf, sprintln } from './fmt.ts';
import { byteLength, compareStrings, GoComplex, GoUint8, isMap, isTrue, typeName, type GoValue } from './value.ts';

/** How an argument is converted: reflect.Value (as is), interface{} (nil for no value) or string. */
export type ParamKind = 'value' | 'any' | 'string';

export interface FuncSpec {
  params: ParamKind[];
  variadic: ParamKind | null;
  fn: (args: GoValue[]) => GoValue;
}

/** An error returned by a function; the executor reports "error calling NAME: ...". */
export class FuncError extends Error {}

const fail = (msg: string): never => {
  throw new FuncError(msg);
};

// indirectInterface: a nil interface is no value at all.
const ind = (v: GoValue): GoValue => (v === null ? undefined : v);

/** Go's append growth for []interface{}: the capacity a JSON array of n elements ends with. */
const sizeClasses = [0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768];
function roundupsize(bytes: number): number {
  for (const c of sizeClasses) if (c >= bytes) return c;
  return Math.ceil(bytes / 8192) * 8192;
}
const capCache: number[] = [0];
export function jsonCap(len: number): number {
  if (len > 100_000) return len;
  let cap = capCache[capCache.length - 1]!;
  for (let n = capCache.length; n <= len; n++) {
    if (n > cap) {
      let newcap = cap;
      const doublecap = cap * 2;
      if (n > doublecap) newcap = n;
      else if (cap < 256) newcap = doublecap;
      else while (newcap < n) newcap += (newcap + 3 * 256) / 4;
      cap = roundupsize(Math.floor(newcap) * 16) / 16;
    }
    capCache[n] = cap;
  }
  return capCache[len]!;
}

function indexArg(index: GoValue, cap: number): number {
  let x: bigint;
  if (typeof index === 'bigint') x = index;
  else if (index instanceof GoUint8) x = BigInt(index.v);
  else if (index === undefined) return fail('cannot index slice/array with nil');
  else return fail(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0n || x > BigInt(cap)) fail(`index out of range: ${x}`);
  return Number(x);
}

function index(args: GoValue[]): GoValue {
  let item = ind(args[0]);
  if (item === undefined) fail('index of untyped nil');
  for (const raw of args.slice(1)) {
    const idx = ind(raw);
    if (item === null) fail('index of nil pointer');
    if (typeof item === 'string') {
      const bytes = Buffer.from(item, 'utf8');
      const x = indexArg(idx, bytes.length);
      if (x >= bytes.length) fail(`reflect: string index out of range`);
      item = new GoUint8(bytes[x]!);
    } else if (Array.isArray(item)) {
      const x = indexArg(idx, item.length);
      if (x >= item.length) fail('reflect: slice index out of range');
      item = item[x];
    } else if (isMap(item)) {
      if (idx === undefined) fail('value is nil; should be of type string');
      if (typeof idx !== 'string') fail(`value has type ${typeName(idx)}; should be string`);
      item = Object.prototype.hasOwnProperty.call(item, idx as string) ? item[idx as string] : null;
    } else {
      fail(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(args: GoValue[]): GoValue {
  const item = ind(args[0]);
  if (item === undefined) fail('slice of untyped nil');
  const idxs = args.slice(1);
  if (idxs.length > 3) fail(`too many slice indexes: ${idxs.length}`);
  let cap: number;
  let len: number;
  let bytes: Buffer | null = null;
  if (typeof item === 'string') {
    if (idxs.length === 3) fail('cannot 3-index slice a string');
    bytes = Buffer.from(item, 'utf8');
    cap = len = bytes.length;
  } else if (Array.isArray(item)) {
    len = item.length;
    cap = jsonCap(len);
  } else return fail(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, cap];
  idxs.forEach((v, i) => {
    idx[i] = indexArg(v, cap);
  });
  if (idx[0]! > idx[1]!) fail(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (idxs.length === 3 && idx[1]! > idx[2]!) fail(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (bytes) return bytes.subarray(idx[0], idx[1]).toString('utf8');
  const arr = item as GoValue[];
  const out: GoValue[] = [];
  // Beyond len (but within cap) Go sees the zeroed backing array: nil elements.
  for (let i = idx[0]!; i < idx[1]!; i++) out.push(i < arr.length ? arr[i] : null);
  return out;
}

function length(args: GoValue[]): GoValue {
  const item = args[0];
  if (item === null) fail('len of nil pointer');
  if (typeof item === 'string') return BigInt(byteLength(item));
  if (Array.isArray(item)) return BigInt(item.length);
  if (isMap(item)) return BigInt(Object.keys(item).length);
  return fail(item === undefined ? 'reflect: call of reflect.Value.Type on zero Value' : `len of type ${typeName(item)}`);
}

type Kind = 'invalid' | 'bool' | 'complex' | 'int' | 'float' | 'string' | 'uint';
function basicKind(v: GoValue): Kind {
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'bigint': return 'int';
    case 'number': return 'float';
    case 'string': return 'string';
  }
  if (v instanceof GoUint8) return 'uint';
  if (v instanceof GoComplex) return 'complex';
  return 'invalid';
}
const asBig = (v: GoValue): bigint => (typeof v === 'bigint' ? v : BigInt((v as GoUint8).v));

function eqPair(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) return asBig(a) === asBig(b);
    if (a !== undefined && b !== undefined) fail('incompatible types for comparison');
    return false;
  }
  switch (k1) {
    case 'bool': case 'float': case 'string': return a === b;
    case 'int': case 'uint': return asBig(a) === asBig(b);
    case 'complex': return (a as GoComplex).re === (b as GoComplex).re && (a as GoComplex).im === (b as GoComplex).im;
  }
  // Neither is a basic kind: only nil compares; slices, maps and funcs are not comparable.
  const kindOf = (v: GoValue): string => (v === undefined ? 'invalid' : Array.isArray(v) ? 'slice' : typeof v === 'function' ? 'func' : 'map');
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb && ka !== 'invalid' && kb !== 'invalid') fail(`non-comparable types ${typeName(a)}, ${typeName(b)}`);
  if (a === undefined || b === undefined) return a === b;
  return fail(`non-comparable type ${typeName(b)}`);
}

function eq(args: GoValue[]): GoValue {
  const a = ind(args[0]);
  if (args.length < 2) fail('missing argument for comparison');
  for (const raw of args.slice(1)) if (eqPair(a, ind(raw))) return true;
  return false;
}

function lt(a0: GoValue, b0: GoValue): boolean {
  const a = ind(a0);
  const b = ind(b0);
  const k1 = basicKind(a);
  if (k1 === 'invalid') fail('invalid type for comparison');
  const k2 = basicKind(b);
  if (k2 === 'invalid') fail('invalid type for comparison');
  if (k1 !== k2) {
    if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) return asBig(a) < asBig(b);
    return fail('incompatible types for comparison');
  }
  switch (k1) {
    case 'bool': case 'complex': return fail('invalid type for comparison');
    case 'float': return (a as number) < (b as number);
    case 'int': case 'uint': return asBig(a) < asBig(b);
    default: return compareStrings(a as string, b as string) < 0;
  }
}
const le = (a: GoValue, b: GoValue): boolean => lt(a, b) || (eq([a, b]) as boolean);

// The text of html/js/urlquery arguments: fmt.Sprint, with no value shown as <no value>.
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

function call(args: GoValue[]): GoValue {
  const fn = ind(args[0]);
  if (fn === undefined) fail('call of nil');
  if (typeof fn !== 'function') return fail(`non-function of type ${typeName(fn)}`);
  const rest = args.slice(1);
  if (rest.length !== fn.length) fail(`wrong number of args: got ${rest.length} want ${fn.length}`);
  return callUser(fn, rest.map((a) => (a === undefined ? null : a)));
}

/** Calls a caller-supplied function; a throw is the function's error result. */
export function callUser(fn: (...a: GoValue[]) => unknown, args: GoValue[]): GoValue {
  let r: unknown;
  try {
    r = fn(...args);
  } catch (e) {
    throw new FuncError(e instanceof Error ? e.message : String(e));
  }
  return r === undefined ? null : (r as GoValue);
}

const V: ParamKind = 'value';
const A: ParamKind = 'any';

/** and/or are evaluated lazily by the executor; their fn is never called. */
export const builtins: Record<string, FuncSpec> = {
  and: { params: [V], variadic: V, fn: () => undefined },
  or: { params: [V], variadic: V, fn: () => undefined },
  call: { params: [V], variadic: V, fn: call },
  html: { params: [], variadic: A, fn: (a) => htmlEscape(evalArgs(a)) },
  index: { params: [V], variadic: V, fn: index },
  slice: { params: [V], variadic: V, fn: slice },
  js: { params: [], variadic: A, fn: (a) => jsEscape(evalArgs(a)) },
  len: { params: [V], variadic: null, fn: length },
  not: { params: [V], variadic: null, fn: (a) => !isTrue(ind(a[0])) },
  print: { params: [], variadic: A, fn: sprint },
  printf: { params: ['string'], variadic: A, fn: (a) => sprintf(a[0] as string, a.slice(1)) },
  println: { params: [], variadic: A, fn: sprintln },
  urlquery: { params: [], variadic: A, fn: (a) => urlQueryEscape(evalArgs(a)) },
  eq: { params: [V], variadic: V, fn: eq },
  ne: { params: [V, V], variadic: null, fn: (a) => !eq(a) },
  lt: { params: [V, V], variadic: null, fn: (a) => lt(a[0], a[1]) },
  le: { params: [V, V], variadic: null, fn: (a) => le(a[0], a[1]) },
  gt: { params: [V, V], variadic: null, fn: (a) => !le(a[0], a[1]) },
  ge: { params: [V, V], variadic: null, fn: (a) => !lt(a[0], a[1]) },
};
