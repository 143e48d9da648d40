// Policy table: each row is a request and the whole expected decision,
// with the reply compared after a real encode/decode round trip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_BOOT_FILES } from '../../src/io/dhcp/boot-file.ts';
import type { DhcpOptions } from '../../src/io/dhcp/options.ts';
import { type DhcpPacket, decode, encode } from '../../src/io/dhcp/packet.ts';
import { type HostLease, type PolicyContext, type SubnetLease, decide } from '../../src/io/dhcp/policy.ts';

const NOW = 1_800_000_000_000;
const AGENT = '10.0.0.1';
const AGENT_REMOTE = '10.0.0.1'; // the address relays reach us on
const HTTP = 'http://10.0.0.1:24602';

const lan: SubnetLease = { cidr: '10.0.0.0/24', gateway: '10.0.0.254', dns: ['10.0.0.2', '10.0.0.3'], ntp: ['10.0.0.1'], domain: 'lab.example', dhcpOptions: [] };
const remote: SubnetLease = { cidr: '10.20.0.0/24', gateway: '10.20.0.1', dns: ['10.0.0.2'], ntp: [], dhcpOptions: [] };
const custom: SubnetLease = {
  cidr: '10.0.0.0/24',
  dns: [],
  ntp: [],
  dhcpOptions: [
    { code: 23, type: 'uint8', value: 128 },
    { code: 26, type: 'uint16', value: 1500 },
    { code: 24, type: 'uint32', value: 600 },
    { code: 2, type: 'int32', value: -3600 },
    { code: 200, type: 'int8', value: -1 },
    { code: 201, type: 'int16', value: -2 },
    { code: 28, type: 'addresses', value: '10.0.0.251' }, // overrides the computed broadcast
    { code: 69, type: 'addresses', value: '10.0.0.251,10.0.0.253' },
    { code: 16, type: 'ip', value: '10.0.0.9' },
    { code: 44, type: 'ips', value: ['10.0.0.7', '10.0.0.8'] },
    { code: 64, type: 'string', value: 'nisdom' },
    { code: 19, type: 'bool', value: false },
    { code: 224, type: 'hex', value: 'de:ad' },
    { code: 225, type: 'bytes', value: 'beef' },
    { code: 226, type: 'base64', value: 'AQID' },
    { code: 227, type: 'uint8', value: 999 }, // bad: skipped and reported
  ],
};

const hosts: Record<string, HostLease> = {
  '52:54:00:00:00:01': { ipv4: '10.0.0.11', hostname: 'node1', ignoreDhcp: false, subnet: lan, leaseSeconds: 3600 },
  '52:54:00:00:00:02': { ipv4: '10.0.0.12', hostname: 'skip', ignoreDhcp: true, subnet: lan, leaseSeconds: 3600 },
  '52:54:00:00:00:03': { ipv4: '10.0.0.13', ignoreDhcp: false, subnet: custom, leaseSeconds: 600 },
  '52:54:00:00:00:04': { ipv4: '10.20.0.50', hostname: 'far', ignoreDhcp: false, subnet: remote, leaseSeconds: 7200 },
  '52:54:00:00:00:05': { ipv4: '10.9.0.5', ignoreDhcp: false, subnet: lan, leaseSeconds: 60 },
};

function ctx(over: Partial<PolicyContext> = {}): PolicyContext {
  return {
    mode: 'server',
    port: 67,
    source: { address: '0.0.0.0', port: 68 },
    lookup: (mac) => hosts[mac],
    serverAddressFor: (cidr, giaddr) => (cidr === '10.0.0.0/24' ? AGENT : giaddr ? AGENT_REMOTE : undefined),
    bootFiles: DEFAULT_BOOT_FILES,
    httpBase: HTTP,
    now: NOW,
    ...over,
  };
}

function req(mac: string, options: DhcpOptions, over: Partial<DhcpPacket> = {}): DhcpPacket {
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0x1234, secs: 3, flags: 0,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0',
    chaddr: mac, sname: '', file: '', options, ...over,
  };
}

/** The decision with the reply replaced by what a client decodes from the wire. */
function outcome(r: DhcpPacket, c: PolicyContext = ctx()): unknown {
  const d = decide(r, c);
  if (d.kind === 'silence') return d;
  const bytes = encode(d.packet, { order: d.order });
  // The server sends d.wire as is: it must be exactly this packet's encoding.
  assert.equal(d.wire, bytes);
  const back = decode(bytes);
  if (!back.ok) throw new Error(back.error.message);
  return { kind: 'reply', packet: back.packet, wireOrder: back.order, to: d.to, event: d.event };
}

const reply = (over: Partial<DhcpPacket>): DhcpPacket => ({
  op: 2, htype: 1, hlen: 6, hops: 0, xid: 0x1234, secs: 0, flags: 0,
  ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0',
  chaddr: '52:54:00:00:00:01', sname: '', file: '', options: {}, ...over,
});

const lanOptions = {
  subnetMask: '255.255.255.0',
  broadcastAddress: '10.0.0.255',
  routers: ['10.0.0.254'],
  dnsServers: ['10.0.0.2', '10.0.0.3'],
  hostname: 'node1',
  domainName: 'lab.example',
  ntpServers: ['10.0.0.1'],
};
const M1 = '52:54:00:00:00:01';
const PRL = [1, 3, 6, 12, 15, 28, 42];
const ev = (type: string, extra: object = {}): object => ({ type, at: NOW, mac: M1, xid: 0x1234, ...extra });
const BCAST = { address: '255.255.255.255', port: 68 };

test('DISCOVER from a plain client -> OFFER broadcast with the reservation, options and BIOS boot file', () => {
  assert.equal(outcome(req(M1, { messageType: 1, parameterRequestList: PRL })), {
    kind: 'reply',
    packet: reply({
      yiaddr: '10.0.0.11',
      siaddr: AGENT,
      file: 'undionly.kpxe',
      options: { messageType: 2, serverId: AGENT, leaseTime: 3600, ...lanOptions, bootfileName: 'undionly.kpxe' },
    }),
    wireOrder: [53, 54, 51, 1, 3, 6, 12, 15, 28, 42, 67],
    to: BCAST,
    event: ev('dhcp.offer', { ipv4: '10.0.0.11', bootFile: 'undionly.kpxe' }),
  });
});

test('REQUEST selecting us -> ACK; client id echoed (RFC 6842)', () => {
  const clientId = Buffer.from('01525400000001', 'hex');
  assert.equal(outcome(req(M1, { messageType: 3, serverId: AGENT, requestedAddress: '10.0.0.11', clientId })), {
    kind: 'reply',
    packet: reply({
      yiaddr: '10.0.0.11',
      siaddr: AGENT,
      file: 'undionly.kpxe',
      options: { messageType: 5, serverId: AGENT, leaseTime: 3600, ...lanOptions, clientId, bootfileName: 'undionly.kpxe' },
    }),
    wireOrder: [53, 54, 51, 1, 3, 6, 12, 15, 28, 42, 61, 67],
    to: BCAST,
    event: ev('dhcp.ack', { ipv4: '10.0.0.11', bootFile: 'undionly.kpxe' }),
  });
});

test('REQUEST selecting another server -> silence', () => {
  assert.equal(outcome(req(M1, { messageType: 3, serverId: '10.0.0.99', requestedAddress: '10.0.0.11' })), {
    kind: 'silence',
    reason: 'other-server',
  });
});

const nakPacket = (why: string, over: Partial<DhcpPacket> = {}): DhcpPacket =>
  reply({ options: { messageType: 6, serverId: AGENT, message: why }, ...over });

test('REQUEST selecting us for a different address -> NAK broadcast', () => {
  assert.equal(outcome(req(M1, { messageType: 3, serverId: AGENT, requestedAddress: '10.0.0.99' })), {
    kind: 'reply',
    packet: nakPacket('requested 10.0.0.99, reserved 10.0.0.11'),
    wireOrder: [53, 54, 56],
    to: BCAST,
    event: ev('dhcp.nak', { reason: 'requested 10.0.0.99, reserved 10.0.0.11', ipv4: '10.0.0.11' }),
  });
});

test('INIT-REBOOT with the reserved address -> ACK; with another -> NAK', () => {
  const ack = outcome(req(M1, { messageType: 3, requestedAddress: '10.0.0.11' })) as { packet: DhcpPacket; kind: string };
  assert.is(ack.kind, 'reply');
  assert.is(ack.packet.options.messageType, 5);
  assert.is(ack.packet.yiaddr, '10.0.0.11');
  assert.equal(outcome(req(M1, { messageType: 3, requestedAddress: '192.168.1.5' })), {
    kind: 'reply',
    packet: nakPacket('requested 192.168.1.5, reserved 10.0.0.11'),
    wireOrder: [53, 54, 56],
    to: BCAST,
    event: ev('dhcp.nak', { reason: 'requested 192.168.1.5, reserved 10.0.0.11', ipv4: '10.0.0.11' }),
  });
});

test('REQUEST with neither server id, requested address nor ciaddr -> silence', () => {
  assert.equal(outcome(req(M1, { messageType: 3 })), { kind: 'silence', reason: 'bad-request' });
});

test('RENEWING (ciaddr matches) -> ACK unicast to ciaddr with ciaddr echoed', () => {
  assert.equal(outcome(req(M1, { messageType: 3 }, { ciaddr: '10.0.0.11' })), {
    kind: 'reply',
    packet: reply({
      ciaddr: '10.0.0.11',
      yiaddr: '10.0.0.11',
      siaddr: AGENT,
      file: 'undionly.kpxe',
      options: { messageType: 5, serverId: AGENT, leaseTime: 3600, ...lanOptions, bootfileName: 'undionly.kpxe' },
    }),
    wireOrder: [53, 54, 51, 1, 3, 6, 12, 15, 28, 42, 67],
    to: { address: '10.0.0.11', port: 68 },
    event: ev('dhcp.ack', { ipv4: '10.0.0.11', bootFile: 'undionly.kpxe' }),
  });
});

test('REBINDING from a wrong ciaddr -> NAK broadcast', () => {
  assert.equal(outcome(req(M1, { messageType: 3 }, { ciaddr: '10.0.0.77' })), {
    kind: 'reply',
    packet: nakPacket('ciaddr 10.0.0.77, reserved 10.0.0.11'),
    wireOrder: [53, 54, 56],
    to: BCAST,
    event: ev('dhcp.nak', { reason: 'ciaddr 10.0.0.77, reserved 10.0.0.11', ipv4: '10.0.0.11' }),
  });
});

test('INFORM -> ACK without yiaddr, lease time or boot file, unicast to ciaddr', () => {
  assert.equal(outcome(req(M1, { messageType: 8, parameterRequestList: [6, 15] }, { ciaddr: '10.0.0.11' })), {
    kind: 'reply',
    packet: reply({ ciaddr: '10.0.0.11', options: { messageType: 5, serverId: AGENT, ...lanOptions } }),
    wireOrder: [53, 54, 6, 15, 1, 3, 12, 28, 42],
    to: { address: '10.0.0.11', port: 68 },
    event: ev('dhcp.ack', { ipv4: '10.0.0.11' }),
  });
});

test('RELEASE and DECLINE -> silence plus an event', () => {
  assert.equal(outcome(req(M1, { messageType: 7, serverId: AGENT }, { ciaddr: '10.0.0.11' })), {
    kind: 'silence',
    reason: 'release',
    event: ev('dhcp.release', { ipv4: '10.0.0.11' }),
  });
  assert.equal(outcome(req(M1, { messageType: 4, serverId: AGENT, requestedAddress: '10.0.0.11' })), {
    kind: 'silence',
    reason: 'decline',
    event: ev('dhcp.decline', { ipv4: '10.0.0.11' }),
  });
});

test('unknown MAC -> silence plus unknown-mac event; ignore_dhcp -> silence plus ignored event', () => {
  assert.equal(outcome(req('52:54:00:99:99:99', { messageType: 1 })), {
    kind: 'silence',
    reason: 'unknown-mac',
    event: { type: 'dhcp.unknown-mac', at: NOW, mac: '52:54:00:99:99:99', xid: 0x1234 },
  });
  assert.equal(outcome(req('52:54:00:00:00:02', { messageType: 1 })), {
    kind: 'silence',
    reason: 'ignore-dhcp',
    event: { type: 'dhcp.ignored', at: NOW, mac: '52:54:00:00:00:02', xid: 0x1234, reason: 'ignore_dhcp' },
  });
});

test('reservation outside its subnet, no server address, non-ethernet, BOOTREPLY, no type -> silence', () => {
  assert.equal(outcome(req('52:54:00:00:00:05', { messageType: 1 })), {
    kind: 'silence',
    reason: 'bad-reservation',
    event: { type: 'dhcp.ignored', at: NOW, mac: '52:54:00:00:00:05', xid: 0x1234, reason: '10.9.0.5 is not in 10.0.0.0/24' },
  });
  assert.equal(outcome(req('52:54:00:00:00:04', { messageType: 1 })), { kind: 'silence', reason: 'no-server-address' });
  assert.equal(outcome(req(M1, { messageType: 1 }, { htype: 32, hlen: 16, chaddr: '00'.repeat(16).match(/../g)!.join(':') })), {
    kind: 'silence',
    reason: 'not-ethernet',
  });
  assert.equal(outcome(req(M1, { messageType: 2 }, { op: 2 })), { kind: 'silence', reason: 'not-a-request' });
  assert.equal(outcome(req(M1, {})), { kind: 'silence', reason: 'no-message-type' });
  assert.equal(outcome(req(M1, { messageType: 1 }), ctx({ port: 4011 })), { kind: 'silence', reason: 'wrong-port' });
});

test('relayed DISCOVER -> OFFER to giaddr:67 with option 82 echoed last', () => {
  const rai = [{ code: 1, data: Buffer.from('eth0/1') }, { code: 2, data: Buffer.from('0011', 'hex') }];
  assert.equal(
    outcome(req('52:54:00:00:00:04', { messageType: 1, relayAgentInfo: rai }, { giaddr: '10.20.0.1', hops: 1 })),
    {
      kind: 'reply',
      packet: reply({
        chaddr: '52:54:00:00:00:04',
        giaddr: '10.20.0.1',
        yiaddr: '10.20.0.50',
        siaddr: AGENT_REMOTE,
        file: 'undionly.kpxe',
        options: {
          messageType: 2, serverId: AGENT_REMOTE, leaseTime: 7200, subnetMask: '255.255.255.0', broadcastAddress: '10.20.0.255',
          routers: ['10.20.0.1'], dnsServers: ['10.0.0.2'], hostname: 'far', bootfileName: 'undionly.kpxe', relayAgentInfo: rai,
        },
      }),
      wireOrder: [53, 54, 51, 1, 3, 6, 12, 28, 67, 82],
      to: { address: '10.20.0.1', port: 67 },
      event: { type: 'dhcp.offer', at: NOW, mac: '52:54:00:00:00:04', xid: 0x1234, relay: '10.20.0.1', ipv4: '10.20.0.50', bootFile: 'undionly.kpxe' },
    },
  );
});

test('relayed NAK sets the broadcast bit and goes to the relay', () => {
  const d = decide(req('52:54:00:00:00:04', { messageType: 3, requestedAddress: '10.20.0.99' }, { giaddr: '10.20.0.1' }), ctx());
  assert.equal(d.kind === 'reply' ? [d.packet.flags, d.to] : d, [0x8000, { address: '10.20.0.1', port: 67 }]);
});

const pxe = (arch: number, vendor: string): DhcpOptions => ({ messageType: 1, clientArch: [arch], vendorClassId: vendor });

const archRows: Array<[string, DhcpOptions, Partial<DhcpOptions>, string]> = [
  ['BIOS PXE (arch 0)', pxe(0, 'PXEClient:Arch:00000:UNDI:002001'), { vendorClassId: 'PXEClient', vendorSpecific: Buffer.from([6, 1, 8, 255]) }, 'undionly.kpxe'],
  ['UEFI x64 PXE (arch 7, OVMF)', pxe(7, 'PXEClient:Arch:00007:UNDI:003000'), { vendorClassId: 'PXEClient', vendorSpecific: Buffer.from([6, 1, 8, 255]) }, 'snponly.efi'],
  ['UEFI x64 PXE (arch 9)', pxe(9, 'PXEClient:Arch:00009:UNDI:003016'), { vendorClassId: 'PXEClient', vendorSpecific: Buffer.from([6, 1, 8, 255]) }, 'snponly.efi'],
  ['UEFI ARM64 PXE (arch 11)', pxe(11, 'PXEClient:Arch:00011:UNDI:003000'), { vendorClassId: 'PXEClient', vendorSpecific: Buffer.from([6, 1, 8, 255]) }, 'snponly-arm64.efi'],
  ['UEFI x64 HTTP boot (arch 16)', pxe(16, 'HTTPClient:Arch:00016:UNDI:003001'), { vendorClassId: 'HTTPClient' }, `${HTTP}/boot/snponly.efi`],
  ['UEFI ARM64 HTTP boot (arch 19)', pxe(19, 'HTTPClient:Arch:00019:UNDI:003001'), { vendorClassId: 'HTTPClient' }, `${HTTP}/boot/snponly-arm64.efi`],
  ['iPXE by option 77', { ...pxe(0, 'PXEClient:Arch:00000:UNDI:002001'), userClass: { rfc3004: false, classes: ['iPXE'] } }, { ipxe: [{ code: 176, data: Buffer.from([1]) }] }, `${HTTP}/ipxe`],
  ['iPXE by option 175 (UEFI)', { ...pxe(7, 'PXEClient:Arch:00007:UNDI:003010'), ipxe: [{ code: 19, data: Buffer.from([1]) }] }, { ipxe: [{ code: 176, data: Buffer.from([1]) }] }, `${HTTP}/ipxe`],
  ['iPXE by RFC 3004 user class', { messageType: 1, userClass: { rfc3004: true, classes: ['iPXE'] } }, { ipxe: [{ code: 176, data: Buffer.from([1]) }] }, `${HTTP}/ipxe`],
];

for (const [name, options, extra, file] of archRows) {
  test(`boot file by client: ${name} -> ${file}`, () => {
    // The event names the architecture only when the client sent option 93 (firmware, not an OS renewing).
    const arch = options.clientArch?.[0];
    const out = outcome(req(M1, options)) as { packet: unknown; event: unknown };
    assert.equal(out.packet, reply({
      yiaddr: '10.0.0.11',
      siaddr: AGENT,
      file,
      options: { messageType: 2, serverId: AGENT, leaseTime: 3600, ...lanOptions, bootfileName: file, ...extra },
    }));
    assert.equal(out.event, ev('dhcp.offer', { ipv4: '10.0.0.11', ...(arch !== undefined ? { arch } : {}), bootFile: file }));
  });
}

test('unsupported arch (6, IA32 EFI) -> address without a boot file', () => {
  const out = outcome(req(M1, pxe(6, 'PXEClient:Arch:00006:UNDI:003000'))) as { packet: unknown; event: unknown };
  assert.equal(out.packet, reply({ yiaddr: '10.0.0.11', options: { messageType: 2, serverId: AGENT, leaseTime: 3600, ...lanOptions } }));
  assert.equal(out.event, ev('dhcp.offer', { ipv4: '10.0.0.11', arch: 6 }));
});

test('httpBase {server} becomes the address answering the host: each subnet of a multi-homed agent gets a URL it can reach', () => {
  const ipxe = { messageType: 1, userClass: { rfc3004: false, classes: ['iPXE'] } } as DhcpOptions;
  const local = decide(req(M1, ipxe), ctx({ httpBase: 'http://{server}:24602' }));
  const relayed = decide(req('52:54:00:00:00:04', ipxe, { giaddr: '10.20.0.1' }), ctx({ httpBase: 'http://{server}:24602' }));
  assert.equal(local.kind === 'reply' ? local.packet.options.bootfileName : local, `http://${AGENT}:24602/ipxe`);
  assert.equal(relayed.kind === 'reply' ? relayed.packet.options.bootfileName : relayed, `http://${AGENT_REMOTE}:24602/ipxe`);
});

test('configurable UEFI file name (ipxe.efi)', () => {
  const d = decide(req(M1, pxe(7, 'PXEClient:Arch:00007:UNDI:003000')), ctx({ bootFiles: { ...DEFAULT_BOOT_FILES, efiX64: 'ipxe.efi' } }));
  assert.equal(d.kind === 'reply' ? [d.packet.file, d.packet.options.bootfileName] : d, ['ipxe.efi', 'ipxe.efi']);
});

test('custom dhcp_options of every type, overriding typed options with the same code; bad ones reported', () => {
  const m = '52:54:00:00:00:03';
  const out = outcome(req(m, { messageType: 1 }));
  const hexes = (pairs: Array<[number, string]>): Array<{ code: number; data: Buffer }> => pairs.map(([code, h]) => ({ code, data: Buffer.from(h, 'hex') }));
  assert.equal(out, {
    kind: 'reply',
    packet: reply({
      chaddr: m,
      yiaddr: '10.0.0.13',
      siaddr: AGENT,
      file: 'undionly.kpxe',
      options: {
        messageType: 2, serverId: AGENT, leaseTime: 600, subnetMask: '255.255.255.0', bootfileName: 'undionly.kpxe', broadcastAddress: '10.0.0.251',
        other: hexes([[2, 'fffff1f0'], [16, '0a000009'], [19, '00'], [23, '80'], [24, '00000258'], [26, '05dc'],
          [44, '0a0000070a000008'], [64, '6e6973646f6d'], [69, '0a0000fb0a0000fd'], [200, 'ff'], [201, 'fffe'], [224, 'dead'], [225, 'beef'], [226, '010203']]),
      },
    }),
    wireOrder: [53, 54, 51, 1, 2, 16, 19, 23, 24, 26, 28, 44, 64, 67, 69, 200, 201, 224, 225, 226],
    to: BCAST,
    event: {
      type: 'dhcp.offer', at: NOW, mac: m, xid: 0x1234, ipv4: '10.0.0.13', bootFile: 'undionly.kpxe',
      reason: 'dhcp_options option 227 (uint8): 999 is out of range for uint8 (0..255)',
    },
  });
});

test('reply size limit: unrequested options dropped first, requested kept in order (option 57)', () => {
  const big: SubnetLease = { ...lan, dhcpOptions: [{ code: 224, type: 'string', value: 'x'.repeat(250) }, { code: 225, type: 'string', value: 'y'.repeat(100) }] };
  const lookup = (): HostLease => ({ ...(hosts[M1] as HostLease), subnet: big });
  const small = outcome(req(M1, { messageType: 1, parameterRequestList: [225, 6, 1] }), ctx({ lookup })) as { packet: DhcpPacket; wireOrder: number[] };
  const d = decide(req(M1, { messageType: 1, parameterRequestList: [225, 6, 1] }), ctx({ lookup }));
  assert.ok(d.kind === 'reply' && encode(d.packet, { order: d.order }).length <= 576 - 28);
  assert.equal(small.wireOrder, [53, 54, 51, 225, 6, 1, 3, 12, 15, 28, 42, 67]); // 224 (unrequested, 252 bytes) dropped
  const large = outcome(req(M1, { messageType: 1, maxMessageSize: 1500, parameterRequestList: [225, 6, 1] }), ctx({ lookup })) as { wireOrder: number[] };
  assert.equal(large.wireOrder, [53, 54, 51, 225, 6, 1, 3, 12, 15, 28, 42, 67, 224]);
});

test('reply size limit: when unrequested options are not enough, requested ones go from the end of the list', () => {
  const big: SubnetLease = { ...lan, dhcpOptions: [{ code: 224, type: 'string', value: 'x'.repeat(250) }, { code: 225, type: 'string', value: 'y'.repeat(250) }] };
  const lookup = (): HostLease => ({ ...(hosts[M1] as HostLease), subnet: big });
  const out = outcome(req(M1, { messageType: 1, parameterRequestList: [224, 6, 225] }), ctx({ lookup })) as { wireOrder: number[] };
  assert.equal(out.wireOrder, [53, 54, 51, 224, 6, 1]);
});

test('a boot URL longer than the file field goes in option 67 only', () => {
  const httpBase = `http://${'a'.repeat(120)}.example:24602`;
  const d = decide(req(M1, { messageType: 1, userClass: { rfc3004: false, classes: ['iPXE'] } }), ctx({ httpBase }));
  assert.equal(d.kind === 'reply' ? [d.packet.file, d.packet.options.bootfileName] : d, ['', `${httpBase}/ipxe`]);
});

// ---- proxy mode ----------------------------------------------------------

const proxy = (over: Partial<PolicyContext> = {}): PolicyContext => ctx({ mode: 'proxy', ...over });
const uuid = { type: 0, id: '8c4df7a1-1b2c-4d3e-9f00-aabbccddeeff' };

test('proxy: PXE DISCOVER on 67 -> OFFER without address or lease options, boot file, UUID echoed', () => {
  assert.equal(outcome(req(M1, { ...pxe(7, 'PXEClient:Arch:00007:UNDI:003000'), clientMachineId: uuid, parameterRequestList: [1, 3, 43, 60, 66, 67] }), proxy()), {
    kind: 'reply',
    packet: reply({
      siaddr: AGENT,
      file: 'snponly.efi',
      options: { messageType: 2, serverId: AGENT, vendorClassId: 'PXEClient', vendorSpecific: Buffer.from([6, 1, 8, 255]), bootfileName: 'snponly.efi', clientMachineId: uuid },
    }),
    wireOrder: [53, 54, 43, 60, 67, 97],
    to: BCAST,
    event: ev('dhcp.offer', { arch: 7, bootFile: 'snponly.efi' }),
  });
});

test('proxy: REQUEST on 4011 -> ACK unicast to the client address and source port', () => {
  const r = req(M1, { messageType: 3, ...pxe(0, 'PXEClient:Arch:00000:UNDI:002001'), clientMachineId: uuid }, { ciaddr: '192.168.7.40' });
  r.options.messageType = 3;
  assert.equal(outcome(r, proxy({ port: 4011, source: { address: '192.168.7.40', port: 4011 } })), {
    kind: 'reply',
    packet: reply({
      ciaddr: '192.168.7.40',
      siaddr: AGENT,
      file: 'undionly.kpxe',
      options: { messageType: 5, serverId: AGENT, vendorClassId: 'PXEClient', vendorSpecific: Buffer.from([6, 1, 8, 255]), bootfileName: 'undionly.kpxe', clientMachineId: uuid },
    }),
    wireOrder: [53, 54, 43, 60, 67, 97],
    to: { address: '192.168.7.40', port: 4011 },
    event: ev('dhcp.ack', { arch: 0, bootFile: 'undionly.kpxe' }),
  });
});

test('proxy: iPXE gets the script URL and PXEClient (so it is seen as a proxy offer), no 175', () => {
  const out = outcome(req(M1, { ...pxe(0, 'PXEClient:Arch:00000:UNDI:002001'), userClass: { rfc3004: false, classes: ['iPXE'] } }), proxy()) as { packet: unknown };
  assert.equal(out.packet, reply({
    siaddr: AGENT,
    file: `${HTTP}/ipxe`,
    options: { messageType: 2, serverId: AGENT, vendorClassId: 'PXEClient', bootfileName: `${HTTP}/ipxe` },
  }));
});

test('proxy: UEFI HTTP boot DISCOVER on 67 -> OFFER without address: HTTPClient and the ROM URL (UEFI 2.5+ 24.7.2); nothing on 4011', () => {
  const out = outcome(req(M1, { ...pxe(16, 'HTTPClient:Arch:00016:UNDI:003001'), parameterRequestList: [1, 3, 6, 60, 67] }), proxy()) as { kind: string; packet: DhcpPacket; event: unknown };
  assert.is(out.kind, 'reply');
  assert.equal(out.packet, reply({ siaddr: AGENT, file: `${HTTP}/boot/snponly.efi`, options: { messageType: 2, serverId: AGENT, vendorClassId: 'HTTPClient', bootfileName: `${HTTP}/boot/snponly.efi` } }));
  assert.equal(out.event, ev('dhcp.offer', { arch: 16, bootFile: `${HTTP}/boot/snponly.efi` }));
  const r = req(M1, { ...pxe(16, 'HTTPClient:Arch:00016:UNDI:003001'), messageType: 3 }, { ciaddr: '192.168.7.40' });
  assert.equal(outcome(r, proxy({ port: 4011, source: { address: '192.168.7.40', port: 4011 } })), { kind: 'silence', reason: 'unsupported-message' });
});

test('proxy: non-PXE clients, REQUEST on 67, DISCOVER on 4011, unknown PXE MAC -> silence', () => {
  assert.equal(outcome(req(M1, { messageType: 1 }), proxy()), { kind: 'silence', reason: 'not-pxe' });
  assert.equal(outcome(req('52:54:00:99:99:99', { messageType: 1 }), proxy()), { kind: 'silence', reason: 'not-pxe' });
  assert.equal(outcome(req(M1, { ...pxe(0, 'PXEClient'), messageType: 3 }), proxy()), { kind: 'silence', reason: 'unsupported-message' });
  assert.equal(outcome(req(M1, pxe(0, 'PXEClient')), proxy({ port: 4011 })), { kind: 'silence', reason: 'unsupported-message' });
  assert.equal(outcome(req(M1, { messageType: 1, vendorClassId: 'MSFT 5.0' }), proxy()), { kind: 'silence', reason: 'not-pxe' });
  assert.equal(outcome(req('52:54:00:99:99:99', pxe(0, 'PXEClient')), proxy()), {
    kind: 'silence',
    reason: 'unknown-mac',
    event: { type: 'dhcp.unknown-mac', at: NOW, mac: '52:54:00:99:99:99', xid: 0x1234 },
  });
  assert.equal(outcome(req(M1, pxe(6, 'PXEClient:Arch:00006')), proxy()), { kind: 'silence', reason: 'unsupported-arch' });
});

test('proxy: relayed PXE DISCOVER -> OFFER to the relay', () => {
  const d = decide(req('52:54:00:00:00:04', pxe(0, 'PXEClient'), { giaddr: '10.20.0.1' }), proxy());
  assert.equal(d.kind === 'reply' ? [d.to, d.packet.yiaddr, d.packet.siaddr] : d, [{ address: '10.20.0.1', port: 67 }, '0.0.0.0', AGENT_REMOTE]);
});

test.run();
