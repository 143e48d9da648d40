import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode, type DhcpPacket, type DecodeResult } from '../../src/io/dhcp/packet.ts';
import { IPXE_DISCOVER, OVMF_DISCOVER, RELAYED_REQUEST, hex, header } from './golden.ts';

function ok(r: DecodeResult): { packet: DhcpPacket; order: number[] } {
  if (!r.ok) throw new Error(`decode failed: ${r.error.kind}: ${r.error.message}`);
  return r;
}

function roundTrip(golden: Buffer): DhcpPacket {
  const { packet, order } = ok(decode(golden));
  assert.equal(encode(packet, { order, minSize: golden.length }).toString('hex'), golden.toString('hex'));
  return packet;
}

const zeroHeader = {
  op: 1,
  htype: 1,
  hlen: 6,
  hops: 0,
  secs: 0,
  flags: 0,
  ciaddr: '0.0.0.0',
  yiaddr: '0.0.0.0',
  siaddr: '0.0.0.0',
  giaddr: '0.0.0.0',
  sname: '',
  file: '',
};

test('iPXE DISCOVER decodes whole and round-trips to the same bytes', () => {
  assert.equal(roundTrip(IPXE_DISCOVER), {
    ...zeroHeader,
    xid: 0xa1b2c3d4,
    secs: 4,
    chaddr: '52:54:00:12:34:56',
    options: {
      messageType: 1,
      maxMessageSize: 1472,
      clientArch: [0],
      clientNdi: { type: 1, major: 2, minor: 1 },
      vendorClassId: 'PXEClient:Arch:00000:UNDI:002001',
      userClass: { rfc3004: false, classes: ['iPXE'] },
      parameterRequestList: [1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133, 134, 135, 175, 203],
      ipxe: [
        { code: 177, data: Buffer.from('0110ec8139', 'hex') },
        { code: 235, data: Buffer.from('010000', 'hex') },
        { code: 23, data: Buffer.from([1]) },
        { code: 21, data: Buffer.from([1]) },
        { code: 19, data: Buffer.from([1]) },
        { code: 16, data: Buffer.from([2]) },
      ],
      clientId: Buffer.from('01525400123456', 'hex'),
      clientMachineId: { type: 0, id: '00112233-4455-6677-8899-aabbccddeeff' },
    },
  });
});

test('OVMF UEFI PXE DISCOVER (arch 7) decodes whole and round-trips', () => {
  assert.equal(roundTrip(OVMF_DISCOVER), {
    ...zeroHeader,
    xid: 0x0badcafe,
    flags: 0x8000,
    chaddr: '52:54:00:ab:cd:ef',
    options: {
      messageType: 1,
      maxMessageSize: 1472,
      parameterRequestList: [1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135],
      clientMachineId: { type: 0, id: '8c4df7a1-1b2c-4d3e-9f00-aabbccddeeff' },
      clientNdi: { type: 1, major: 3, minor: 0 },
      clientArch: [7],
      vendorClassId: 'PXEClient:Arch:00007:UNDI:003000',
    },
  });
});

test('relayed REQUEST keeps option 82 sub-options raw and re-encodes them last', () => {
  assert.equal(roundTrip(RELAYED_REQUEST), {
    ...zeroHeader,
    hops: 1,
    xid: 0x00c0ffee,
    giaddr: '10.20.0.1',
    chaddr: '02:00:00:00:00:42',
    options: {
      messageType: 3,
      serverId: '10.0.0.1',
      requestedAddress: '10.20.0.50',
      parameterRequestList: [1, 3, 6, 15],
      relayAgentInfo: [
        { code: 1, data: Buffer.from('eth0/1') },
        { code: 2, data: Buffer.from('0011223344556677', 'hex') },
      ],
    },
  });
});

test('encode puts 53 and 54 first and 82 last by default, and pads to 300 bytes', () => {
  const { packet } = ok(decode(RELAYED_REQUEST));
  const bytes = encode(packet);
  assert.is(bytes.length, 300);
  const { order } = ok(decode(bytes));
  assert.equal(order, [53, 54, 50, 55, 82]);
});

test('option overload (52) reads options from file and sname', () => {
  const buf = hex(`${header({ xid: '00000001', chaddr: '020000000001' })} 35 01 01 34 01 03 ff`);
  buf.write('\x0c\x03abc\xff', 108, 'latin1'); // file: option 12 "abc"
  buf.write('\x0f\x03lan\xff', 44, 'latin1'); // sname: option 15 "lan"
  const { packet, order } = ok(decode(buf));
  assert.equal(packet.options, { messageType: 1, hostname: 'abc', domainName: 'lan' });
  assert.is(packet.file, '');
  assert.is(packet.sname, '');
  assert.equal(order, [53, 12, 15]);
});

test('RFC 3004 user class, repeated options concatenated, unknown options kept raw', () => {
  const buf = hex(`${header({ xid: '00000002', chaddr: '020000000002' })}
    35 01 08  4d 08 03 666f6f 03 626172  0c 02 6162 0c 01 63  fa 02 beef  00 00 ff`);
  const { packet } = ok(decode(buf));
  assert.equal(packet.options, {
    messageType: 8,
    userClass: { rfc3004: true, classes: ['foo', 'bar'] },
    hostname: 'abc',
    other: [{ code: 250, data: Buffer.from('beef', 'hex') }],
  });
});

test('long option values are split into 255-byte instances and re-joined (RFC 3396)', () => {
  const { packet } = ok(decode(IPXE_DISCOVER));
  const long = 'x'.repeat(300);
  const bytes = encode({ ...packet, options: { messageType: 2, bootfileName: long } });
  assert.equal(ok(decode(bytes)).packet.options, { messageType: 2, bootfileName: long });
});

const malformed: Array<[string, Buffer, string]> = [
  ['truncated header', IPXE_DISCOVER.subarray(0, 100), 'truncated'],
  ['no magic cookie', IPXE_DISCOVER.subarray(0, 236), 'truncated'],
  ['bad magic cookie', Buffer.concat([IPXE_DISCOVER.subarray(0, 236), Buffer.from('deadbeef', 'hex'), IPXE_DISCOVER.subarray(240)]), 'bad-cookie'],
  ['option length past the end', hex(`${header({ xid: '00000003', chaddr: '020000000003' })} 35 01 01 0c 20 6162`), 'option-overrun'],
  ['option code without a length', hex(`${header({ xid: '00000003', chaddr: '020000000003' })} 35 01 01 0c`), 'option-overrun'],
  ['hlen 17', (() => { const b = Buffer.from(IPXE_DISCOVER); b[2] = 17; return b; })(), 'bad-hlen'],
  ['message type of 2 bytes', hex(`${header({ xid: '00000004', chaddr: '020000000004' })} 35 02 0101 ff`), 'bad-option'],
  ['server id of 3 bytes', hex(`${header({ xid: '00000004', chaddr: '020000000004' })} 35 01 03 36 03 0a0000 ff`), 'bad-option'],
  ['option 82 sub-option overrun', hex(`${header({ xid: '00000005', chaddr: '020000000005' })} 35 01 03 52 03 01 05 41 ff`), 'bad-option'],
  ['overload value 9', hex(`${header({ xid: '00000006', chaddr: '020000000006' })} 35 01 01 34 01 09 ff`), 'bad-option'],
  ['empty buffer', Buffer.alloc(0), 'truncated'],
];

for (const [name, bytes, kind] of malformed) {
  test(`malformed: ${name} -> typed error ${kind}, no throw`, () => {
    const r = decode(bytes);
    assert.is(r.ok, false);
    if (!r.ok) {
      assert.is(r.error.kind, kind);
      assert.is(r.error.code, 'VQ_ERR_DHCP_MALFORMED');
    }
  });
}

test('random bytes never throw', () => {
  let seed = 42;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(IPXE_DISCOVER);
    for (let j = 0; j < 8; j++) b[236 + (rnd() % (b.length - 236))] = rnd();
    if (i % 3 === 0) b[(rnd() << 1) % 236] = rnd();
    decode(b.subarray(0, b.length - (rnd() % 40)));
  }
});

test.run();
