// Go's strconv.Unquote and UnquoteChar for template string and character
// literals. Strings are decoded to bytes first because Go's \x and octal
// escapes are bytes, then read as UTF-8 (invalid sequences become U+FFFD in JS).

interface Char { value: number; isByte: boolean; next: number }

const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

function hexVal(c: string | undefined): number {
  if (c === undefined) return -1;
  const v = parseInt(c, 16);
  return Number.isNaN(v) ? -1 : v;
}

/** Decodes one (possibly escaped) character of `s` at `i`; null is Go's ErrSyntax. */
export function unquoteChar(s: string, i: number, quote: string): Char | null {
  const c = s[i];
  if (c === undefined) return null;
  if (c === quote && (quote === '\'' || quote === '"')) return null;
  if (c !== '\\') {
    const cp = s.codePointAt(i)!;
    return { value: cp, isByte: false, next: i + (cp > 0xffff ? 2 : 1) };
  }
  const e = s[i + 1];
  if (e === undefined) return null;
  const sv = simple[e];
  if (sv !== undefined) return { value: sv, isByte: false, next: i + 2 };
  switch (e) {
    case 'x': case 'u': case 'U': {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      let v = 0;
      for (let j = 0; j < n; j++) {
        const h = hexVal(s[i + 2 + j]);
        if (h < 0) return null;
        v = v * 16 + h;
      }
      if (e === 'x') return { value: v, isByte: true, next: i + 2 + n };
      if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return null;
      return { value: v, isByte: false, next: i + 2 + n };
    }
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      let v = 0;
      for (let j = 0; j < 3; j++) {
        const d = s.charCodeAt(i + 1 + j) - 48;
        if (!(d >= 0 && d <= 7)) return null;
        v = v * 8 + d;
      }
      if (v > 255) return null;
      return { value: v, isByte: true, next: i + 4 };
    }
    case '\'': case '"':
      if (e !== quote) return null;
      return { value: e.charCodeAt(0), isByte: false, next: i + 2 };
  }
  return null;
}

/** strconv.Unquote for "..." and `...`; null means invalid syntax. */
export function unquote(q: string): string | null {
  if (q.length < 2) return null;
  const quote = q[0];
  if (quote !== q[q.length - 1]) return null;
  const body = q.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) return null;
    return body.includes('\r') ? body.replaceAll('\r', '') : body;
  }
  if (quote !== '"') return null;
  if (body.includes('\n')) return null;
  if (!body.includes('\\') && !body.includes('"')) return body;
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const ch = unquoteChar(body, i, '"');
    if (!ch) return null;
    i = ch.next;
    if (ch.isByte) bytes.push(ch.value);
    else for (const b of Buffer.from(String.fromCodePoint(ch.value), 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}
