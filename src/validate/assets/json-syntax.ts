// Finds the first JSON syntax error and where it is. JSON.parse's messages
// (V8) often carry no position, and their wording changes between Node
// releases; a rendered ignition config deserves the line of its mistake.

export interface JsonSyntaxError {
  /** Offset of the offending character (or the end of the text). */
  offset: number;
  reason: string;
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const s = new Scanner(text);
  try {
    s.ws();
    s.value();
    s.ws();
    if (s.i < text.length) s.fail('unexpected text after the JSON value');
    return undefined;
  } catch (e) {
    if (e instanceof SyntaxFault) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}

class SyntaxFault {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

class Scanner {
  i = 0;
  constructor(private readonly t: string) {}

  fail(reason: string, at = this.i): never {
    throw new SyntaxFault(at, reason);
  }

  ws(): void {
    while (this.i < this.t.length && ' \t\n\r'.includes(this.t.charAt(this.i))) this.i++;
  }

  here(): string {
    return this.i < this.t.length ? `'${this.t.charAt(this.i)}'` : 'the end of the text';
  }

  value(): void {
    const c = this.t.charAt(this.i);
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.t.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail(`expected a value, found ${this.here()}`);
  }

  object(): void {
    this.i++; // {
    this.ws();
    if (this.t.charAt(this.i) === '}') {
      this.i++;
      return;
    }
    for (;;) {
      if (this.t.charAt(this.i) !== '"') {
        this.fail(this.t.charAt(this.i) === '}' ? "a trailing comma before '}'" : `expected a quoted key, found ${this.here()}`);
      }
      this.string();
      this.ws();
      if (this.t.charAt(this.i) !== ':') this.fail(`expected ':' after a key, found ${this.here()}`);
      this.i++;
      this.ws();
      this.value();
      this.ws();
      const c = this.t.charAt(this.i);
      this.i++;
      if (c === '}') return;
      if (c !== ',') this.fail(`expected ',' or '}' after a value, found ${this.i - 1 < this.t.length ? `'${c}'` : 'the end of the text'}`, this.i - 1);
      this.ws();
    }
  }

  array(): void {
    this.i++; // [
    this.ws();
    if (this.t.charAt(this.i) === ']') {
      this.i++;
      return;
    }
    for (;;) {
      if (this.t.charAt(this.i) === ']') this.fail("a trailing comma before ']'");
      this.value();
      this.ws();
      const c = this.t.charAt(this.i);
      this.i++;
      if (c === ']') return;
      if (c !== ',') this.fail(`expected ',' or ']' after a value, found ${this.i - 1 < this.t.length ? `'${c}'` : 'the end of the text'}`, this.i - 1);
      this.ws();
    }
  }

  string(): void {
    const start = this.i;
    this.i++; // "
    while (this.i < this.t.length) {
      const c = this.t.charAt(this.i);
      if (c === '"') {
        this.i++;
        return;
      }
      if (c < ' ') this.fail('a control character (such as a newline) inside a string');
      if (c === '\\') {
        const e = this.t.charAt(this.i + 1);
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.t.slice(this.i + 2, this.i + 6))) this.fail('a \\u escape needs four hex digits');
          this.i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e) || e === '') this.fail(`an unknown escape \\${e}`);
        this.i += 2;
        continue;
      }
      this.i++;
    }
    this.fail('a string is not closed', start);
  }

  number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.t.slice(this.i));
    if (!m || m[0] === '-') this.fail('a malformed number');
    this.i += m[0].length;
  }
}
