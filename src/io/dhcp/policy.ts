// DHCP policy: a pure function from a decoded request and the site's model
// to a reply or silence. Reservations only (RFC 2131 for a server with no pool);
// proxy mode follows the PXE 2.1 spec and RFC 4578.

import { type BootChoice, type BootFiles, chooseBootFile, isHttpBootClient, isIpxe, isPxeClient } from './boot-file.ts';
import { type CustomOption, encodeCustomOption } from './custom-options.ts';
import type { DhcpEvent } from './events.ts';
import { BOOTP_BROADCAST_FLAG, type DhcpOptions, IPXE_NO_PXEDHCP, MessageType, Opt, SPEC_BY_CODE, cidrContains, parseCidr } from './options.ts';
import { BOOTREPLY, BOOTREQUEST, type DhcpPacket, encode } from './packet.ts';

export interface SubnetLease {
  cidr: string;
  gateway?: string;
  dns: string[];
  ntp: string[];
  domain?: string;
  dhcpOptions: CustomOption[];
}

export interface HostLease {
  ipv4: string;
  hostname?: string;
  ignoreDhcp: boolean;
  subnet: SubnetLease;
  leaseSeconds: number;
}

export interface PolicyContext {
  mode: 'server' | 'proxy';
  /** Port the request arrived on: 67, or 4011 for PXE boot-server requests. */
  port: number;
  /** Where the datagram came from (a 4011 ACK goes back there). */
  source: { address: string; port: number };
  /** Reservation by MAC (lower-case, colon-separated). */
  lookup(mac: string): HostLease | undefined;
  /** The agent's own IPv4 a host in this subnet (or behind this relay) can reach; option 54 and siaddr. */
  serverAddressFor(subnetCidr: string, giaddr?: string): string | undefined;
  bootFiles: BootFiles;
  /**
   * Asset server base URL, e.g. `http://10.0.0.1:24602`. `{server}` in it is
   * replaced by the address answering this host (siaddr), so a multi-homed
   * agent hands each subnet a URL it can reach: `http://{server}:24602`.
   */
  httpBase: string;
  /** Milliseconds since the epoch. */
  now: number;
}

export type SilenceReason =
  | 'not-a-request'
  | 'not-ethernet'
  | 'no-message-type'
  | 'unsupported-message'
  | 'unknown-mac'
  | 'ignore-dhcp'
  | 'bad-reservation'
  | 'no-server-address'
  | 'other-server'
  | 'bad-request'
  | 'release'
  | 'decline'
  | 'not-pxe'
  | 'unsupported-arch'
  | 'wrong-port';

export type Decision =
  | { kind: 'silence'; reason: SilenceReason; event?: DhcpEvent }
  | {
      kind: 'reply';
      packet: DhcpPacket;
      /** Option emission order for encode(): 53, 54, 51, then the client's parameter request list. */
      order: number[];
      /** `packet` encoded in `order`, as sent (encoding once per reply: it is the costliest step). */
      wire: Buffer;
      to: { address: string; port: number };
      event: DhcpEvent;
    };

/** The asset server URL for a reply sent from `serverAddr` (see PolicyContext.httpBase). */
export function httpBaseFor(httpBase: string, serverAddr: string): string {
  return httpBase.replace('{server}', serverAddr);
}

export const SERVER_PORT = 67;
export const CLIENT_PORT = 68;
export const PXE_PORT = 4011;
const BROADCAST = '255.255.255.255';
const ZERO = '0.0.0.0';
/** RFC 2131 2: every client takes a 576-octet IP datagram, i.e. 548 bytes of DHCP after IP and UDP headers. */
const MIN_DATAGRAM = 576;
const IP_UDP_HEADERS = 28;
/** PXE 2.1 spec, option 43 sub-option 6 (discovery control) bit 3: boot the file named in the offer. */
const PXE_DISCOVERY_CONTROL = Buffer.from([6, 1, 8, 255]);
/** The BOOTP file field is 128 bytes including its NUL. */
const FILE_FIELD_MAX = 127;

function silence(reason: SilenceReason, event?: DhcpEvent): Decision {
  return event ? { kind: 'silence', reason, event } : { kind: 'silence', reason };
}

function baseReply(req: DhcpPacket, type: number, serverId: string): DhcpPacket {
  const options: DhcpOptions = { messageType: type, serverId };
  // RFC 6842: echo the client identifier; RFC 3046 2.2: echo relay agent information.
  if (req.options.clientId) options.clientId = req.options.clientId;
  if (req.options.relayAgentInfo) options.relayAgentInfo = req.options.relayAgentInfo;
  return {
    op: BOOTREPLY,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.flags,
    ciaddr: ZERO,
    yiaddr: ZERO,
    siaddr: ZERO,
    giaddr: req.giaddr,
    chaddr: req.chaddr,
    sname: '',
    file: '',
    options,
  };
}

function addBoot(reply: DhcpPacket, req: DhcpPacket, boot: BootChoice, serverAddr: string, proxy: boolean): void {
  if (boot.kind === 'none') return;
  reply.siaddr = serverAddr;
  reply.options.bootfileName = boot.file;
  if (Buffer.byteLength(boot.file) <= FILE_FIELD_MAX) reply.file = boot.file;
  if (boot.kind === 'http') {
    // UEFI 2.x, HTTP Boot: the offer must carry vendor class "HTTPClient".
    reply.options.vendorClassId = 'HTTPClient';
    return;
  }
  if (boot.kind === 'ipxe' && !proxy) {
    reply.options.ipxe = [{ code: IPXE_NO_PXEDHCP, data: Buffer.from([1]) }];
  }
  if (proxy || (isPxeClient(req.options) && boot.kind === 'tftp')) {
    reply.options.vendorClassId = 'PXEClient';
  }
  if (isPxeClient(req.options) && boot.kind === 'tftp') reply.options.vendorSpecific = PXE_DISCOVERY_CONTROL;
}

function addSubnetOptions(reply: DhcpPacket, lease: HostLease, withLease: boolean): string[] {
  const o = reply.options;
  const cidr = parseCidr(lease.subnet.cidr);
  if (cidr) {
    o.subnetMask = cidr.mask;
    o.broadcastAddress = cidr.broadcast;
  }
  if (lease.subnet.gateway) o.routers = [lease.subnet.gateway];
  if (lease.subnet.dns.length > 0) o.dnsServers = lease.subnet.dns;
  if (lease.hostname) o.hostname = lease.hostname;
  if (lease.subnet.domain) o.domainName = lease.subnet.domain;
  if (lease.subnet.ntp.length > 0) o.ntpServers = lease.subnet.ntp;
  if (withLease) o.leaseTime = lease.leaseSeconds;

  // Custom options override the typed ones with the same code; bad ones are skipped and reported.
  const errors: string[] = [];
  for (const c of lease.subnet.dhcpOptions) {
    const r = encodeCustomOption(c);
    if (!r.ok) {
      errors.push(r.error.message);
      continue;
    }
    const typed = SPEC_BY_CODE.get(r.option.code);
    if (typed) delete (o as Record<string, unknown>)[typed.field];
    o.other = [...(o.other ?? []).filter((x) => x.code !== r.option.code), r.option];
  }
  return errors;
}

// Never dropped to fit the size limit: without them the reply means nothing.
const ESSENTIAL = new Set<number>([Opt.MESSAGE_TYPE, Opt.SERVER_ID, Opt.LEASE_TIME, Opt.SUBNET_MASK, Opt.CLIENT_ID, Opt.RELAY_AGENT_INFO]);

/** Drop options until the reply fits the client's limit: unrequested ones first, then requested from the end. */
/** Drops options until the reply fits; returns its encoding, which the server sends (no second encode). */
function fitToSize(reply: DhcpPacket, req: DhcpPacket, order: number[]): Buffer {
  const limit = Math.max(MIN_DATAGRAM, req.options.maxMessageSize ?? 0) - IP_UDP_HEADERS;
  const prl = req.options.parameterRequestList ?? [];
  for (;;) {
    const wire = encode(reply, { order });
    if (wire.length <= limit) return wire;
    const present = presentCodes(reply.options).filter((c) => !ESSENTIAL.has(c));
    const unrequested = present.filter((c) => !prl.includes(c));
    const victim = unrequested.at(-1) ?? [...prl].reverse().find((c) => present.includes(c));
    if (victim === undefined) return wire;
    removeOption(reply.options, victim);
    if (victim === Opt.BOOTFILE_NAME) reply.file = '';
  }
}

function presentCodes(o: DhcpOptions): number[] {
  const codes: number[] = [];
  for (const [code, s] of SPEC_BY_CODE) if ((o as Record<string, unknown>)[s.field] !== undefined) codes.push(code);
  for (const x of o.other ?? []) codes.push(x.code);
  return codes;
}

function removeOption(o: DhcpOptions, code: number): void {
  const s = SPEC_BY_CODE.get(code);
  if (s) delete (o as Record<string, unknown>)[s.field];
  if (o.other) {
    o.other = o.other.filter((x) => x.code !== code);
    if (o.other.length === 0) delete o.other;
  }
}

function replyOrder(req: DhcpPacket): number[] {
  return [Opt.MESSAGE_TYPE, Opt.SERVER_ID, Opt.LEASE_TIME, ...(req.options.parameterRequestList ?? [])];
}

export function decide(req: DhcpPacket, ctx: PolicyContext): Decision {
  if (req.op !== BOOTREQUEST) return silence('not-a-request');
  if (req.htype !== 1 || req.hlen !== 6) return silence('not-ethernet');
  const type = req.options.messageType;
  if (type === undefined) return silence('no-message-type');
  const mac = req.chaddr;
  const ev = (t: DhcpEvent['type'], extra: Partial<DhcpEvent> = {}): DhcpEvent => ({
    type: t,
    at: ctx.now,
    mac,
    xid: req.xid,
    ...(req.giaddr !== ZERO ? { relay: req.giaddr } : {}),
    ...extra,
  });

  // Proxy mode sees every DHCP client on the segment; only PXE ROMs, UEFI HTTP boot and iPXE concern it.
  if (ctx.mode === 'proxy' && !isPxeClient(req.options) && !isHttpBootClient(req.options) && !isIpxe(req.options)) return silence('not-pxe');
  const lease = ctx.lookup(mac);
  if (!lease) return silence('unknown-mac', ev('dhcp.unknown-mac'));
  if (lease.ignoreDhcp) return silence('ignore-dhcp', ev('dhcp.ignored', { reason: 'ignore_dhcp' }));
  const cidr = parseCidr(lease.subnet.cidr);
  if (!cidr || !cidrContains(cidr, lease.ipv4)) {
    return silence('bad-reservation', ev('dhcp.ignored', { reason: `${lease.ipv4} is not in ${lease.subnet.cidr}` }));
  }

  if (type === MessageType.RELEASE) return silence('release', ev('dhcp.release', { ipv4: req.ciaddr }));
  if (type === MessageType.DECLINE) {
    return silence('decline', ev('dhcp.decline', { ipv4: req.options.requestedAddress ?? ZERO }));
  }

  const serverAddr = ctx.serverAddressFor(lease.subnet.cidr, req.giaddr !== ZERO ? req.giaddr : undefined);
  if (!serverAddr) return silence('no-server-address');
  return ctx.mode === 'proxy' ? decideProxy(req, ctx, lease, serverAddr, ev) : decideServer(req, ctx, lease, serverAddr, ev);
}

type MakeEvent = (t: DhcpEvent['type'], extra?: Partial<DhcpEvent>) => DhcpEvent;

function decideServer(req: DhcpPacket, ctx: PolicyContext, lease: HostLease, serverAddr: string, ev: MakeEvent): Decision {
  if (ctx.port !== SERVER_PORT) return silence('wrong-port');
  const type = req.options.messageType;
  const relayed = req.giaddr !== ZERO;
  const order = replyOrder(req);

  const nak = (why: string): Decision => {
    const reply = baseReply(req, MessageType.NAK, serverAddr);
    reply.options.message = why;
    // RFC 2131 4.3.2: a relayed NAK sets the broadcast bit so the relay broadcasts it.
    if (relayed) reply.flags |= BOOTP_BROADCAST_FLAG;
    const to = relayed ? { address: req.giaddr, port: SERVER_PORT } : { address: BROADCAST, port: CLIENT_PORT };
    return { kind: 'reply', packet: reply, order, wire: encode(reply, { order }), to, event: ev('dhcp.nak', { reason: why, ipv4: lease.ipv4 }) };
  };

  const offerOrAck = (msg: number): Decision => {
    const reply = baseReply(req, msg, serverAddr);
    reply.yiaddr = lease.ipv4;
    if (msg === MessageType.ACK) reply.ciaddr = req.ciaddr;
    const optionErrors = addSubnetOptions(reply, lease, true);
    const boot = chooseBootFile(req.options, ctx.bootFiles, httpBaseFor(ctx.httpBase, serverAddr));
    addBoot(reply, req, boot, serverAddr, false);
    const wire = fitToSize(reply, req, order);
    // RFC 2131 4.1: relayed -> relay port 67; bound client -> unicast to ciaddr;
    // otherwise broadcast: unicast to yiaddr would need an ARP entry we cannot add without raw sockets.
    const to = relayed
      ? { address: req.giaddr, port: SERVER_PORT }
      : req.ciaddr !== ZERO
        ? { address: req.ciaddr, port: CLIENT_PORT }
        : { address: BROADCAST, port: CLIENT_PORT };
    const event = ev(msg === MessageType.OFFER ? 'dhcp.offer' : 'dhcp.ack', {
      ipv4: lease.ipv4,
      // Only a client that sent option 93 is network-booting firmware; an OS renewing its lease is not (boot-steps.ts).
      ...(req.options.clientArch !== undefined ? { arch: boot.arch } : {}),
      ...(reply.options.bootfileName ? { bootFile: reply.options.bootfileName } : {}),
      ...(optionErrors.length > 0 ? { reason: optionErrors.join('; ') } : {}),
    });
    return { kind: 'reply', packet: reply, order, wire, to, event };
  };

  switch (type) {
    case MessageType.DISCOVER:
      return offerOrAck(MessageType.OFFER);
    case MessageType.REQUEST: {
      const { serverId, requestedAddress } = req.options;
      if (serverId !== undefined) {
        // SELECTING (RFC 2131 4.3.2): the client chose a server; only the chosen one answers.
        if (serverId !== serverAddr) return silence('other-server');
        const wanted = requestedAddress ?? req.ciaddr;
        return wanted === lease.ipv4 ? offerOrAck(MessageType.ACK) : nak(`requested ${wanted}, reserved ${lease.ipv4}`);
      }
      if (req.ciaddr === ZERO) {
        // INIT-REBOOT: we hold the host's reservation, so we are authoritative for its address.
        if (requestedAddress === undefined) return silence('bad-request');
        return requestedAddress === lease.ipv4
          ? offerOrAck(MessageType.ACK)
          : nak(`requested ${requestedAddress}, reserved ${lease.ipv4}`);
      }
      // RENEWING / REBINDING.
      return req.ciaddr === lease.ipv4 ? offerOrAck(MessageType.ACK) : nak(`ciaddr ${req.ciaddr}, reserved ${lease.ipv4}`);
    }
    case MessageType.INFORM: {
      // RFC 2131 4.3.5: configuration only: no yiaddr, no lease time, unicast to ciaddr.
      const reply = baseReply(req, MessageType.ACK, serverAddr);
      reply.ciaddr = req.ciaddr;
      const optionErrors = addSubnetOptions(reply, lease, false);
      const wire = fitToSize(reply, req, order);
      const to = relayed
        ? { address: req.giaddr, port: SERVER_PORT }
        : { address: req.ciaddr !== ZERO ? req.ciaddr : BROADCAST, port: CLIENT_PORT };
      const event = ev('dhcp.ack', { ipv4: req.ciaddr, ...(optionErrors.length > 0 ? { reason: optionErrors.join('; ') } : {}) });
      return { kind: 'reply', packet: reply, order, wire, to, event };
    }
    default:
      return silence('unsupported-message');
  }
}

function decideProxy(req: DhcpPacket, ctx: PolicyContext, lease: HostLease, serverAddr: string, ev: MakeEvent): Decision {
  // PXE 2.1 2.2.5: a proxy never hands out addresses; it answers DISCOVER on 67 and REQUEST on 4011.
  const type = req.options.messageType;
  const onPxePort = ctx.port === PXE_PORT;
  if (!onPxePort && type !== MessageType.DISCOVER) return silence('unsupported-message');
  if (onPxePort && type !== MessageType.REQUEST) return silence('unsupported-message');

  const boot = chooseBootFile(req.options, ctx.bootFiles, httpBaseFor(ctx.httpBase, serverAddr));
  if (boot.kind === 'none') return silence('unsupported-arch');
  // UEFI HTTP boot takes a proxy offer (UEFI 2.5+ 24.7.2: HTTPClient and the boot URI, no
  // address) beside the address server's, and never asks on 4011.
  if (boot.kind === 'http' && onPxePort) return silence('unsupported-message');
  const msg = onPxePort ? MessageType.ACK : MessageType.OFFER;
  const reply = baseReply(req, msg, serverAddr);
  if (onPxePort) reply.ciaddr = req.ciaddr;
  // PXE 2.1 2.2.5: the proxy offer carries the client's UUID back.
  if (req.options.clientMachineId) reply.options.clientMachineId = req.options.clientMachineId;
  addBoot(reply, req, boot, serverAddr, true);
  const order = replyOrder(req);
  const wire = fitToSize(reply, req, order);
  const to = onPxePort
    ? { address: req.ciaddr !== ZERO ? req.ciaddr : ctx.source.address, port: ctx.source.port }
    : req.giaddr !== ZERO
      ? { address: req.giaddr, port: SERVER_PORT }
      : { address: BROADCAST, port: CLIENT_PORT };
  const event = ev(msg === MessageType.OFFER ? 'dhcp.offer' : 'dhcp.ack', {
    ...(req.options.clientArch !== undefined ? { arch: boot.arch } : {}),
    bootFile: boot.file,
  });
  return { kind: 'reply', packet: reply, order, wire, to, event };
}
