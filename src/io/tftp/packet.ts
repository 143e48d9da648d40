// TFTP packet codec (RFC 1350 section 5, RFC 2347 OACK and request options).
// Pure: bytes in, typed packet or typed error out; never throws on input.

export const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;
export type OpcodeName = keyof typeof Opcode;

// RFC 1350 section 5 error codes, plus 8 from RFC 2347 (option refused).
export const TftpErrorCode = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  DISK_FULL: 3,
  ILLEGAL_OPERATION: 4,
  UNKNOWN_TID: 5,
  FILE_EXISTS: 6,
  NO_SUCH_USER: 7,
  OPTION_REFUSED: 8,
} as const;

/** Request options as sent, names lower-cased (RFC 2347: case-insensitive), values verbatim, in order. */
export type TftpOptions = ReadonlyArray<readonly [name: string, value: string]>;

export type TftpPacket =
  | { op: 'RRQ' | 'WRQ'; filename: string; mode: string; options: TftpOptions }
  | { op: 'DATA'; block: number; data: Buffer }
  | { op: 'ACK'; block: number }
  | { op: 'ERROR'; code: number; message: string }
  | { op: 'OACK'; options: TftpOptions };

export type TftpRequest = Extract<TftpPacket, { op: 'RRQ' | 'WRQ' }>;

export type TftpDecodeErrorKind = 'truncated' | 'unknown-opcode' | 'missing-nul' | 'bad-option';
export interface TftpDecodeError {
  kind: TftpDecodeErrorKind;
  detail: string;
}
export type TftpDecodeResult = { ok: true; packet: TftpPacket } | { ok: false; error: TftpDecodeError };

const opcodeNames = new Map<number, OpcodeName>(
  (Object.entries(Opcode) as [OpcodeName, number][]).map(([name, code]) => [code, name]),
);

export function opcodeName(code: number): OpcodeName | undefined {
  return opcodeNames.get(code);
}

function fail(kind: TftpDecodeErrorKind, detail: string): TftpDecodeResult {
  return { ok: false, error: { kind, detail } };
}

/** Splits `buf[from..]` into NUL-terminated strings; null when the last one has no NUL. */
function readStrings(buf: Buffer, from: number): string[] | null {
  const out: string[] = [];
  let start = from;
  while (start < buf.length) {
    const nul = buf.indexOf(0, start);
    if (nul < 0) return null;
    out.push(buf.toString('utf8', start, nul));
    start = nul + 1;
  }
  return out;
}

function readOptions(strings: string[], what: string): { ok: true; options: TftpOptions } | { ok: false; detail: string } {
  if (strings.length % 2 !== 0) return { ok: false, detail: `${what}: option "${strings[strings.length - 1] ?? ''}" has no value` };
  const options: [string, string][] = [];
  for (let i = 0; i < strings.length; i += 2) {
    const name = strings[i] ?? '';
    const value = strings[i + 1] ?? '';
    if (name === '') return { ok: false, detail: `${what}: empty option name` };
    options.push([name.toLowerCase(), value]);
  }
  return { ok: true, options };
}

export function decode(buf: Buffer): TftpDecodeResult {
  if (buf.length < 2) return fail('truncated', `${buf.length} bytes, no opcode`);
  const code = buf.readUInt16BE(0);
  const op = opcodeNames.get(code);
  switch (op) {
    case 'RRQ':
    case 'WRQ': {
      const strings = readStrings(buf, 2);
      if (strings === null) return fail('missing-nul', `${op}: last string is not NUL-terminated`);
      const [filename, mode, ...rest] = strings;
      if (filename === undefined || mode === undefined) return fail('truncated', `${op}: needs a filename and a mode`);
      if (filename === '') return fail('truncated', `${op}: empty filename`);
      const opts = readOptions(rest, op);
      if (!opts.ok) return fail('bad-option', opts.detail);
      return { ok: true, packet: { op, filename, mode: mode.toLowerCase(), options: opts.options } };
    }
    case 'DATA':
      if (buf.length < 4) return fail('truncated', `DATA: ${buf.length} bytes, no block number`);
      return { ok: true, packet: { op, block: buf.readUInt16BE(2), data: buf.subarray(4) } };
    case 'ACK':
      // RFC 1350 section 5: an ACK is exactly 4 bytes; trailing bytes are tolerated (some stacks pad).
      if (buf.length < 4) return fail('truncated', `ACK: ${buf.length} bytes, no block number`);
      return { ok: true, packet: { op, block: buf.readUInt16BE(2) } };
    case 'ERROR': {
      if (buf.length < 4) return fail('truncated', `ERROR: ${buf.length} bytes, no error code`);
      // Firmware aborts sometimes omit the message's NUL: accept the rest of the packet as the message.
      const nul = buf.indexOf(0, 4);
      const message = buf.toString('utf8', 4, nul < 0 ? buf.length : nul);
      return { ok: true, packet: { op, code: buf.readUInt16BE(2), message } };
    }
    case 'OACK': {
      const strings = readStrings(buf, 2);
      if (strings === null) return fail('missing-nul', 'OACK: last string is not NUL-terminated');
      const opts = readOptions(strings, op);
      if (!opts.ok) return fail('bad-option', opts.detail);
      return { ok: true, packet: { op, options: opts.options } };
    }
    case undefined:
      return fail('unknown-opcode', `opcode ${code}`);
  }
}

function strings(parts: string[]): Buffer {
  return Buffer.concat(parts.map((s) => Buffer.from(`${s}\0`, 'utf8')));
}

function header(op: OpcodeName, word?: number): Buffer {
  const b = Buffer.alloc(word === undefined ? 2 : 4);
  b.writeUInt16BE(Opcode[op], 0);
  if (word !== undefined) b.writeUInt16BE(word, 2);
  return b;
}

/** Encodes a packet built by the server; block numbers are taken modulo 65536. */
export function encode(p: TftpPacket): Buffer {
  switch (p.op) {
    case 'RRQ':
    case 'WRQ':
      return Buffer.concat([header(p.op), strings([p.filename, p.mode, ...p.options.flat()])]);
    case 'DATA':
      return Buffer.concat([header(p.op, p.block & 0xffff), p.data]);
    case 'ACK':
      return header(p.op, p.block & 0xffff);
    case 'ERROR':
      return Buffer.concat([header(p.op, p.code), strings([p.message])]);
    case 'OACK':
      return Buffer.concat([header(p.op), strings(p.options.flat())]);
  }
}
