// Golden bytes for every TFTP packet type, and the typed errors for malformed input.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode, type TftpPacket } from '../../src/io/tftp/packet.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

const golden: Array<[string, Buffer, TftpPacket]> = [
  ['RRQ octet, no options', ascii('\x00\x01undionly.kpxe\x00octet\x00'), { op: 'RRQ', filename: 'undionly.kpxe', mode: 'octet', options: [] }],
  [
    'RRQ as UEFI firmware probes (RFC 2347/2348/2349/7440)',
    ascii('\x00\x01snponly.efi\x00octet\x00tsize\x000\x00blksize\x001468\x00windowsize\x004\x00'),
    { op: 'RRQ', filename: 'snponly.efi', mode: 'octet', options: [['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']] },
  ],
  ['WRQ netascii', ascii('\x00\x02up.txt\x00netascii\x00'), { op: 'WRQ', filename: 'up.txt', mode: 'netascii', options: [] }],
  ['DATA block 1', hex('0003 0001 deadbeef'), { op: 'DATA', block: 1, data: hex('deadbeef') }],
  ['DATA empty last block', hex('0003 ffff'), { op: 'DATA', block: 65535, data: Buffer.alloc(0) }],
  ['ACK 0', hex('0004 0000'), { op: 'ACK', block: 0 }],
  ['ACK 65535', hex('0004 ffff'), { op: 'ACK', block: 65535 }],
  ['ERROR 2', ascii('\x00\x05\x00\x02Access violation\x00'), { op: 'ERROR', code: 2, message: 'Access violation' }],
  ['OACK', ascii('\x00\x06tsize\x00123\x00blksize\x001468\x00'), { op: 'OACK', options: [['tsize', '123'], ['blksize', '1468']] }],
];

for (const [name, bytes, packet] of golden) {
  test(`decode/encode golden: ${name}`, () => {
    assert.equal(decode(bytes), { ok: true, packet });
    assert.equal(encode(packet).toString('hex'), bytes.toString('hex'));
  });
}

test('option names are case-insensitive and lower-cased; mode too; values verbatim', () => {
  const r = decode(ascii('\x00\x01f\x00OcTeT\x00BLKSIZE\x001468\x00TSize\x000\x00X-Vendor\x00AbC\x00'));
  assert.equal(r, { ok: true, packet: { op: 'RRQ', filename: 'f', mode: 'octet', options: [['blksize', '1468'], ['tsize', '0'], ['x-vendor', 'AbC']] } });
});

test('ERROR without the trailing NUL still decodes (firmware aborts)', () => {
  assert.equal(decode(ascii('\x00\x05\x00\x08abort')), { ok: true, packet: { op: 'ERROR', code: 8, message: 'abort' } });
  assert.equal(decode(hex('0005 0000')), { ok: true, packet: { op: 'ERROR', code: 0, message: '' } });
});

test('encode wraps block numbers past 65535 to 0 (rollover)', () => {
  assert.equal(encode({ op: 'ACK', block: 65536 }).toString('hex'), '00040000');
  assert.equal(encode({ op: 'DATA', block: 65537, data: hex('ff') }).toString('hex'), '00030001ff');
});

const malformed: Array<[string, Buffer, string]> = [
  ['empty', Buffer.alloc(0), 'truncated'],
  ['one byte', hex('00'), 'truncated'],
  ['unknown opcode 7', hex('0007 0001'), 'unknown-opcode'],
  ['opcode 0', hex('0000'), 'unknown-opcode'],
  ['DATA without block', hex('0003 00'), 'truncated'],
  ['ACK without block', hex('0004'), 'truncated'],
  ['ERROR without code', hex('0005 00'), 'truncated'],
  ['RRQ filename without NUL', ascii('\x00\x01undionly.kpxe'), 'missing-nul'],
  ['RRQ mode without NUL', ascii('\x00\x01f\x00octet'), 'missing-nul'],
  ['RRQ without mode', ascii('\x00\x01f\x00'), 'truncated'],
  ['RRQ empty filename', ascii('\x00\x01\x00octet\x00'), 'truncated'],
  ['RRQ option without value', ascii('\x00\x01f\x00octet\x00blksize\x00'), 'bad-option'],
  ['RRQ empty option name', ascii('\x00\x01f\x00octet\x00\x00512\x00'), 'bad-option'],
  ['RRQ option value without NUL', ascii('\x00\x01f\x00octet\x00blksize\x00512'), 'missing-nul'],
  ['OACK odd strings', ascii('\x00\x06tsize\x00'), 'bad-option'],
];

for (const [name, bytes, kind] of malformed) {
  test(`malformed: ${name} -> ${kind}`, () => {
    const r = decode(bytes);
    assert.is(r.ok, false);
    if (!r.ok) assert.is(r.error.kind, kind);
  });
}

test('random garbage never throws', () => {
  // Deterministic pseudo-random bytes (LCG) so a failure reproduces.
  let x = 12345;
  for (let i = 0; i < 2000; i++) {
    const len = i % 40;
    const b = Buffer.alloc(len);
    for (let j = 0; j < len; j++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      b[j] = j < 2 ? [0, 1, 2, 3, 4, 5, 6, 9][x % 8] ?? 0 : x & 0xff;
    }
    const r = decode(b);
    assert.type(r.ok, 'boolean');
  }
});

test.run();
