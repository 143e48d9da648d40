// Option negotiation (RFC 2347/2348/2349/7440): what is granted, clamped or ignored.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { negotiate } from '../../src/io/tftp/options.ts';

const limits = { maxBlksize: 65464, maxWindowsize: 64 };

test('UEFI probe options: tsize answered with the real size, blksize and windowsize granted', () => {
  assert.equal(negotiate([['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']], 1_048_576, limits), {
    blksize: 1468,
    windowsize: 4,
    oack: [['tsize', '1048576'], ['blksize', '1468'], ['windowsize', '4']],
    ignored: [],
  });
});

test('empty file: tsize is not acknowledged (curl rejects tsize 0 in an OACK)', () => {
  assert.equal(negotiate([['tsize', '0'], ['blksize', '1468']], 0, limits), {
    blksize: 1468,
    windowsize: 1,
    oack: [['blksize', '1468']],
    ignored: [{ name: 'tsize', value: '0', reason: 'empty file: tsize 0 is refused by curl' }],
  });
});

test('no options: RFC 1350 defaults and no OACK', () => {
  assert.equal(negotiate([], 10, limits), { blksize: 512, windowsize: 1, oack: [], ignored: [] });
});

test('timeout is echoed (RFC 2349) and sets the retransmission timeout', () => {
  assert.equal(negotiate([['timeout', '3']], 10, limits), { blksize: 512, windowsize: 1, timeoutMs: 3000, oack: [['timeout', '3']], ignored: [] });
});

test('values above the limits are clamped; the OACK carries the granted value', () => {
  assert.equal(negotiate([['blksize', '70000'], ['windowsize', '1000']], 10, limits).oack, [['blksize', '65464'], ['windowsize', '64']]);
  assert.equal(negotiate([['blksize', '65464']], 10, limits).blksize, 65464);
  assert.equal(negotiate([['blksize', '9000']], 10, { maxBlksize: 1468, maxWindowsize: 1 }).oack, [['blksize', '1468']]);
});

test('bad values and unknown options are ignored, never acknowledged', () => {
  const n = negotiate(
    [['blksize', '7'], ['windowsize', '0'], ['timeout', '256'], ['tsize', 'abc'], ['multicast', ''], ['utimeout', '5000']],
    10,
    limits,
  );
  assert.equal(n.blksize, 512);
  assert.equal(n.windowsize, 1);
  assert.equal(n.timeoutMs, undefined);
  assert.equal(n.oack, []);
  assert.equal(n.ignored.map((i) => i.name), ['blksize', 'windowsize', 'timeout', 'tsize', 'multicast', 'utimeout']);
  for (const v of ['1e3', '0x10', ' 512', '-1', '', '12345678901']) {
    assert.equal(negotiate([['blksize', v]], 10, limits).oack, [], `blksize "${v}"`);
  }
});

test('a repeated option counts once (the first)', () => {
  const n = negotiate([['blksize', '1024'], ['blksize', '2048']], 10, limits);
  assert.equal(n.blksize, 1024);
  assert.equal(n.oack, [['blksize', '1024']]);
  assert.equal(n.ignored, [{ name: 'blksize', value: '2048', reason: 'repeated option' }]);
});

test.run();
