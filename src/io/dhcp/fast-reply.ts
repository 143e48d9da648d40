// The common server-mode exchange without the general codec: a DISCOVER or a
// REQUEST for its reservation from a known host is answered from reply
// material the policy itself built once per (reservation, relay, boot
// choice), patched with the request's xid, flags, giaddr, chaddr, message
// type, echoed options (61, 82) and option order. Anything else, and any
// request this file is not sure about, gets `undefined` and takes the general
// path (decode -> decide -> encode), which stays the reference:
// test/dhcp/fast-reply.test.ts compares whole replies of both paths.
//
// Why: in bench:agent the general path spent most of a packet's handler time
// decoding every option into objects, formatting and re-parsing dotted-quad
// strings (regex-checked on every use) and encoding the reply option by
// option (about 60% of the agent's busy time at 4,000 DORA/s).

import { type BootFiles } from './boot-file.ts';
import type { DhcpEvent } from './events.ts';
import { MessageType, Opt, intToIp, ipToInt } from './options.ts';
import { BOOTP_MIN_SIZE, BOOTREPLY, BOOTREQUEST, HEADER_SIZE, MAGIC_COOKIE, optionList, type DhcpPacket } from './packet.ts';
import { CLIENT_PORT, SERVER_PORT, type HostLease, decide } from './policy.ts';

export interface FastReplyContext {
  /** Reservation by MAC (lower-case, colon-separated), as the general path's. */
  lookup(mac: string): HostLease | undefined;
  /** As PolicyContext.serverAddressFor; its answer is cached per reservation object and giaddr. */
  serverAddressFor(subnetCidr: string, giaddr?: string): string | undefined;
  bootFiles: BootFiles;
  httpBase: string;
}

/** A reply built by the fast path, with what the server needs for its stats, events and send. */
export interface FastReply {
  wire: Buffer;
  address: string;
  port: number;
  /** 'DISCOVER' -> OFFER, 'REQUEST' -> ACK. */
  request: 'DISCOVER' | 'REQUEST';
  mac: string;
  xid: number;
  /** giaddr when relayed. */
  relay: string | undefined;
  /** The reply's server identifier, which picks the sending socket. */
  serverId: string;
  ipv4: string;
  /** Option 93's architecture; undefined when the client sent none (not network-booting firmware). */
  arch: number | undefined;
  bootFile: string | undefined;
  /** Custom options of the subnet that could not be encoded (the general path's event reason). */
  reason: string | undefined;
}

/** Everything about a reply that does not depend on the request beyond its variant key. */
interface Variant {
  serverId: string;
  serverInt: number;
  yiaddr: number;
  ipv4: string;
  /** The reply's fixed header: op, htype, hlen, yiaddr, siaddr, file (<= 127 bytes), cookie; zeros elsewhere. */
  head: Buffer;
  /** Option data by code as the general encoder would emit it, without 53 (per request). */
  data: (Buffer | undefined)[];
  /** A custom option 61 from the model overrides the echoed client identifier. */
  own61: boolean;
  /** Codes for the default-order part (ascending): every present code, plus 53 and 61, never 82. */
  sorted: number[];
  arch: number;
  bootFile: string | undefined;
  reason: string | undefined;
  /** Option layouts already worked out for a parameter request list and echo flags (a few per client type). */
  plans: Plan[];
}

/**
 * The options after 53 for one request shape, as encode() would order them:
 * constant TLV runs, and the codes (61, 82) whose bytes are echoed from the request.
 */
interface Plan {
  prl: Buffer;
  echo61: boolean;
  echo82: boolean;
  segs: (Buffer | number)[];
  constLen: number;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Request options the fast path must validate as decode() would (kinds whose decode can fail). */
const enum Check {
  None = 0,
  Ip,
  Ips,
  U8,
  U16,
  U32,
  U16List,
  MachineId,
  Ndi,
  SubOptions,
}
const CHECK = new Uint8Array(256);
CHECK[Opt.SUBNET_MASK] = Check.Ip;
CHECK[Opt.ROUTER] = Check.Ips;
CHECK[Opt.DNS] = Check.Ips;
CHECK[Opt.BROADCAST] = Check.Ip;
CHECK[Opt.NTP] = Check.Ips;
CHECK[Opt.REQUESTED_ADDRESS] = Check.Ip;
CHECK[Opt.LEASE_TIME] = Check.U32;
CHECK[Opt.MESSAGE_TYPE] = Check.U8;
CHECK[Opt.SERVER_ID] = Check.Ip;
CHECK[Opt.MAX_MESSAGE_SIZE] = Check.U16;
CHECK[Opt.RELAY_AGENT_INFO] = Check.SubOptions;
CHECK[Opt.CLIENT_ARCH] = Check.U16List;
CHECK[Opt.CLIENT_NDI] = Check.Ndi;
CHECK[Opt.CLIENT_MACHINE_ID] = Check.MachineId;
CHECK[Opt.IPXE_ENCAP] = Check.SubOptions;

function valid(kind: number, buf: Buffer, at: number, len: number): boolean {
  switch (kind) {
    case Check.Ip:
    case Check.U32:
      return len === 4;
    case Check.Ips:
      return len > 0 && len % 4 === 0;
    case Check.U8:
      return len === 1;
    case Check.U16:
      return len === 2;
    case Check.U16List:
      return len % 2 === 0;
    case Check.MachineId:
      return len === 17;
    case Check.Ndi:
      return len === 3;
    case Check.SubOptions:
      return subOptionsShape(buf, at, len) !== Shape.Overrun;
    default:
      return true;
  }
}

const enum Shape {
  /** Only code/length/data triples: decode + encode reproduce these bytes. */
  Canonical,
  /** Pad or end sub-options: decodes, but is re-encoded differently. */
  Other,
  Overrun,
}

function subOptionsShape(buf: Buffer, at: number, len: number): Shape {
  let shape = Shape.Canonical;
  let i = 0;
  while (i < len) {
    const code = buf[at + i]!;
    if (code === Opt.PAD) {
      shape = Shape.Other;
      i += 1;
      continue;
    }
    if (code === Opt.END) return Shape.Other;
    if (i + 1 >= len) return Shape.Overrun;
    const l = buf[at + i + 1]!;
    if (i + 2 + l > len) return Shape.Overrun;
    i += 2 + l;
  }
  return shape;
}

/** User class (77) names iPXE, as decode()'s RFC 3004 / bare-string reading would. */
function userClassIsIpxe(buf: Buffer, at: number, len: number): boolean {
  const classes: string[] = [];
  let i = 0;
  while (i < len) {
    const l = buf[at + i]!;
    if (l === 0 || i + 1 + l > len) return buf.toString('utf8', at, at + len) === 'iPXE';
    classes.push(buf.toString('utf8', at + i + 1, at + i + 1 + l));
    i += 1 + l;
  }
  return classes.includes('iPXE');
}

// Scratch state of one request, reused: the handler runs one packet at a time.
/** Offset of each option's data in the request, -1 when absent; `seen` lists the codes to reset. */
const at = new Int32Array(256).fill(-1);
const len = new Int32Array(256);
const seen: number[] = [];
/** Emitted marks for the reply being written: mark[code] === stamp. */
const mark = new Uint32Array(256);
let stamp = 0;
const scratch = Buffer.alloc(4096);

/** The plan being worked out in `scratch` (module state, not a closure per packet). */
const w = { v: undefined as unknown as Variant, echo61: false, echo82: false, o: 0, segStart: 0, segs: [] as (Buffer | number)[], constLen: 0 };

/** RFC 3396: longer values are split into consecutive instances, as encode() does. */
function put(code: number, data: Buffer): void {
  let o = w.o;
  const n = data.length;
  if (n === 0) {
    scratch[o] = code;
    scratch[o + 1] = 0;
    w.o = o + 2;
    return;
  }
  for (let i = 0; i < n; i += 255) {
    const k = Math.min(255, n - i);
    scratch[o] = code;
    scratch[o + 1] = k;
    data.copy(scratch, o + 2, i, i + k);
    o += 2 + k;
  }
  w.o = o;
}

/** Size of an option's TLVs, as put() writes them. */
function tlvSize(n: number): number {
  return n === 0 ? 2 : n + 2 * Math.ceil(n / 255);
}

function closeSegment(): void {
  if (w.o > w.segStart) {
    w.segs.push(Buffer.from(scratch.subarray(w.segStart, w.o)));
    w.constLen += w.o - w.segStart;
  }
  w.segStart = w.o;
}

/** Places option `code` once; false when the scratch buffer would overflow. */
function emit(code: number): boolean {
  if (mark[code] === stamp) return true;
  if (code === Opt.MESSAGE_TYPE) {
    // Always first (the policy's order starts with it): written at offset 240 per reply.
  } else if ((code === Opt.CLIENT_ID && w.echo61) || (code === Opt.RELAY_AGENT_INFO && w.echo82)) {
    closeSegment();
    w.segs.push(code);
  } else {
    const d = w.v.data[code];
    if (d === undefined) return true;
    if (w.o + tlvSize(d.length) > scratch.length) return false;
    put(code, d);
  }
  mark[code] = stamp;
  return true;
}

/** The emission order of encode() with the policy's order: 53, 54, 51, the client's parameter request list, then 53, 54 and the rest ascending, 82 last. */
function makePlan(v: Variant, buf: Buffer, echo61: boolean, echo82: boolean): Plan | undefined {
  stamp = (stamp + 1) >>> 0 || 1;
  w.v = v;
  w.echo61 = echo61;
  w.echo82 = echo82;
  w.o = 0;
  w.segStart = 0;
  w.segs = [];
  w.constLen = 0;
  if (!emit(Opt.MESSAGE_TYPE) || !emit(Opt.SERVER_ID) || !emit(Opt.LEASE_TIME)) return undefined;
  const prl = at[Opt.PARAMETER_REQUEST_LIST]!;
  const n = prl === -1 ? 0 : len[Opt.PARAMETER_REQUEST_LIST]!;
  for (let i = 0; i < n; i++) if (!emit(buf[prl + i]!)) return undefined;
  for (const c of v.sorted) if (!emit(c)) return undefined;
  if (!emit(Opt.RELAY_AGENT_INFO)) return undefined;
  closeSegment();
  return { prl: Buffer.from(buf.subarray(prl === -1 ? 0 : prl, prl === -1 ? 0 : prl + n)), echo61, echo82, segs: w.segs, constLen: w.constLen };
}

/** The plan for this request's shape: a known one (compared byte by byte, no key string), or a new one kept if there is room. */
function planFor(v: Variant, buf: Buffer, echo61: boolean, echo82: boolean): Plan | undefined {
  const prl = at[Opt.PARAMETER_REQUEST_LIST]!;
  const n = prl === -1 ? 0 : len[Opt.PARAMETER_REQUEST_LIST]!;
  for (const p of v.plans) {
    if (p.echo61 !== echo61 || p.echo82 !== echo82 || p.prl.length !== n) continue;
    let i = 0;
    while (i < n && p.prl[i] === buf[prl + i]) i++;
    if (i === n) return p;
  }
  const p = makePlan(v, buf, echo61, echo82);
  if (p && v.plans.length < 8) v.plans.push(p);
  return p;
}

function reset(): void {
  for (const c of seen) at[c] = -1;
  seen.length = 0;
}

/** One pass over the options area; false for anything the general path must judge (malformed, overload, repeats). */
function scan(buf: Buffer): boolean {
  let i = HEADER_SIZE;
  const end = buf.length;
  while (i < end) {
    const code = buf[i]!;
    if (code === Opt.PAD) {
      i += 1;
      continue;
    }
    if (code === Opt.END) return true;
    if (i + 1 >= end) return false;
    const l = buf[i + 1]!;
    if (i + 2 + l > end) return false;
    // RFC 3396 concatenation and RFC 2132 overload are rare: the general path handles them.
    if (at[code] !== -1 || code === Opt.OVERLOAD) return false;
    const kind = CHECK[code]!;
    if (kind !== Check.None && !valid(kind, buf, i + 2, l)) return false;
    at[code] = i + 2;
    len[code] = l;
    seen.push(code);
    i += 2 + l;
  }
  return true;
}

function u32(buf: Buffer, o: number): number {
  return buf.readUInt32BE(o);
}

/**
 * The colon-separated MAC of chaddr, one string per MAC for the process: two
 * Smi-keyed lookups instead of eleven concatenations per packet, and the
 * same flat string (hash computed once) for the reservation lookup and the
 * events. Bounded: past MAC_CACHE_MAX MACs, new ones are built each time.
 */
const macCache = new Map<number, Map<number, string>>();
let macCached = 0;
const MAC_CACHE_MAX = 65_536;

function macString(buf: Buffer): string {
  const hi = (buf[28]! << 16) | (buf[29]! << 8) | buf[30]!;
  const lo = (buf[31]! << 16) | (buf[32]! << 8) | buf[33]!;
  let inner = macCache.get(hi);
  const hit = inner?.get(lo);
  if (hit !== undefined) return hit;
  const mac = `${HEX[buf[28]!]}:${HEX[buf[29]!]}:${HEX[buf[30]!]}:${HEX[buf[31]!]}:${HEX[buf[32]!]}:${HEX[buf[33]!]}`;
  if (macCached < MAC_CACHE_MAX) {
    if (inner === undefined) macCache.set(hi, (inner = new Map()));
    inner.set(lo, mac);
    macCached += 1;
  }
  return mac;
}

/** Variants per reservation object: a new model brings new objects, so stale entries are never reached. */
export function createFastReplies(ctx: FastReplyContext): { answer(buf: Buffer): FastReply | undefined; reset(): void } {
  let byLease = new WeakMap<HostLease, Map<number, Variant | null>>();

  function variantFor(lease: HostLease, mac: string, giaddr: number, arch: number, ipxe: boolean, pxe: boolean): Variant | null | undefined {
    let variants = byLease.get(lease);
    if (!variants) byLease.set(lease, (variants = new Map()));
    // Exact in a double: 32 bits of giaddr, 16 of arch, 2 flags.
    const key = giaddr * 0x40000 + arch * 4 + (ipxe ? 2 : 0) + (pxe ? 1 : 0);
    const hit = variants.get(key);
    if (hit !== undefined) return hit;
    // Bounded per host: a client cycling through option 93 values must not grow memory.
    if (variants.size >= 32) return undefined;
    const v = buildVariant(lease, mac, giaddr, arch, ipxe, pxe);
    variants.set(key, v);
    return v;
  }

  /**
   * The policy's own reply to a synthetic DISCOVER of this shape (no option
   * order, no echoed options, no size limit), taken apart into per-code bytes.
   * null: the general path must answer (silence, or an address it cannot write).
   */
  function buildVariant(lease: HostLease, mac: string, giaddr: number, arch: number, ipxe: boolean, pxe: boolean): Variant | null {
    const options: DhcpPacket['options'] = { messageType: MessageType.DISCOVER, maxMessageSize: 0xffff, clientArch: [arch] };
    if (pxe) options.vendorClassId = 'PXEClient';
    if (ipxe) options.userClass = { rfc3004: false, classes: ['iPXE'] };
    const zero = '0.0.0.0';
    const req: DhcpPacket = { op: BOOTREQUEST, htype: 1, hlen: 6, hops: 0, xid: 0, secs: 0, flags: 0, ciaddr: zero, yiaddr: zero, siaddr: zero, giaddr: intToIp(giaddr), chaddr: mac, sname: '', file: '', options };
    let d;
    try {
      d = decide(req, { mode: 'server', port: SERVER_PORT, source: { address: zero, port: CLIENT_PORT }, lookup: () => lease, serverAddressFor: ctx.serverAddressFor, bootFiles: ctx.bootFiles, httpBase: ctx.httpBase, now: 0 });
    } catch {
      return null; // the general path meets the same error and reports it
    }
    if (d.kind !== 'reply' || d.event.type !== 'dhcp.offer') return null;
    const p = d.packet;
    const serverId = p.options.serverId;
    // Requests are compared as numbers here and as strings by the policy: only canonical dotted quads agree.
    if (serverId === undefined || intToIp(ipToInt(serverId)) !== serverId || intToIp(ipToInt(lease.ipv4)) !== lease.ipv4) return null;
    const data: (Buffer | undefined)[] = new Array(256).fill(undefined);
    const codes = new Set<number>([Opt.MESSAGE_TYPE, Opt.CLIENT_ID]);
    for (const o of optionList(p.options)) {
      if (o.code === Opt.MESSAGE_TYPE) continue;
      data[o.code] = o.data;
      codes.add(o.code);
    }
    if (data[Opt.RELAY_AGENT_INFO] !== undefined) return null; // never from the model (reserved); be sure
    codes.delete(Opt.RELAY_AGENT_INFO);
    const head = Buffer.alloc(HEADER_SIZE);
    head[0] = BOOTREPLY;
    head[1] = 1;
    head[2] = 6;
    head.writeUInt32BE(ipToInt(lease.ipv4), 16);
    head.writeUInt32BE(ipToInt(p.siaddr), 20);
    if (p.file !== '') head.write(p.file, 108, 'utf8');
    head.writeUInt32BE(MAGIC_COOKIE, 236);
    return {
      serverId,
      serverInt: ipToInt(serverId),
      yiaddr: ipToInt(lease.ipv4),
      ipv4: lease.ipv4,
      head,
      data,
      own61: data[Opt.CLIENT_ID] !== undefined,
      sorted: [...codes].sort((a, b) => a - b),
      arch,
      bootFile: d.event.bootFile,
      reason: d.event.reason,
      plans: [],
    };
  }

  function build(buf: Buffer, v: Variant, msgType: number): Buffer | undefined {
    const echo61 = !v.own61 && at[Opt.CLIENT_ID] !== -1;
    const echo82 = at[Opt.RELAY_AGENT_INFO] !== -1;
    const plan = planFor(v, buf, echo61, echo82);
    if (!plan) return undefined;
    // 240 header, 3 for option 53, the plan, echoed options (one instance each: no repeats here), end.
    let o = HEADER_SIZE + 3 + plan.constLen + 1;
    if (echo61) o += 2 + len[Opt.CLIENT_ID]!;
    if (echo82) o += 2 + len[Opt.RELAY_AGENT_INFO]!;
    const size = Math.max(o, BOOTP_MIN_SIZE);
    // RFC 2131 2: fit the client's maximum message size; trimming is the general path's job.
    const maxSize = at[Opt.MAX_MESSAGE_SIZE] !== -1 ? buf.readUInt16BE(at[Opt.MAX_MESSAGE_SIZE]!) : 0;
    if (size > Math.max(576, maxSize) - 28) return undefined;

    const out = Buffer.allocUnsafe(size);
    out.set(v.head, 0);
    // xid, flags; ciaddr in an ACK (RFC 2131 table 3); giaddr and chaddr (hlen 6).
    for (let i = 4; i < 8; i++) out[i] = buf[i]!;
    out[10] = buf[10]!;
    out[11] = buf[11]!;
    if (msgType === MessageType.ACK) for (let i = 12; i < 16; i++) out[i] = buf[i]!;
    for (let i = 24; i < 34; i++) out[i] = buf[i]!;
    out[HEADER_SIZE] = Opt.MESSAGE_TYPE;
    out[HEADER_SIZE + 1] = 1;
    out[HEADER_SIZE + 2] = msgType;
    o = HEADER_SIZE + 3;
    for (const seg of plan.segs) {
      if (typeof seg === 'number') {
        const from = at[seg]!;
        const l = len[seg]!;
        out[o] = seg;
        out[o + 1] = l;
        for (let i = 0; i < l; i++) out[o + 2 + i] = buf[from + i]!;
        o += 2 + l;
      } else {
        out.set(seg, o);
        o += seg.length;
      }
    }
    out[o++] = Opt.END;
    if (o < size) out.fill(0, o);
    return out;
  }

  function answer(buf: Buffer): FastReply | undefined {
    if (buf.length < HEADER_SIZE || buf[0] !== BOOTREQUEST || buf[1] !== 1 || buf[2] !== 6 || u32(buf, 236) !== MAGIC_COOKIE) return undefined;
    try {
      if (!scan(buf)) return undefined;
      const mt = at[Opt.MESSAGE_TYPE]!;
      if (mt === -1) return undefined;
      const type = buf[mt];
      if (type !== MessageType.DISCOVER && type !== MessageType.REQUEST) return undefined;
      const mac = macString(buf);
      const lease = ctx.lookup(mac);
      if (!lease || lease.ignoreDhcp) return undefined;

      // Boot choice inputs, as chooseBootFile reads them (RFC 4578 2.1; iPXE by 175 or 77).
      const a93 = at[Opt.CLIENT_ARCH]!;
      const arch = a93 !== -1 && len[Opt.CLIENT_ARCH]! >= 2 ? buf.readUInt16BE(a93) : 0;
      const ipxe = at[Opt.IPXE_ENCAP] !== -1 || (at[Opt.USER_CLASS] !== -1 && userClassIsIpxe(buf, at[Opt.USER_CLASS]!, len[Opt.USER_CLASS]!));
      const a60 = at[Opt.VENDOR_CLASS_ID]!;
      const pxe = a60 !== -1 && len[Opt.VENDOR_CLASS_ID]! >= 9 && buf.toString('latin1', a60, a60 + 9) === 'PXEClient';
      const giaddr = u32(buf, 24);
      const v = variantFor(lease, mac, giaddr, arch, ipxe, pxe);
      if (!v) return undefined;
      // An echoed 82 must come back byte for byte as the general path re-encodes it.
      if (at[Opt.RELAY_AGENT_INFO] !== -1 && subOptionsShape(buf, at[Opt.RELAY_AGENT_INFO]!, len[Opt.RELAY_AGENT_INFO]!) !== Shape.Canonical) return undefined;

      const ciaddr = u32(buf, 12);
      if (type === MessageType.REQUEST) {
        // RFC 2131 4.3.2; only the ACK cases: NAKs and silence are the general path's.
        const sid = at[Opt.SERVER_ID]!;
        const req = at[Opt.REQUESTED_ADDRESS]!;
        if (sid !== -1) {
          if (u32(buf, sid) !== v.serverInt) return undefined;
          if ((req !== -1 ? u32(buf, req) : ciaddr) !== v.yiaddr) return undefined;
        } else if (ciaddr === 0) {
          if (req === -1 || u32(buf, req) !== v.yiaddr) return undefined;
        } else if (ciaddr !== v.yiaddr) return undefined;
      }
      const wire = build(buf, v, type === MessageType.DISCOVER ? MessageType.OFFER : MessageType.ACK);
      if (!wire) return undefined;
      const relay = giaddr !== 0 ? intToIp(giaddr) : undefined;
      // RFC 2131 4.1: relayed -> relay port 67; bound client -> its ciaddr; else broadcast.
      const address = relay ?? (ciaddr !== 0 ? intToIp(ciaddr) : '255.255.255.255');
      return {
        wire,
        address,
        port: relay !== undefined ? SERVER_PORT : CLIENT_PORT,
        request: type === MessageType.DISCOVER ? 'DISCOVER' : 'REQUEST',
        mac,
        xid: u32(buf, 4),
        relay,
        serverId: v.serverId,
        ipv4: v.ipv4,
        arch: a93 !== -1 ? v.arch : undefined,
        bootFile: v.bootFile,
        reason: v.reason,
      };
    } finally {
      reset();
    }
  }

  return {
    answer,
    /** Forget every variant (the server's own addresses changed: listen()). */
    reset: () => {
      byLease = new WeakMap();
    },
  };
}

/** The events the general path raises for a fast reply, built the same way (same keys, same order). */
export function fastEvents(r: FastReply, at: number): [DhcpEvent, DhcpEvent] {
  const seen: DhcpEvent =
    r.relay !== undefined
      ? { type: r.request === 'DISCOVER' ? 'dhcp.discover' : 'dhcp.request', at, mac: r.mac, xid: r.xid, relay: r.relay }
      : { type: r.request === 'DISCOVER' ? 'dhcp.discover' : 'dhcp.request', at, mac: r.mac, xid: r.xid };
  const reply: DhcpEvent = { type: r.request === 'DISCOVER' ? 'dhcp.offer' : 'dhcp.ack', at, mac: r.mac, xid: r.xid };
  if (r.relay !== undefined) reply.relay = r.relay;
  reply.ipv4 = r.ipv4;
  if (r.arch !== undefined) reply.arch = r.arch;
  if (r.bootFile) reply.bootFile = r.bootFile;
  if (r.reason !== undefined) reply.reason = r.reason;
  return [seen, reply];
}
