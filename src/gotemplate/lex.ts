// Lexer for Go text/template source: turns text into items the way Go's
// text/template/parse lexer does, including trim markers and comments.
// Items are produced eagerly; a lex error is the last item, so the parser
// meets it at the same point Go's parser would.

export enum Item {
  Error, Bool, Char, CharConstant, Complex, Assign, Declare, EOF, Field, Identifier,
  LeftDelim, LeftParen, Number, Pipe, RawString, RightDelim, RightParen, Space, String, Text, Variable,
  Keyword, Block, Break, Continue, Dot, Define, Else, End, If, Nil, Range, Template, With,
}

export interface Token {
  typ: Item;
  pos: number; // UTF-16 offset in the input
  val: string;
  line: number;
}

const keywords: Record<string, Item> = {
  '.': Item.Dot, block: Item.Block, break: Item.Break, continue: Item.Continue, define: Item.Define,
  else: Item.Else, end: Item.End, if: Item.If, range: Item.Range, nil: Item.Nil, template: Item.Template, with: Item.With,
};

const LEFT = '{{';
const RIGHT = '}}';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

// Go's unicode.IsLetter / IsDigit; '_' counts as alphanumeric.
const alnumRe = /^[\p{L}\p{Nd}_]$/u;
function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 0x80) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return alnumRe.test(c);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && s[at] === '-' && isSpace(s[at + 1]);
}
function hasRightTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && isSpace(s[at]) && s[at + 1] === '-';
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Lexes `input`; `breakOK`/`continueOK` are false when a function shadows the keyword, as in Go. */
export function lex(input: string, breakOK = true, continueOK = true): Token[] {
  const items: Token[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;

  const emit = (typ: Item): void => {
    items.push({ typ, pos: start, val: input.slice(start, pos), line: startLine });
    start = pos;
    startLine = line;
  };
  const ignore = (): void => {
    line += countNewlines(input, start, pos);
    start = pos;
    startLine = line;
  };
  const error = (msg: string): Token[] => {
    items.push({ typ: Item.Error, pos: start, val: msg, line: startLine });
    return items;
  };
  // One code point at a time, tracking lines like Go's next/backup.
  const next = (): string | undefined => {
    if (pos >= input.length) return undefined;
    const cp = input.codePointAt(pos)!;
    const ch = String.fromCodePoint(cp);
    pos += ch.length;
    if (ch === '\n') line++;
    return ch;
  };
  const backup = (ch: string | undefined): void => {
    if (ch === undefined) return; // at EOF nothing was consumed
    pos -= ch.length;
    if (ch === '\n') line--;
  };
  const peek = (): string | undefined => {
    const ch = next();
    backup(ch);
    return ch;
  };
  const accept = (valid: string): boolean => {
    const ch = next();
    if (ch !== undefined && valid.includes(ch)) return true;
    backup(ch);
    return false;
  };
  const acceptRun = (valid: string): void => {
    for (;;) {
      const ch = next();
      if (ch === undefined || !valid.includes(ch)) {
        backup(ch);
        return;
      }
    }
  };
  const atRightDelim = (): [boolean, boolean] => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(RIGHT, pos + 2)) return [true, true];
    if (input.startsWith(RIGHT, pos)) return [true, false];
    return [false, false];
  };
  const atTerminator = (): boolean => {
    const r = peek();
    if (r === undefined || isSpace(r)) return true;
    switch (r) {
      case '.': case ',': case '|': case ':': case ')': case '(':
        return true;
    }
    return input.startsWith(RIGHT, pos);
  };
  const leftTrimLength = (at: number): number => {
    let i = at;
    while (i < input.length && isSpace(input[i])) i++;
    return i - at;
  };
  const scanNumber = (): boolean => {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(peek())) {
      next();
      return false;
    }
    return true;
  };
  const quoted = (close: string, what: string): string | null => {
    for (;;) {
      const ch = next();
      if (ch === '\\' && close !== '`') {
        const r = next();
        if (r !== undefined && r !== '\n') continue;
        return `unterminated ${what}`;
      }
      if (ch === undefined || (ch === '\n' && close !== '`')) return `unterminated ${what}`;
      if (ch === close) return null;
    }
  };

  // Main loop: alternate between text and actions.
  for (;;) {
    // lexText
    const x = input.indexOf(LEFT, pos);
    if (x < 0) {
      pos = input.length;
      if (pos > start) {
        line += countNewlines(input, start, pos);
        emit(Item.Text);
      }
      emit(Item.EOF);
      return items;
    }
    pos = x;
    let trimLength = 0;
    if (hasLeftTrimMarker(input, pos + LEFT.length)) {
      let i = pos;
      while (i > start && isSpace(input[i - 1])) i--;
      trimLength = pos - i;
    }
    pos -= trimLength;
    if (pos > start) {
      line += countNewlines(input, start, pos);
      emit(Item.Text);
    }
    pos += trimLength;
    ignore();
    // lexLeftDelim
    pos += LEFT.length;
    const trimSpace = hasLeftTrimMarker(input, pos);
    const afterMarker = trimSpace ? 2 : 0;
    if (input.startsWith('/*', pos + afterMarker)) {
      pos += afterMarker;
      ignore();
      // lexComment
      pos += 2;
      const i = input.indexOf('*/', pos);
      if (i < 0) return error('unclosed comment');
      pos = i + 2;
      const [delim, trim] = atRightDelim();
      if (!delim) return error('comment ends before closing delimiter');
      if (trim) pos += 2;
      pos += RIGHT.length;
      if (trim) pos += leftTrimLength(pos);
      ignore();
      continue;
    }
    emit(Item.LeftDelim);
    pos += afterMarker;
    ignore();
    parenDepth = 0;
    // lexInsideAction until the right delimiter
    for (;;) {
      const [delim] = atRightDelim();
      if (delim) {
        if (parenDepth !== 0) return error('unclosed left paren');
        // lexRightDelim
        const trim = hasRightTrimMarker(input, pos);
        if (trim) {
          pos += 2;
          ignore();
        }
        pos += RIGHT.length;
        emit(Item.RightDelim);
        if (trim) {
          pos += leftTrimLength(pos);
          ignore();
        }
        break;
      }
      const r = next();
      if (r === undefined) return error('unclosed action');
      if (isSpace(r)) {
        // lexSpace: a run of spaces; " -}}" belongs to the delimiter.
        backup(r);
        let numSpaces = 0;
        while (isSpace(peek())) {
          next();
          numSpaces++;
        }
        if (hasRightTrimMarker(input, pos - 1) && input.startsWith(RIGHT, pos + 1)) {
          backup(input[pos - 1]);
          if (numSpaces === 1) continue; // on the delimiter now
        }
        emit(Item.Space);
        continue;
      }
      if (r === '=') emit(Item.Assign);
      else if (r === ':') {
        if (next() !== '=') return error('expected :=');
        emit(Item.Declare);
      } else if (r === '|') emit(Item.Pipe);
      else if (r === '"') {
        const err = quoted('"', 'quoted string');
        if (err) return error(err);
        emit(Item.String);
      } else if (r === '`') {
        const err = quoted('`', 'raw quoted string');
        if (err) return error(err);
        emit(Item.RawString);
      } else if (r === '$' || (r === '.' && !(pos < input.length && input[pos]! >= '0' && input[pos]! <= '9'))) {
        // lexVariable / lexField
        const typ = r === '$' ? Item.Variable : Item.Field;
        if (atTerminator()) {
          emit(typ === Item.Variable ? Item.Variable : Item.Dot);
          continue;
        }
        let c: string | undefined;
        for (;;) {
          c = next();
          if (!isAlphaNumeric(c)) {
            backup(c);
            break;
          }
        }
        if (!atTerminator()) return error(`bad character ${goRuneU(c)}`);
        emit(typ);
      } else if (r === '\'') {
        let bad = false;
        for (;;) {
          const c = next();
          if (c === '\\') {
            const e = next();
            if (e !== undefined && e !== '\n') continue;
            bad = true;
            break;
          }
          if (c === undefined || c === '\n') {
            bad = true;
            break;
          }
          if (c === '\'') break;
        }
        if (bad) return error('unterminated character constant');
        emit(Item.CharConstant);
      } else if (r === '.' || r === '+' || r === '-' || (r >= '0' && r <= '9')) {
        backup(r);
        if (!scanNumber()) return error(`bad number syntax: ${goQuoteSimple(input.slice(start, pos))}`);
        const sign = peek();
        if (sign === '+' || sign === '-') {
          if (!scanNumber() || input[pos - 1] !== 'i') return error(`bad number syntax: ${goQuoteSimple(input.slice(start, pos))}`);
          emit(Item.Complex);
        } else emit(Item.Number);
      } else if (isAlphaNumeric(r)) {
        // lexIdentifier
        let c: string | undefined;
        for (;;) {
          c = next();
          if (!isAlphaNumeric(c)) {
            backup(c);
            break;
          }
        }
        const word = input.slice(start, pos);
        if (!atTerminator()) return error(`bad character ${goRuneU(c)}`);
        const kw = keywords[word];
        if (kw !== undefined && kw > Item.Keyword) {
          if ((kw === Item.Break && !breakOK) || (kw === Item.Continue && !continueOK)) emit(Item.Identifier);
          else emit(kw);
        } else if (word === 'true' || word === 'false') emit(Item.Bool);
        else emit(Item.Identifier);
      } else if (r === '(') {
        emit(Item.LeftParen);
        parenDepth++;
      } else if (r === ')') {
        emit(Item.RightParen);
        parenDepth--;
        if (parenDepth < 0) return error(`unexpected right paren ${goRuneU(r)}`);
      } else if (r.charCodeAt(0) < 0x7f && r.charCodeAt(0) >= 0x20) {
        emit(Item.Char);
      } else {
        return error(`unrecognized character in action: ${goRuneU(r)}`);
      }
    }
  }
}

/** Go's %#U: U+0041 'A'. */
export function goRuneU(c: string | undefined): string {
  if (c === undefined) return 'U+FFFFFFFFFFFFFFFF';
  const cp = c.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}

function goQuoteSimple(s: string): string {
  return JSON.stringify(s);
}
