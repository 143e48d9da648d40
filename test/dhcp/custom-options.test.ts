import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeCustomOption } from '../../src/io/dhcp/custom-options.ts';

const good: Array<[string, unknown, number, string]> = [
  ['uint8', 128, 23, '80'], // Vaquero's documented example: IP TTL
  ['uint8', '7', 23, '07'],
  ['uint16', 1500, 26, '05dc'],
  ['uint32', 4294967295, 35, 'ffffffff'],
  ['int8', -1, 200, 'ff'],
  ['int16', -2, 200, 'fffe'],
  ['int32', -3600, 2, 'fffff1f0'],
  ['addresses', '10.0.0.251', 28, '0a0000fb'], // documented example: broadcast
  ['addresses', '10.0.0.251,10.0.0.253, 10.0.0.9', 69, '0a0000fb0a0000fd0a000009'], // SMTP
  ['ips', ['192.168.0.1', '192.168.0.2'], 44, 'c0a80001c0a80002'],
  ['ip', '10.1.2.3', 16, '0a010203'],
  ['string', 'hello', 64, '68656c6c6f'],
  ['bool', true, 19, '01'],
  ['bool', 'false', 19, '00'],
  ['hex', '01:af:FF', 224, '01afff'],
  ['bytes', '0x0102', 224, '0102'],
  ['base64', 'AQID', 224, '010203'],
];

for (const [type, value, code, bytes] of good) {
  test(`custom option ${type} ${JSON.stringify(value)} -> ${bytes}`, () => {
    assert.equal(encodeCustomOption({ code, type, value }), { ok: true, option: { code, data: Buffer.from(bytes, 'hex') } });
  });
}

const bad: Array<[string, unknown, number, string]> = [
  ['uint8', 256, 23, 'dhcp_options option 23 (uint8): 256 is out of range for uint8 (0..255)'],
  ['uint8', 1.5, 23, 'dhcp_options option 23 (uint8): expects an integer, got 1.5'],
  ['int8', 128, 23, 'dhcp_options option 23 (int8): 128 is out of range for int8 (-128..127)'],
  ['uint32', -1, 35, 'dhcp_options option 35 (uint32): -1 is out of range for uint32 (0..4294967295)'],
  ['uint16', 'ten', 26, 'dhcp_options option 26 (uint16): expects an integer, got "ten"'],
  ['addresses', '10.0.0.256', 28, 'dhcp_options option 28 (addresses): expects IPv4 addresses (comma-separated or a list), got "10.0.0.256"'],
  ['ip', '10.0.0.1,10.0.0.2', 16, 'dhcp_options option 16 (ip): expects one IPv4 address, got "10.0.0.1,10.0.0.2"'],
  ['string', '', 64, 'dhcp_options option 64 (string): expects a non-empty string'],
  ['string', { a: 1 }, 64, 'dhcp_options option 64 (string): expects a string, got {"a":1}'],
  ['bool', 'yes', 19, 'dhcp_options option 19 (bool): expects true or false, got "yes"'],
  ['hex', 'abc', 224, 'dhcp_options option 224 (hex): expects hex bytes like "01:af:ff" or "01afff", got "abc"'],
  ['base64', 'AQI', 224, 'dhcp_options option 224 (base64): expects base64, got "AQI"'],
  ['float', 1, 224, 'dhcp_options option 224 (float): unknown type "float" (one of string, uint8, uint16, uint32, int8, int16, int32, addresses, base64, ip, ips, bool, hex, bytes)'],
  ['uint8', 1, 53, 'dhcp_options option 53 (uint8): this option is set by the DHCP service and cannot be overridden'],
  ['uint8', 1, 0, 'dhcp_options option 0 (uint8): option code must be 1..254'],
  ['uint8', 1, 300, 'dhcp_options option 300 (uint8): option code must be 1..254'],
];

for (const [type, value, code, message] of bad) {
  test(`custom option ${type} ${JSON.stringify(value)} on ${code} is rejected`, () => {
    assert.equal(encodeCustomOption({ code, type, value }), { ok: false, error: { code: 'VQ_ERR_DHCP_OPTION', message } });
  });
}

test.run();
