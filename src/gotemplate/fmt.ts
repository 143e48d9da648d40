// Go's fmt.Sprint, Sprintln and Sprintf over engine values: verbs, flags,
// width, precision, argument indexes, and the %!verb(type=value) forms Go
// prints for mistakes instead of failing.
import { formatFloat, formatFloatB, formatFloatX } from './float.ts';
import { canBackquote, isPrint, quote, quoteRune } from './quote.ts';
import { GoComplex, GoUint8, isMap, sortedKeys, typeName, type GoValue } from './value.ts';

interface Flags {
  plus: boolean; minus: boolean; sharp: boolean; space: boolean; zero: boolean;
  plusV: boolean; sharpV: boolean;
  wid: number; widPresent: boolean; prec: number; precPresent: boolean;
}

function newFlags(): Flags {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false };
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

class Printer {
  buf = '';
  f: Flags = newFlags();
  // The argument being printed at top level, for %!verb(type=value).
  arg: GoValue = undefined;
  argSet = false;

  padding(n: number): string {
    return n > 0 ? (this.f.zero ? '0' : ' ').repeat(n) : '';
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.buf += s;
      return;
    }
    const w = this.f.wid - runeCount(s);
    if (this.f.minus) this.buf += s + (w > 0 ? ' '.repeat(w) : '');
    else this.buf += this.padding(w) + s;
  }

  fmtS(s: string): void {
    if (this.f.precPresent) s = Array.from(s).slice(0, this.f.prec).join('');
    this.pad(s);
  }

  fmtSx(s: string, upper: boolean): void {
    let bytes = Buffer.from(s, 'utf8');
    if (this.f.precPresent && this.f.prec < bytes.length) bytes = bytes.subarray(0, this.f.prec);
    const length = bytes.length;
    if (length === 0) {
      if (this.f.widPresent) this.buf += this.padding(this.f.wid);
      return;
    }
    let width = 2 * length;
    if (this.f.space) {
      if (this.f.sharp) width *= 2;
      width += length - 1;
    } else if (this.f.sharp) width += 2;
    if (this.f.widPresent && this.f.wid > width && !this.f.minus) this.buf += this.padding(this.f.wid - width);
    const prefix = upper ? '0X' : '0x';
    let out = this.f.sharp ? prefix : '';
    for (let i = 0; i < length; i++) {
      if (this.f.space && i > 0) {
        out += ' ';
        if (this.f.sharp) out += prefix;
      }
      const h = bytes[i]!.toString(16).padStart(2, '0');
      out += upper ? h.toUpperCase() : h;
    }
    this.buf += out;
    if (this.f.widPresent && this.f.wid > width && this.f.minus) this.buf += ' '.repeat(this.f.wid - width);
  }

  fmtQ(s: string): void {
    if (this.f.precPresent) s = Array.from(s).slice(0, this.f.prec).join('');
    if (this.f.sharp && canBackquote(s)) this.pad(`\`${s}\``);
    else this.pad(quote(s, this.f.plus));
  }

  fmtString(s: string, verb: string): void {
    switch (verb) {
      case 'v': if (this.f.sharpV) this.fmtQ(s); else this.fmtS(s); return;
      case 's': this.fmtS(s); return;
      case 'x': this.fmtSx(s, false); return;
      case 'X': this.fmtSx(s, true); return;
      case 'q': this.fmtQ(s); return;
    }
    this.badVerb(verb, s);
  }

  fmtBool(b: boolean, verb: string): void {
    if (verb === 't' || verb === 'v') this.pad(b ? 'true' : 'false');
    else this.badVerb(verb, b);
  }

  fmtInteger(v: bigint, signed: boolean, verb: string, orig: GoValue): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV && !signed) {
          this.f.sharp = true;
          this.fmtIntegerBase(v, 16, verb, false);
          return;
        }
        this.fmtIntegerBase(v, 10, verb, false);
        return;
      case 'd': this.fmtIntegerBase(v, 10, verb, false); return;
      case 'b': this.fmtIntegerBase(v, 2, verb, false); return;
      case 'o': case 'O': this.fmtIntegerBase(v, 8, verb, false); return;
      case 'x': this.fmtIntegerBase(v, 16, verb, false); return;
      case 'X': this.fmtIntegerBase(v, 16, verb, true); return;
      case 'c': this.pad(String.fromCodePoint(validRune(v))); return;
      case 'q': this.pad(quoteRune(validRune(v), this.f.plus)); return;
      case 'U': {
        let s = `U+${(v < 0n ? v + (1n << 64n) : v).toString(16).toUpperCase().padStart(4, '0')}`;
        if (this.f.sharp && v >= 0n && v <= 0x10ffffn && isPrint(Number(v))) s += ` '${String.fromCodePoint(Number(v))}'`;
        const z = this.f.zero;
        this.f.zero = false;
        this.pad(s);
        this.f.zero = z;
        return;
      }
    }
    this.badVerb(verb, orig);
  }

  fmtIntegerBase(v: bigint, base: number, verb: string, upper: boolean): void {
    const negative = v < 0n;
    let u = negative ? -v : v;
    if (negative && u > (1n << 63n)) u = u & ((1n << 64n) - 1n);
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      if (prec === 0 && u === 0n) {
        const z = this.f.zero;
        this.f.zero = false;
        if (this.f.widPresent) this.buf += this.padding(this.f.wid);
        this.f.zero = z;
        return;
      }
    } else if (this.f.zero && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--;
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
    if (this.f.sharp) {
      if (base === 2) digits = `0b${digits}`;
      else if (base === 8 && digits[0] !== '0') digits = `0${digits}`;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = `0o${digits}`;
    if (negative) digits = `-${digits}`;
    else if (this.f.plus) digits = `+${digits}`;
    else if (this.f.space) digits = ` ${digits}`;
    const z = this.f.zero;
    this.f.zero = false;
    this.pad(digits);
    this.f.zero = z;
  }

  fmtFloatVerb(v: number, verb: string, orig: GoValue): void {
    switch (verb) {
      case 'v': this.fmtFloat(v, 'g', -1); return;
      case 'g': case 'G': case 'b': case 'x': case 'X':
        this.fmtFloat(v, verb, -1);
        return;
      case 'f': case 'e': case 'E': this.fmtFloat(v, verb, 6); return;
      case 'F': this.fmtFloat(v, 'f', 6); return;
    }
    this.badVerb(verb, orig);
  }

  fmtFloat(v: number, verb: string, prec: number): void {
    if (this.f.precPresent) prec = this.f.prec;
    let num = verb === 'b' ? formatFloatB(v) : verb === 'x' || verb === 'X' ? formatFloatX(v, verb, prec) : formatFloat(v, verb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = `+${num}`;
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ` ${num.slice(1)}`;
    if (num[1] === 'I' || num[1] === 'N') {
      const z = this.f.zero;
      this.f.zero = false;
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      this.pad(num);
      this.f.zero = z;
      return;
    }
    if (this.f.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = '';
      let body = num;
      const ei = body.search(verb === 'x' || verb === 'X' ? /[pP]/ : /[eEpP]/);
      if (ei >= 0) {
        tail = body.slice(ei);
        body = body.slice(0, ei);
      }
      let sawNonzero = false;
      for (let i = 1; i < body.length; i++) {
        const c = body[i]!;
        if (c === '.') continue;
        if (c !== '0') sawNonzero = true;
        if (sawNonzero) digits--;
      }
      if (!body.includes('.')) {
        if (body.length === 2 && body[1] === '0') digits--;
        body += '.';
      }
      while (digits > 0) {
        body += '0';
        digits--;
      }
      num = body + tail;
    }
    if (this.f.plus || num[0] !== '+') {
      if (this.f.zero && this.f.widPresent && this.f.wid > num.length) {
        this.buf += num[0];
        this.buf += '0'.repeat(this.f.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  badVerb(verb: string, value: GoValue): void {
    this.buf += `%!${verb}(`;
    if (value === undefined || value === null) this.buf += '<nil>';
    else {
      this.buf += `${typeName(value)}=`;
      this.printValue(value, 'v', 0);
    }
    this.buf += ')';
  }

  printArg(arg: GoValue, verb: string): void {
    if (arg === undefined || arg === null) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    this.printValue(arg, verb, 0);
  }

  printValue(v: GoValue, verb: string, depth: number): void {
    switch (typeof v) {
      case 'string': this.fmtString(v, verb); return;
      case 'number': this.fmtFloatVerb(v, verb, v); return;
      case 'bigint': this.fmtInteger(v, true, verb, v); return;
      case 'boolean': this.fmtBool(v, verb); return;
      case 'function': this.buf += this.f.sharpV ? `(${typeName(v)})(0x1)` : '0x1'; return;
      case 'undefined': this.buf += '<nil>'; return;
    }
    if (v === null) {
      this.buf += this.f.sharpV ? 'interface {}(nil)' : '<nil>';
      return;
    }
    if (v instanceof GoUint8) {
      this.fmtInteger(BigInt(v.v), false, verb, v);
      return;
    }
    if (v instanceof GoComplex) {
      if (!'vbgGxXfFeE'.includes(verb)) {
        this.badVerb(verb, v);
        return;
      }
      const plus = this.f.plus;
      this.buf += '(';
      this.fmtFloatVerb(v.re, verb, v);
      this.f.plus = true;
      this.fmtFloatVerb(v.im, verb, v);
      this.buf += 'i)';
      this.f.plus = plus;
      return;
    }
    if (Array.isArray(v)) {
      if (this.f.sharpV) {
        this.buf += '[]interface {}{';
        v.forEach((e, i) => {
          if (i > 0) this.buf += ', ';
          this.printElem(e, verb, depth);
        });
        this.buf += '}';
        return;
      }
      this.buf += '[';
      v.forEach((e, i) => {
        if (i > 0) this.buf += ' ';
        this.printElem(e, verb, depth);
      });
      this.buf += ']';
      return;
    }
    if (isMap(v)) {
      this.buf += this.f.sharpV ? 'map[string]interface {}{' : 'map[';
      sortedKeys(v).forEach((k, i) => {
        if (i > 0) this.buf += this.f.sharpV ? ', ' : ' ';
        this.printValue(k, verb, depth + 1);
        this.buf += ':';
        this.printElem(v[k], verb, depth);
      });
      this.buf += this.f.sharpV ? '}' : ']';
    }
  }

  // An element of []interface{} or map[string]interface{} is an interface value.
  printElem(e: GoValue, verb: string, depth: number): void {
    if (e === null || e === undefined) {
      this.buf += this.f.sharpV ? 'interface {}(nil)' : '<nil>';
      return;
    }
    this.printValue(e, verb, depth + 2);
  }
}

function validRune(v: bigint): number {
  if (v < 0n || v > 0x10ffffn) return 0xfffd;
  const n = Number(v);
  return n >= 0xd800 && n < 0xe000 ? 0xfffd : n;
}

const isString = (a: GoValue): boolean => typeof a === 'string';

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: GoValue[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((a, i) => {
    const s = isString(a);
    if (i > 0 && !s && !prevString) p.buf += ' ';
    p.printArg(a, 'v');
    prevString = s;
  });
  return p.buf;
}

/** fmt.Sprintln: always spaces, then a newline. */
export function sprintln(args: GoValue[]): string {
  const p = new Printer();
  args.forEach((a, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(a, 'v');
  });
  return `${p.buf}\n`;
}

/** Formats one value as %v (printing an action's result). */
export function formatValue(v: GoValue): string {
  if (typeof v === 'string') return v;
  const p = new Printer();
  p.printArg(v, 'v');
  return p.buf;
}

function parsenum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) {
    if (num > 1e6) return [0, false, end]; // Go's tooLarge guard
    num = num * 10 + (s.charCodeAt(i) - 48);
    isnum = true;
  }
  return [num, isnum, i];
}

function intFromArg(a: GoValue[], argNum: number): [number, boolean, number] {
  if (argNum >= a.length) return [0, false, argNum];
  const v = a[argNum];
  let num = 0;
  let isInt = false;
  if (typeof v === 'bigint' && v >= -(1n << 63n) && v < 1n << 63n) {
    num = Number(v);
    isInt = true;
  } else if (v instanceof GoUint8) {
    num = v.v;
    isInt = true;
  }
  if (num > 1e6 || num < -1e6) return [0, false, argNum + 1];
  return [num, isInt, argNum + 1];
}

/** fmt.Sprintf. */
export function sprintf(format: string, a: GoValue[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;

  const argNumber = (i: number): [number, boolean] => {
    if (i >= end || format[i] !== '[') return [i, false];
    reordered = true;
    // parseArgNumber: [n] with n one-based
    let wid = 1;
    let ok = false;
    let index = 0;
    if (end - i >= 3) {
      for (let j = i + 1; j < end; j++) {
        if (format[j] === ']') {
          const [n, isnum, newi] = parsenum(format, i + 1, j);
          if (!isnum || newi !== j) {
            wid = j - i + 1;
            ok = false;
          } else {
            index = n - 1;
            wid = j - i + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && index < a.length) {
      argNum = index;
      return [i + wid, true];
    }
    goodArgNum = false;
    return [i + wid, ok];
  };

  for (let i = 0; i < end;) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) p.buf += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    p.f = newFlags();
    let simple = false;
    for (; i < end; i++) {
      const c = format[i]!;
      if (c === '#') p.f.sharp = true;
      else if (c === '0') p.f.zero = !p.f.minus;
      else if (c === '+') p.f.plus = true;
      else if (c === '-') {
        p.f.minus = true;
        p.f.zero = false;
      } else if (c === ' ') p.f.space = true;
      else {
        if (c >= 'a' && c <= 'z' && argNum < a.length) {
          if (c === 'v') {
            p.f.sharpV = p.f.sharp;
            p.f.sharp = false;
            p.f.plusV = p.f.plus;
            p.f.plus = false;
          }
          p.printArg(a[argNum], c);
          argNum++;
          i++;
          simple = true;
        }
        break;
      }
    }
    if (simple) continue;

    [i, afterIndex] = argNumber(i);
    if (i < end && format[i] === '*') {
      i++;
      let ok: boolean;
      [p.f.wid, ok, argNum] = intFromArg(a, argNum);
      p.f.widPresent = ok;
      if (!ok) p.buf += '%!(BADWIDTH)';
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      afterIndex = false;
    } else {
      [p.f.wid, p.f.widPresent, i] = parsenum(format, i, end);
      if (afterIndex && p.f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      [i, afterIndex] = argNumber(i);
      if (i < end && format[i] === '*') {
        i++;
        let ok: boolean;
        [p.f.prec, ok, argNum] = intFromArg(a, argNum);
        p.f.precPresent = ok;
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.precPresent = false;
        }
        if (!p.f.precPresent) p.buf += '%!(BADPREC)';
        afterIndex = false;
      } else {
        [p.f.prec, p.f.precPresent, i] = parsenum(format, i, end);
        if (!p.f.precPresent) {
          p.f.prec = 0;
          p.f.precPresent = true;
        }
      }
    }
    if (!afterIndex) [i, afterIndex] = argNumber(i);
    if (i >= end) {
      p.buf += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') p.buf += '%';
    else if (!goodArgNum) p.buf += `%!${verb}(BADINDEX)`;
    else if (argNum >= a.length) p.buf += `%!${verb}(MISSING)`;
    else {
      if (verb === 'v') {
        p.f.sharpV = p.f.sharp;
        p.f.sharp = false;
        p.f.plusV = p.f.plus;
        p.f.plus = false;
      }
      p.printArg(a[argNum], verb);
      argNum++;
    }
  }
  if (!reordered && argNum < a.length) {
    p.f = newFlags();
    p.buf += '%!(EXTRA ';
    a.slice(argNum).forEach((arg, k) => {
      if (k > 0) p.buf += ', ';
      if (arg === undefined || arg === null) p.buf += '<nil>';
      else {
        p.buf += `${typeName(arg)}=`;
        p.printArg(arg, 'v');
      }
    });
    p.buf += ')';
  }
  return p.buf;
}
