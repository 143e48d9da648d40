// DHCPv4 / BOOTP packet codec (RFC 951, RFC 2131 section 2, RFC 2132): pure
// bytes <-> DhcpPacket. decode never throws: bad input is a typed error value.

import {
  type DhcpOptions,
  type OptionSpec,
  type RawOption,
  type UserClass,
  Opt,
  SPEC_BY_CODE,
  OPTION_SPECS,
  bytesToIp,
  encodeSubOptions,
  ipToBytes,
  parseSubOptions,
} from './options.ts';

export interface DhcpPacket {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The first hlen bytes of chaddr as lower-case hex pairs joined by ':'. */
  chaddr: string;
  sname: string;
  file: string;
  options: DhcpOptions;
}

export type DhcpDecodeErrorKind = 'truncated' | 'bad-cookie' | 'bad-hlen' | 'option-overrun' | 'bad-option';

export interface DhcpDecodeError {
  code: 'VQ_ERR_DHCP_MALFORMED';
  kind: DhcpDecodeErrorKind;
  message: string;
}

export type DecodeResult =
  | { ok: true; packet: DhcpPacket; order: number[] }
  | { ok: false; error: DhcpDecodeError };

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const MAGIC_COOKIE = 0x63825363;
/** Fixed BOOTP header (RFC 2131 figure 1) plus the 4-byte magic cookie. */
export const HEADER_SIZE = 240;
/** RFC 1542 2.1: relays and old clients may drop BOOTP messages shorter than 300 octets. */
export const BOOTP_MIN_SIZE = 300;

const SNAME_OFFSET = 44;
const FILE_OFFSET = 108;
const COOKIE_OFFSET = 236;

function fail(kind: DhcpDecodeErrorKind, message: string): DecodeResult {
  return { ok: false, error: { code: 'VQ_ERR_DHCP_MALFORMED', kind, message } };
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul === -1 ? b.length : nul).toString('utf8');
}

/** Walk one options area, appending raw option data (RFC 3396: repeats concatenate). */
function scanOptions(
  area: Buffer,
  where: string,
  acc: Map<number, Buffer[]>,
  order: number[],
): DhcpDecodeError | undefined {
  let i = 0;
  while (i < area.length) {
    const code = area[i] ?? 0;
    if (code === Opt.PAD) {
      i += 1;
      continue;
    }
    if (code === Opt.END) return undefined;
    const len = area[i + 1];
    if (len === undefined || i + 2 + len > area.length) {
      return {
        code: 'VQ_ERR_DHCP_MALFORMED',
        kind: 'option-overrun',
        message: `option ${code} at ${where} offset ${i} runs past the end`,
      };
    }
    const parts = acc.get(code);
    const data = Buffer.from(area.subarray(i + 2, i + 2 + len));
    if (parts) parts.push(data);
    else {
      acc.set(code, [data]);
      order.push(code);
    }
    i += 2 + len;
  }
  // A missing end option is tolerated: the area simply ran out.
  return undefined;
}

function decodeUserClass(data: Buffer): UserClass {
  // RFC 3004: each class is <len><bytes>; iPXE sends the bare string "iPXE".
  const classes: string[] = [];
  let i = 0;
  while (i < data.length) {
    const len = data[i] ?? 0;
    if (len === 0 || i + 1 + len > data.length) return { rfc3004: false, classes: [data.toString('utf8')] };
    classes.push(data.subarray(i + 1, i + 1 + len).toString('utf8'));
    i += 1 + len;
  }
  if (classes.length === 0) return { rfc3004: false, classes: [''] };
  return { rfc3004: true, classes };
}

function decodeTyped(s: OptionSpec, data: Buffer): unknown {
  switch (s.kind) {
    case 'ip':
      return data.length === 4 ? bytesToIp(data) : undefined;
    case 'ips': {
      if (data.length === 0 || data.length % 4 !== 0) return undefined;
      const out: string[] = [];
      for (let i = 0; i < data.length; i += 4) out.push(bytesToIp(data, i));
      return out;
    }
    case 'u8':
      return data.length === 1 ? data[0] : undefined;
    case 'u16':
      return data.length === 2 ? data.readUInt16BE(0) : undefined;
    case 'u32':
      return data.length === 4 ? data.readUInt32BE(0) : undefined;
    case 'string':
      // Some clients NUL-terminate strings although RFC 2132 2 says not to.
      return data.toString('utf8').replace(/\0+$/, '');
    case 'bytes':
      return data;
    case 'u8list':
      return [...data];
    case 'u16list': {
      if (data.length % 2 !== 0) return undefined;
      const out: number[] = [];
      for (let i = 0; i < data.length; i += 2) out.push(data.readUInt16BE(i));
      return out;
    }
    case 'userClass':
      return decodeUserClass(data);
    case 'subOptions':
      return parseSubOptions(data);
    case 'machineId':
      if (data.length !== 17) return undefined;
      return { type: data[0], id: guid(data.subarray(1)) };
    case 'ndi':
      return data.length === 3 ? { type: data[0], major: data[1], minor: data[2] } : undefined;
  }
}

function guid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function decode(buf: Buffer): DecodeResult {
  if (buf.length < HEADER_SIZE) return fail('truncated', `${buf.length} bytes, a DHCP message has at least ${HEADER_SIZE}`);
  if (buf.readUInt32BE(COOKIE_OFFSET) !== MAGIC_COOKIE) {
    return fail('bad-cookie', `magic cookie 0x${buf.readUInt32BE(COOKIE_OFFSET).toString(16)}`);
  }
  const hlen = buf[2] ?? 0;
  if (hlen > 16) return fail('bad-hlen', `hlen ${hlen} exceeds the 16-byte chaddr field`);

  const acc = new Map<number, Buffer[]>();
  const order: number[] = [];
  const err = scanOptions(buf.subarray(HEADER_SIZE), 'options', acc, order);
  if (err) return { ok: false, error: err };

  // RFC 2132 9.3: option overload moves more options into file (1), sname (2) or both (3).
  let sname = cString(buf.subarray(SNAME_OFFSET, FILE_OFFSET));
  let file = cString(buf.subarray(FILE_OFFSET, COOKIE_OFFSET));
  const overloadParts = acc.get(Opt.OVERLOAD);
  if (overloadParts) {
    acc.delete(Opt.OVERLOAD);
    order.splice(order.indexOf(Opt.OVERLOAD), 1);
    const overload = Buffer.concat(overloadParts);
    const value = overload.length === 1 ? overload[0] ?? 0 : 0;
    if (value < 1 || value > 3) return fail('bad-option', `option 52 (overload) value ${overload.toString('hex')}`);
    if (value & 1) {
      const e = scanOptions(buf.subarray(FILE_OFFSET, COOKIE_OFFSET), 'file', acc, order);
      if (e) return { ok: false, error: e };
      file = '';
    }
    if (value & 2) {
      const e = scanOptions(buf.subarray(SNAME_OFFSET, FILE_OFFSET), 'sname', acc, order);
      if (e) return { ok: false, error: e };
      sname = '';
    }
  }

  const options: DhcpOptions = {};
  const record = options as Record<string, unknown>;
  for (const code of order) {
    const data = Buffer.concat(acc.get(code) ?? []);
    const s = SPEC_BY_CODE.get(code);
    if (!s) {
      (options.other ??= []).push({ code, data });
      continue;
    }
    const value = decodeTyped(s, data);
    if (value === undefined) return fail('bad-option', `option ${code} (${s.field}) has a bad value: ${data.toString('hex')}`);
    record[s.field] = value;
  }

  const packet: DhcpPacket = {
    op: buf[0] ?? 0,
    htype: buf[1] ?? 0,
    hlen,
    hops: buf[3] ?? 0,
    xid: buf.readUInt32BE(4),
    secs: buf.readUInt16BE(8),
    flags: buf.readUInt16BE(10),
    ciaddr: bytesToIp(buf, 12),
    yiaddr: bytesToIp(buf, 16),
    siaddr: bytesToIp(buf, 20),
    giaddr: bytesToIp(buf, 24),
    chaddr: [...buf.subarray(28, 28 + hlen)].map((b) => b.toString(16).padStart(2, '0')).join(':'),
    sname,
    file,
    options,
  };
  return { ok: true, packet, order };
}

// ---- encoding ----------------------------------------------------------

function encodeUserClass(u: UserClass): Buffer {
  if (!u.rfc3004) return Buffer.from(u.classes.join(''), 'utf8');
  return Buffer.concat(
    u.classes.map((c) => {
      const b = Buffer.from(c, 'utf8');
      return Buffer.concat([Buffer.from([b.length]), b]);
    }),
  );
}

function encodeTyped(s: OptionSpec, value: unknown): Buffer {
  switch (s.kind) {
    case 'ip':
      return ipToBytes(value as string);
    case 'ips':
      return Buffer.concat((value as string[]).map(ipToBytes));
    case 'u8':
      return Buffer.from([value as number]);
    case 'u16': {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(value as number, 0);
      return b;
    }
    case 'u32': {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(value as number, 0);
      return b;
    }
    case 'string':
      return Buffer.from(value as string, 'utf8');
    case 'bytes':
      return value as Buffer;
    case 'u8list':
      return Buffer.from(value as number[]);
    case 'u16list': {
      const list = value as number[];
      const b = Buffer.alloc(list.length * 2);
      list.forEach((v, i) => b.writeUInt16BE(v, i * 2));
      return b;
    }
    case 'userClass':
      return encodeUserClass(value as UserClass);
    case 'subOptions':
      return encodeSubOptions(value as RawOption[]);
    case 'machineId': {
      const m = value as { type: number; id: string };
      return Buffer.concat([Buffer.from([m.type]), Buffer.from(m.id.replace(/-/g, ''), 'hex')]);
    }
    case 'ndi': {
      const n = value as { type: number; major: number; minor: number };
      return Buffer.from([n.type, n.major, n.minor]);
    }
  }
}

/** RFC 3396: a value longer than 255 bytes is split into consecutive instances. */
function tlv(code: number, data: Buffer): Buffer {
  if (data.length === 0) return Buffer.from([code, 0]);
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 255) {
    const chunk = data.subarray(i, i + 255);
    parts.push(Buffer.from([code, chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

/** The options of a packet as [code, bytes] in emission order. */
export function optionList(options: DhcpOptions, order: readonly number[] = []): RawOption[] {
  const present = new Map<number, Buffer>();
  const record = options as Record<string, unknown>;
  for (const s of OPTION_SPECS) {
    const v = record[s.field];
    if (v !== undefined) present.set(s.code, encodeTyped(s, v));
  }
  for (const o of options.other ?? []) present.set(o.code, o.data);

  // Default order: message type and server id first (clients look for them), the rest
  // ascending, relay agent information last (RFC 3046 2.1: relays append it at the end).
  const defaults = [Opt.MESSAGE_TYPE, Opt.SERVER_ID, ...[...present.keys()].sort((a, b) => a - b)];
  const sequence = [...order, ...defaults.filter((c) => c !== Opt.RELAY_AGENT_INFO), Opt.RELAY_AGENT_INFO];
  const out: RawOption[] = [];
  for (const code of sequence) {
    const data = present.get(code);
    if (data === undefined) continue;
    out.push({ code, data });
    present.delete(code);
  }
  return out;
}

export interface EncodeOptions {
  /** Option codes to emit first, in this order (the rest follow in the default order). */
  order?: readonly number[];
  /** Pad with zeros after the end option up to this size; default 300 (RFC 1542 2.1). */
  minSize?: number;
}

function writeField(buf: Buffer, offset: number, size: number, s: string): void {
  const b = Buffer.from(s, 'utf8');
  if (b.length > size) throw new Error(`BOOTP field of ${size} bytes cannot hold ${b.length}`);
  b.copy(buf, offset);
}

/** Encode a packet built by our own code; bad addresses or oversized fields are programmer errors. */
export function encode(p: DhcpPacket, opts: EncodeOptions = {}): Buffer {
  const head = Buffer.alloc(HEADER_SIZE);
  head[0] = p.op;
  head[1] = p.htype;
  head[2] = p.hlen;
  head[3] = p.hops;
  head.writeUInt32BE(p.xid >>> 0, 4);
  head.writeUInt16BE(p.secs, 8);
  head.writeUInt16BE(p.flags, 10);
  ipToBytes(p.ciaddr).copy(head, 12);
  ipToBytes(p.yiaddr).copy(head, 16);
  ipToBytes(p.siaddr).copy(head, 20);
  ipToBytes(p.giaddr).copy(head, 24);
  const hw = p.chaddr === '' ? Buffer.alloc(0) : Buffer.from(p.chaddr.replace(/[:-]/g, ''), 'hex');
  if (hw.length > 16) throw new Error(`chaddr ${p.chaddr} longer than 16 bytes`);
  hw.copy(head, 28);
  writeField(head, SNAME_OFFSET, 64, p.sname);
  writeField(head, FILE_OFFSET, 128, p.file);
  head.writeUInt32BE(MAGIC_COOKIE, COOKIE_OFFSET);

  const body = optionList(p.options, opts.order).map((o) => tlv(o.code, o.data));
  const packet = Buffer.concat([head, ...body, Buffer.from([Opt.END])]);
  const minSize = opts.minSize ?? BOOTP_MIN_SIZE;
  return packet.length >= minSize ? packet : Buffer.concat([packet, Buffer.alloc(minSize - packet.length)]);
}

