// Number literals, decoded with the rules of Go's parse.newNumber and
// strconv (base prefixes, underscores, hex floats, imaginary parts), so a
// literal is an int, a float64 or a complex128 exactly when it is in Go.
import type { NumberNode } from './ast.ts';
import { unquoteChar } from './unquote.ts';

const MAX_U64 = (1n << 64n) - 1n;
const MAX_I64 = (1n << 63n) - 1n;

// strconv's underscoreOK: '_' only between digits or after a base prefix.
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1]!)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** strconv.ParseUint(s, 0, 64). */
export function parseUint(s: string): bigint | null {
  if (s === '' || s[0] === '+' || s[0] === '-') return null;
  let base = 10;
  let body = s;
  if (s[0] === '0' && s.length > 1) {
    const p = s[1]!.toLowerCase();
    if (p === 'x') { base = 16; body = s.slice(2); }
    else if (p === 'o') { base = 8; body = s.slice(2); }
    else if (p === 'b') { base = 2; body = s.slice(2); }
    else { base = 8; body = s.slice(1); }
  }
  if (body.includes('_')) {
    if (!underscoreOK(s)) return null;
    body = body.replaceAll('_', '');
  }
  if (body === '') return null;
  const digitRe = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digitRe.test(body)) return null;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  const v = BigInt(prefix + body);
  return v > MAX_U64 ? null : v;
}

/** strconv.ParseInt(s, 0, 64). */
export function parseInt64(s: string): bigint | null {
  let neg = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    body = s.slice(1);
  }
  const u = parseUint(body);
  if (u === null) return null;
  if (neg ? u > MAX_I64 + 1n : u > MAX_I64) return null;
  return neg ? -u : u;
}

/** strconv.ParseFloat(s, 64); null on syntax error or overflow. */
export function parseFloat64(s: string): number | null {
  if (s.includes('_')) {
    if (!underscoreOK(s)) return null;
    s = s.replaceAll('_', '');
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : null;
  }
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s);
  if (m && (m[2]! + m[3]!).length > 0) {
    const mant = BigInt(`0x${m[2]!}${m[3]!}`);
    const exp = Number(m[4]) - 4 * m[3]!.length;
    const v = Number(mant) * 2 ** exp;
    if (!Number.isFinite(v)) return null;
    return m[1] === '-' ? -v : v;
  }
  return null;
}

function simplifyComplex(n: NumberNode): void {
  if (n.complex[1] === 0) {
    n.isFloat = true;
    n.float = n.complex[0];
    if (Number.isInteger(n.float) && Math.abs(n.float) < 2 ** 63) {
      n.isInt = true;
      n.int = BigInt(n.float);
    }
    if (Number.isInteger(n.float) && n.float >= 0 && n.float < 2 ** 64) {
      n.isUint = true;
    }
  }
}

/** parse.newNumber: returns the node or a Go-shaped error message. */
export function newNumber(pos: number, text: string, kind: 'char' | 'complex' | 'number'): NumberNode | string {
  const n: NumberNode = { type: 'number', pos, text, isInt: false, isUint: false, isFloat: false, isComplex: false, int: 0n, float: 0, complex: [0, 0] };
  if (kind === 'char') {
    const ch = unquoteChar(text, 1, '\'');
    if (!ch) return 'invalid syntax';
    if (text.slice(ch.next) !== '\'') return `malformed character constant: ${text}`;
    n.isInt = n.isUint = n.isFloat = true;
    n.int = BigInt(ch.value);
    n.float = ch.value;
    return n;
  }
  if (kind === 'complex') {
    const m = /^(.+?)([+-][^+-]*)i$/.exec(text);
    const re = m ? parseFloat64(m[1]!) : null;
    const im = m ? parseFloat64(m[2]!) : null;
    if (re === null || im === null) return 'expected integer';
    n.isComplex = true;
    n.complex = [re, im];
    simplifyComplex(n);
    return n;
  }
  if (text.endsWith('i')) {
    const f = parseFloat64(text.slice(0, -1));
    if (f !== null) {
      n.isComplex = true;
      n.complex = [0, f];
      simplifyComplex(n);
      return n;
    }
  }
  const u = parseUint(text);
  if (u !== null) n.isUint = true;
  const i = parseInt64(text);
  if (i !== null) {
    n.isInt = true;
    n.int = i;
    if (i === 0n) n.isUint = true;
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float = Number(n.int);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float = Number(u);
  } else {
    const f = parseFloat64(text);
    if (f !== null) {
      if (!/[.eEpP]/.test(text)) return `integer overflow: ${JSON.stringify(text)}`;
      n.isFloat = true;
      n.float = f;
      if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63) {
        n.isInt = true;
        n.int = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) n.isUint = true;
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) return `illegal number syntax: ${JSON.stringify(text)}`;
  return n;
}
