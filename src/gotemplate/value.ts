// Go values as the engine holds them. JSON/YAML data maps onto Go's
// interface{} world: object = map[string]interface{}, array = []interface{},
// number = float64, string, bool. Template integer literals and len results
// are Go ints (bigint here). `undefined` is Go's invalid reflect.Value ("no
// value"); `null` is a nil interface{} (a JSON null, a zero map entry).

/** uint8, the type of `index` on a string. */
export class GoUint8 {
  constructor(readonly v: number) {}
}

/** complex128, from imaginary literals such as 2i. */
export class GoComplex {
  constructor(readonly re: number, readonly im: number) {}
}

export type GoFunc = (...args: GoValue[]) => unknown;
export type GoMap = { [key: string]: GoValue };
export type GoValue =
  | undefined | null | string | number | bigint | boolean | GoUint8 | GoComplex | GoValue[] | GoMap | GoFunc;

export function isMap(v: unknown): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoUint8) && !(v instanceof GoComplex);
}

/** reflect.Type.String() of a value, for %T and error messages. */
export function typeName(v: GoValue): string {
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return 'float64';
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
    case 'function': return `func(${Array.from({ length: v.length }, () => 'interface {}').join(', ')}) interface {}`;
    case 'undefined': return '<nil>';
  }
  if (v === null) return 'interface {}';
  if (v instanceof GoUint8) return 'uint8';
  if (v instanceof GoComplex) return 'complex128';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go orders strings by their UTF-8 bytes, which is code point order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only when a surrogate meets U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

export function sortedKeys(m: GoMap): string[] {
  return Object.keys(m).sort(compareStrings);
}

/** Go's truth for if/with/and/or/not; false for `ok` means "can't use" (not reachable with data values). */
export function isTrue(v: GoValue): boolean {
  switch (typeof v) {
    case 'undefined': return false;
    case 'string': return v.length > 0;
    case 'number': return v !== 0;
    case 'bigint': return v !== 0n;
    case 'boolean': return v;
    case 'function': return true;
  }
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoUint8) return v.v !== 0;
  if (v instanceof GoComplex) return v.re !== 0 || v.im !== 0;
  for (const _ in v) return true;
  return false;
}

/** Length of a Go string in bytes. */
export function byteLength(s: string): number {
  // ASCII fast path: most template strings are.
  return /^[\x00-\x7f]*$/.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
}
