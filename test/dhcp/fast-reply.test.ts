// The fast path (fast-reply.ts) against the general path (decode -> decide ->
// encode) on the same request bytes: where the fast path answers, the whole
// reply (bytes and decoded), its destination and its events must equal the
// general path's; where it must not answer (NAK, silence, malformed, odd
// shapes), it returns undefined and the general path decides.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_BOOT_FILES } from '../../src/io/dhcp/boot-file.ts';
import { createFastReplies, fastEvents } from '../../src/io/dhcp/fast-reply.ts';
import type { DhcpOptions } from '../../src/io/dhcp/options.ts';
import { type DhcpPacket, decode, encode } from '../../src/io/dhcp/packet.ts';
import { type HostLease, type PolicyContext, type SubnetLease, decide } from '../../src/io/dhcp/policy.ts';
import { IPXE_DISCOVER, OVMF_DISCOVER, RELAYED_REQUEST, hex } from './golden.ts';

const NOW = 1_800_000_000_000;
const AGENT = '10.0.0.1';
const HTTP = 'http://{server}:24602';

const lan: SubnetLease = { cidr: '10.0.0.0/24', gateway: '10.0.0.254', dns: ['10.0.0.2', '10.0.0.3'], ntp: ['10.0.0.1'], domain: 'lab.example', dhcpOptions: [] };
const far: SubnetLease = { cidr: '10.20.0.0/24', gateway: '10.20.0.1', dns: ['10.0.0.2'], ntp: [], dhcpOptions: [{ code: 26, type: 'uint16', value: 1400 }] };
const custom: SubnetLease = {
  cidr: '10.0.0.0/24',
  dns: [],
  ntp: [],
  dhcpOptions: [
    { code: 28, type: 'addresses', value: '10.0.0.251' },
    { code: 61, type: 'hex', value: 'aa:bb' },
    { code: 67, type: 'string', value: 'custom.efi' },
    { code: 224, type: 'hex', value: 'de:ad' },
    { code: 200, type: 'base64', value: Buffer.alloc(300, 7).toString('base64') }, // split in two (RFC 3396)
    { code: 227, type: 'uint8', value: 999 }, // bad: skipped and reported
  ],
};

const hosts = new Map<string, HostLease>([
  ['52:54:00:00:00:01', { ipv4: '10.0.0.11', hostname: 'node1', ignoreDhcp: false, subnet: lan, leaseSeconds: 3600 }],
  ['52:54:00:00:00:02', { ipv4: '10.0.0.12', hostname: 'skip', ignoreDhcp: true, subnet: lan, leaseSeconds: 3600 }],
  ['52:54:00:00:00:03', { ipv4: '10.0.0.13', ignoreDhcp: false, subnet: custom, leaseSeconds: 600 }],
  ['52:54:00:00:00:04', { ipv4: '10.20.0.50', hostname: 'far', ignoreDhcp: false, subnet: far, leaseSeconds: 7200 }],
  ['52:54:00:00:00:05', { ipv4: '10.9.0.5', ignoreDhcp: false, subnet: lan, leaseSeconds: 60 }],
  ['52:54:00:12:34:56', { ipv4: '10.0.0.56', hostname: 'ipxe', ignoreDhcp: false, subnet: lan, leaseSeconds: 3600 }],
  ['52:54:00:ab:cd:ef', { ipv4: '10.0.0.57', hostname: 'ovmf', ignoreDhcp: false, subnet: lan, leaseSeconds: 3600 }],
  ['02:00:00:00:00:42', { ipv4: '10.20.0.50', hostname: 'relayed', ignoreDhcp: false, subnet: far, leaseSeconds: 1800 }],
]);

const serverAddressFor = (cidr: string, giaddr?: string): string | undefined => (cidr === '10.0.0.0/24' ? AGENT : giaddr ? AGENT : undefined);

function ctx(): PolicyContext {
  return {
    mode: 'server',
    port: 67,
    source: { address: '0.0.0.0', port: 68 },
    lookup: (mac) => hosts.get(mac),
    serverAddressFor,
    bootFiles: DEFAULT_BOOT_FILES,
    httpBase: HTTP,
    now: NOW,
  };
}

const fastCtx = { lookup: (mac: string) => hosts.get(mac), serverAddressFor, bootFiles: DEFAULT_BOOT_FILES, httpBase: HTTP };

function req(mac: string, options: DhcpOptions, over: Partial<DhcpPacket> = {}, order?: number[]): Buffer {
  const p: DhcpPacket = {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0x1234abcd, secs: 3, flags: 0,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0',
    chaddr: mac, sname: '', file: '', options, ...over,
  };
  return encode(p, order ? { order } : {});
}

/** The general path's outcome for these bytes, as the server would act on it. */
function general(buf: Buffer): unknown {
  const r = decode(buf);
  if (!r.ok) return { malformed: r.error.kind };
  const d = decide(r.packet, ctx());
  if (d.kind === 'silence') return d;
  const back = decode(d.wire);
  if (!back.ok) throw new Error(back.error.message);
  return { wire: d.wire.toString('hex'), packet: back.packet, order: back.order, to: d.to, event: d.event };
}

/** The fast path's outcome in the same shape, or undefined when it defers. */
function fast(buf: Buffer, f = createFastReplies(fastCtx)): unknown {
  const r = f.answer(buf);
  if (!r) return undefined;
  const back = decode(r.wire);
  if (!back.ok) throw new Error(back.error.message);
  const [seen, reply] = fastEvents(r, NOW);
  const decoded = decode(buf);
  assert.ok(decoded.ok);
  if (decoded.ok) {
    const p = decoded.packet;
    const type = p.options.messageType === 1 ? 'dhcp.discover' : 'dhcp.request';
    // The server's event for the request itself, as the general path in server.ts builds it.
    assert.equal(seen, { type, at: NOW, mac: p.chaddr, xid: p.xid, ...(p.giaddr !== '0.0.0.0' ? { relay: p.giaddr } : {}) });
  }
  return { wire: r.wire.toString('hex'), packet: back.packet, order: back.order, to: { address: r.address, port: r.port }, event: reply };
}

const PRL = [1, 3, 6, 12, 15, 28, 42];
const M1 = '52:54:00:00:00:01';

/** Requests the fast path must answer exactly as the general path does. */
const answered: [string, Buffer][] = [
  ['plain DISCOVER', req(M1, { messageType: 1, parameterRequestList: PRL })],
  ['DISCOVER without a parameter request list', req(M1, { messageType: 1 })],
  ['DISCOVER with PRL naming 82, 61, 53, 0 and 255, and duplicates', req(M1, { messageType: 1, parameterRequestList: [82, 61, 53, 0, 255, 3, 3, 67, 1], clientId: Buffer.from('01525400000001', 'hex') })],
  ['DISCOVER with the broadcast flag and an empty client id', req(M1, { messageType: 1, clientId: Buffer.alloc(0) }, { flags: 0x8000 })],
  ['DISCOVER with hops, secs, sname and file set by the client', req(M1, { messageType: 1 }, { hops: 2, secs: 9, sname: 'x', file: 'y' })],
  ['REQUEST selecting us', req(M1, { messageType: 3, serverId: AGENT, requestedAddress: '10.0.0.11', clientId: Buffer.from('01525400000001', 'hex'), parameterRequestList: PRL })],
  ['REQUEST selecting us without option 50 but with ciaddr', req(M1, { messageType: 3, serverId: AGENT }, { ciaddr: '10.0.0.11' })],
  ['INIT-REBOOT with the reserved address', req(M1, { messageType: 3, requestedAddress: '10.0.0.11' })],
  ['RENEWING', req(M1, { messageType: 3, parameterRequestList: PRL }, { ciaddr: '10.0.0.11' })],
  ['DISCOVER with ciaddr (unicast)', req(M1, { messageType: 1 }, { ciaddr: '10.0.0.99' })],
  ['custom options overriding typed ones, 61 over the echo, a long one split', req('52:54:00:00:00:03', { messageType: 1, clientId: Buffer.from('ff', 'hex'), parameterRequestList: [61, 67, 200], maxMessageSize: 1500 })],
  ['relayed DISCOVER with 82', req('52:54:00:00:00:04', { messageType: 1, parameterRequestList: PRL, relayAgentInfo: [{ code: 1, data: Buffer.from('eth0/1') }, { code: 2, data: Buffer.alloc(0) }] }, { giaddr: '10.20.0.1', hops: 1 })],
  ['relayed DISCOVER with an empty 82', req('52:54:00:00:00:04', { messageType: 1, relayAgentInfo: [] }, { giaddr: '10.20.0.1' })],
  ['golden relayed REQUEST', RELAYED_REQUEST],
  ['golden iPXE DISCOVER (175, 77, arch 0, PXEClient)', IPXE_DISCOVER],
  ['golden OVMF DISCOVER (arch 7, PXEClient, padded)', OVMF_DISCOVER],
  ['PXE ROM, arch 0 (PXEClient: option 43)', req(M1, { messageType: 1, vendorClassId: 'PXEClient:Arch:00000:UNDI:002001', clientArch: [0] })],
  ['UEFI x64, no vendor class', req(M1, { messageType: 1, clientArch: [9] })],
  ['ARM64 UEFI', req(M1, { messageType: 1, clientArch: [11], vendorClassId: 'PXEClient:Arch:00011' })],
  ['HTTP boot (arch 16)', req(M1, { messageType: 1, clientArch: [16], vendorClassId: 'HTTPClient:Arch:00016' })],
  ['HTTP boot ARM64 (arch 19)', req(M1, { messageType: 1, clientArch: [19] })],
  ['unsupported arch (6): no boot file', req(M1, { messageType: 1, clientArch: [6] })],
  ['empty option 93 (BIOS)', req(M1, { messageType: 1, clientArch: [] })],
  ['iPXE by RFC 3004 user class', req(M1, { messageType: 1, userClass: { rfc3004: true, classes: ['foo', 'iPXE'] } })],
  ['not iPXE: user class "iPXEx"', req(M1, { messageType: 1, userClass: { rfc3004: false, classes: ['iPXEx'] } })],
  ['vendor class "PXEClien" is not PXE', req(M1, { messageType: 1, vendorClassId: 'PXEClien' })],
  ['unknown and typed options the policy ignores', req(M1, { messageType: 1, hostname: 'asks', other: [{ code: 250, data: Buffer.from('zz') }], clientMachineId: { type: 0, id: '00112233-4455-6677-8899-aabbccddeeff' } })],
];

for (const [name, buf] of answered) {
  test(`fast path answers like the general path: ${name}`, () => {
    const f = fast(buf);
    assert.ok(f !== undefined, 'the fast path should answer this request');
    assert.equal(f, general(buf));
  });
}

/** Requests the fast path must leave to the general path. */
const deferred: [string, Buffer][] = [
  ['REQUEST for another address (NAK)', req(M1, { messageType: 3, serverId: AGENT, requestedAddress: '10.0.0.99' })],
  ['REQUEST selecting another server', req(M1, { messageType: 3, serverId: '10.0.0.99', requestedAddress: '10.0.0.11' })],
  ['INIT-REBOOT for another address', req(M1, { messageType: 3, requestedAddress: '10.0.0.12' })],
  ['REQUEST with nothing to check', req(M1, { messageType: 3 })],
  ['REBINDING from a wrong ciaddr', req(M1, { messageType: 3 }, { ciaddr: '10.0.0.99' })],
  ['INFORM', req(M1, { messageType: 8 }, { ciaddr: '10.0.0.11' })],
  ['RELEASE', req(M1, { messageType: 7 }, { ciaddr: '10.0.0.11' })],
  ['DECLINE', req(M1, { messageType: 4, requestedAddress: '10.0.0.11' })],
  ['unknown MAC', req('52:54:00:99:99:99', { messageType: 1 })],
  ['ignore_dhcp', req('52:54:00:00:00:02', { messageType: 1 })],
  ['reservation outside its subnet', req('52:54:00:00:00:05', { messageType: 1 })],
  ['no server address for the subnet (not relayed)', req('52:54:00:00:00:04', { messageType: 1 })],
  ['no message type', req(M1, {})],
  ['BOOTREPLY', req(M1, { messageType: 2 }, { op: 2 })],
  ['not ethernet', req(M1, { messageType: 1 }, { htype: 6 })],
  ['82 with a pad sub-option (re-encoded differently)', req('52:54:00:00:00:04', { messageType: 1, other: [{ code: 82, data: Buffer.from('000101', 'hex') }] }, { giaddr: '10.20.0.1' })],
  ['reply larger than the client takes (576 bytes)', req('52:54:00:00:00:03', { messageType: 1, parameterRequestList: PRL })],
  ['option overrun (malformed)', Buffer.concat([req(M1, { messageType: 1 }).subarray(0, 243), hex('37 09 01')])],
  ['option 50 of 3 bytes (malformed)', req(M1, { messageType: 1, other: [{ code: 50, data: Buffer.from('0a0000', 'hex') }] })],
  ['option 52 (overload)', req(M1, { messageType: 1, other: [{ code: 52, data: Buffer.from([1]) }] })],
  ['bad cookie', (() => { const b = req(M1, { messageType: 1 }); b[236] = 0; return b; })()],
  ['truncated', req(M1, { messageType: 1 }).subarray(0, 200)],
];

// A repeated option (RFC 3396 concatenation) is the general path's too.
const repeated = req(M1, { messageType: 1, parameterRequestList: [1, 3] });
const at55 = repeated.indexOf(Buffer.from([55, 2, 1, 3]), 240);
deferred.push(['a repeated option', Buffer.concat([repeated.subarray(0, at55 + 4), Buffer.from([55, 1, 6]), repeated.subarray(at55 + 4)])]);

for (const [name, buf] of deferred) {
  test(`fast path defers to the general path: ${name}`, () => {
    assert.is(fast(buf), undefined);
  });
}

test('the reply size check: the same host fits when the client takes more (option 57)', () => {
  const buf = req('52:54:00:00:00:03', { messageType: 1, parameterRequestList: PRL, maxMessageSize: 1500 });
  assert.ok(fast(buf) !== undefined);
  assert.equal(fast(buf), general(buf));
});

test('a new model (new reservation objects) changes the fast reply; the old material is not used', () => {
  const f = createFastReplies(fastCtx);
  const buf = req(M1, { messageType: 1, parameterRequestList: PRL });
  const before = fast(buf, f) as { packet: DhcpPacket };
  assert.is(before.packet.yiaddr, '10.0.0.11');
  const old = hosts.get(M1)!;
  hosts.set(M1, { ...old, ipv4: '10.0.0.77', hostname: 'renamed', subnet: { ...lan, dns: ['10.0.0.9'] } });
  try {
    const after = fast(buf, f) as { packet: DhcpPacket };
    assert.is(after.packet.yiaddr, '10.0.0.77');
    assert.equal(after, general(buf));
    // A REQUEST for the old address is now a NAK: the general path's.
    assert.is(fast(req(M1, { messageType: 3, serverId: AGENT, requestedAddress: '10.0.0.11' }), f), undefined);
  } finally {
    hosts.set(M1, old);
  }
  assert.equal(fast(buf, f), before);
});

test('the same fast instance answers many hosts and shapes in a row like the general path (scratch state is reset)', () => {
  const f = createFastReplies(fastCtx);
  for (let round = 0; round < 3; round++) {
    for (const [, buf] of [...answered, ...deferred]) {
      const r = fast(buf, f);
      if (r !== undefined) assert.equal(r, general(buf));
    }
  }
});

test.run();
