// The asset server's pure parts as tables: Range parsing, conditional
// requests, /files path confinement, address normalisation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { agentAddrFor } from '../../src/agent/agent-address.ts';
import { configContentType } from '../../src/agent/config-content-type.ts';
import { plainAddress } from '../../src/io/http/address.ts';
import { etagOf, notModified, rangeAllowed } from '../../src/io/http/conditional.ts';
import { parseRange, type RangeResult } from '../../src/io/http/range.ts';
import { filePath, splitTarget } from '../../src/io/http/request-path.ts';

test('parseRange: one byte range by RFC 9110; several, unknown units and invalid specs are ignored', () => {
  const none: RangeResult = { kind: 'none' };
  const unsat: RangeResult = { kind: 'unsatisfiable' };
  const r = (start: number, end: number): RangeResult => ({ kind: 'range', start, end });
  const cases: [string | undefined, number, RangeResult][] = [
    [undefined, 100, none],
    ['bytes=0-99', 1000, r(0, 99)],
    ['bytes=10-', 1000, r(10, 999)],
    ['bytes=-100', 1000, r(900, 999)],
    ['bytes=-5000', 1000, r(0, 999)],
    ['bytes=990-5000', 1000, r(990, 999)],
    ['Bytes = 5-5', 1000, r(5, 5)],
    ['bytes=1000-', 1000, unsat],
    ['bytes=1000-1001', 1000, unsat],
    ['bytes=-0', 1000, unsat],
    ['bytes=0-', 0, unsat],
    ['bytes=-1', 0, unsat],
    ['bytes=5-4', 1000, none],
    ['bytes=-', 1000, none],
    ['bytes=a-b', 1000, none],
    ['bytes=0-1,3-4', 1000, none],
    ['items=0-1', 1000, none],
    ['0-1', 1000, none],
    ['bytes=99999999999999999999-', 1000, unsat],
  ];
  for (const [h, size, want] of cases) assert.equal(parseRange(h, size), want, `${h} / ${size}`);
});

test('conditional requests: weak comparison for If-None-Match, dates by the second, strong If-Range', () => {
  const mtimeMs = Date.parse('2026-01-02T03:04:05.678Z');
  const v = { etag: etagOf(4096, mtimeMs), mtimeMs };
  assert.is(v.etag, `"1000-${Math.floor(mtimeMs).toString(16)}"`);
  const lm = 'Fri, 02 Jan 2026 03:04:05 GMT';
  assert.ok(notModified(v.etag, undefined, v));
  assert.ok(notModified(`W/${v.etag}`, undefined, v));
  assert.ok(notModified(`"a", ${v.etag}`, undefined, v));
  assert.ok(notModified('*', undefined, v));
  assert.not.ok(notModified('"a"', lm, v), 'If-None-Match decides alone when present');
  assert.ok(notModified(undefined, lm, v));
  assert.ok(notModified(undefined, 'Sat, 03 Jan 2026 00:00:00 GMT', v));
  assert.not.ok(notModified(undefined, 'Fri, 02 Jan 2026 03:04:04 GMT', v));
  assert.not.ok(notModified(undefined, 'not a date', v));
  assert.not.ok(notModified(undefined, undefined, v));
  assert.ok(rangeAllowed(undefined, v));
  assert.ok(rangeAllowed(v.etag, v));
  assert.not.ok(rangeAllowed(`W/${v.etag}`, v));
  assert.not.ok(rangeAllowed('"other"', v));
  assert.ok(rangeAllowed(lm, v));
  assert.not.ok(rangeAllowed('Fri, 02 Jan 2026 03:04:06 GMT', v));
  assert.not.ok(rangeAllowed('garbage', v));
});

test('filePath: decoded once; NUL, absolute paths and .. segments refused; . and empty segments dropped', () => {
  const cases: [string, ReturnType<typeof filePath>][] = [
    ['a/b.img', { ok: true, segments: ['a', 'b.img'] }],
    ['a//./b.img', { ok: true, segments: ['a', 'b.img'] }],
    ['', { ok: true, segments: [] }],
    ['with%20space', { ok: true, segments: ['with space'] }],
    ['%252e%252e', { ok: true, segments: ['%2e%2e'] }],
    ['..x/y..', { ok: true, segments: ['..x', 'y..'] }],
    ['a\\..\\b', { ok: true, segments: ['a\\..\\b'] }],
    ['../etc/passwd', { ok: false, reason: 'dot-dot' }],
    ['a/../../b', { ok: false, reason: 'dot-dot' }],
    ['%2e%2e/x', { ok: false, reason: 'dot-dot' }],
    ['a%2f..%2fb', { ok: false, reason: 'dot-dot' }],
    ['/etc/passwd', { ok: false, reason: 'absolute' }],
    ['%2fetc', { ok: false, reason: 'absolute' }],
    ['a%00b', { ok: false, reason: 'nul' }],
    ['%e0%a4%a', { ok: false, reason: 'bad-encoding' }],
  ];
  for (const [raw, want] of cases) assert.equal(filePath(raw), want, raw);
  const t = splitTarget('/files/a%2fb?x=1&mac=00-00#frag');
  assert.is(t.path, '/files/a%2fb');
  assert.is(t.query.get('mac'), '00-00');
  assert.is(t.rawQuery, '?x=1&mac=00-00');
  assert.is(splitTarget('/files/a').rawQuery, '');
  assert.is(splitTarget('/ipxe#x').path, '/ipxe');
});

test('addresses: IPv4-mapped IPv6 is written as IPv4; wildcard and zoned link-local addresses fall back to the model', () => {
  assert.is(plainAddress('::ffff:10.0.0.5'), '10.0.0.5');
  assert.is(plainAddress('::FFFF:10.0.0.5'), '10.0.0.5');
  assert.is(plainAddress('fd00::5'), 'fd00::5');
  assert.is(plainAddress(undefined), '');
  assert.is(agentAddrFor('::ffff:10.100.0.2'), '10.100.0.2');
  assert.is(agentAddrFor('fd00::2'), 'fd00::2');
  assert.is(agentAddrFor('0.0.0.0'), undefined);
  assert.is(agentAddrFor('::'), undefined);
  assert.is(agentAddrFor('fe80::1%eth0'), undefined);
  assert.is(agentAddrFor(undefined), undefined);
});

test('config content types by asset type', () => {
  assert.is(configContentType('ignition', '{"ignition":{}}'), 'application/json');
  assert.is(configContentType('ignition', '---\nsystemd: {}\n'), 'text/yaml; charset=utf-8');
  assert.is(configContentType('cloud-config', '#cloud-config\n'), 'text/yaml; charset=utf-8');
  assert.is(configContentType('kickstart', 'text\n'), 'text/plain; charset=utf-8');
  assert.is(configContentType('untyped', 'x'), 'text/plain; charset=utf-8');
});

test.run();
