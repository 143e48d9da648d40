// Go's strconv.FormatFloat for float64 ('e', 'E', 'f', 'g', 'G'): shortest
// digits from JS (both pick the shortest round-trip digits closest to the
// value), fixed precision from the exact binary value rounded half to even,
// as Go does.

interface Digits { d: string; dp: number } // value = 0.d × 10^dp, no leading/trailing zeros

function shortestDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const [m, e] = x.toExponential().split('e') as [string, string];
  const d = m.replace('.', '').replace(/0+$/, '');
  return { d, dp: Number(e) + 1 };
}

function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (bexp === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = bexp - 1075;
  }
  let s: string;
  let dp: number;
  if (exp >= 0) {
    s = (mant << BigInt(exp)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-exp)).toString();
    dp = s.length + exp;
  }
  const lead = s.length - s.replace(/^0+/, '').length;
  s = s.slice(lead).replace(/0+$/, '');
  return { d: s, dp: dp - lead };
}

/** Rounds to `nd` significant digits, half to even on exact ties (Go's decimal.Round). */
function round(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: '', dp: x.dp };
  if (nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) return { d: x.d.slice(0, nd).replace(/0+$/, ''), dp: x.dp };
  const digits = x.d.slice(0, nd).split('').map(Number);
  let i = nd - 1;
  while (i >= 0 && digits[i] === 9) i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  digits[i]! += 1;
  return { d: digits.slice(0, i + 1).join(''), dp: x.dp };
}

function digitAt(d: Digits, i: number): string {
  return i < d.d.length ? d.d[i]! : '0';
}

function fmtE(neg: boolean, d: Digits, prec: number, fmt: string): string {
  let s = neg ? '-' : '';
  s += d.d.length === 0 ? '0' : d.d[0];
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(d, i);
  }
  s += fmt;
  let exp = d.dp - 1;
  if (d.d.length === 0) exp = 0;
  s += exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  s += exp < 10 ? `0${exp}` : String(exp);
  return s;
}

function fmtF(neg: boolean, d: Digits, prec: number): string {
  let s = neg ? '-' : '';
  if (d.dp > 0) {
    for (let i = 0; i < d.dp; i++) s += digitAt(d, i);
  } else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      s += j < 0 ? '0' : digitAt(d, j);
    }
  }
  return s;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in eEfgG. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  const shortest = prec < 0;
  let d: Digits;
  if (shortest) {
    d = shortestDigits(ax);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(d.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(d.d.length - d.dp, 0);
    else prec = d.d.length;
  } else {
    const exact = exactDigits(ax);
    if (fmt === 'e' || fmt === 'E') d = round(exact, prec + 1);
    else if (fmt === 'f') d = round(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      d = round(exact, prec);
    }
  }
  if (fmt === 'e' || fmt === 'E') return fmtE(neg, d, prec, fmt);
  if (fmt === 'f') return fmtF(neg, d, prec);
  // 'g' / 'G'
  let eprec = prec;
  if (eprec > d.d.length && d.d.length >= d.dp) eprec = d.d.length;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > d.d.length) prec = d.d.length;
    return fmtE(neg, d, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > d.dp) prec = d.d.length;
  return fmtF(neg, d, Math.max(prec - d.dp, 0));
}

function bits(x: number): { neg: boolean; mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  let exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { neg: hi >>> 31 === 1, mant, exp: exp - 1023 };
}

/** strconv 'b': decimal mantissa, binary exponent (6755399441055744p-52). */
export function formatFloatB(x: number): string {
  const { neg, mant, exp } = bits(x);
  const e = exp - 52;
  return `${neg ? '-' : ''}${mant}p${e >= 0 ? '+' : ''}${e}`;
}

/** strconv 'x'/'X': hex mantissa, binary exponent (0x1.8p+00), rounded to prec hex digits if prec >= 0. */
export function formatFloatX(x: number, fmt: 'x' | 'X', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const b = bits(x);
  const neg = b.neg;
  let { mant, exp } = b;
  if (mant === 0n) exp = 0;
  mant <<= 8n; // leading 1 at bit 60
  const b60 = 1n << 60n;
  while (mant !== 0n && (mant & b60) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (b60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const mask64 = (1n << 64n) - 1n;
  let s = `${neg ? '-' : ''}0${fmt}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & mask64;
  const digit = (): string => {
    const d = Number((mant >> 60n) & 15n).toString(16);
    mant = (mant << 4n) & mask64;
    return fmt === 'X' ? d.toUpperCase() : d;
  };
  if (prec < 0 && mant !== 0n) {
    s += '.';
    while (mant !== 0n) s += digit();
  } else if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) s += digit();
  }
  s += fmt === 'x' ? 'p' : 'P';
  s += exp < 0 ? '-' : '+';
  const ae = Math.abs(exp);
  s += ae < 10 ? `0${ae}` : String(ae);
  return s;
}
