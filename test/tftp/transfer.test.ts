// The per-transfer state machine, step by step: whole next state and effects.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, step, type TransferConfig, type TransferEffect, type TransferState } from '../../src/io/tftp/transfer.ts';

const cfg = (over: Partial<TransferConfig>): TransferConfig => ({
  size: 1000,
  blksize: 512,
  windowsize: 1,
  timeoutMs: 1000,
  retries: 3,
  oack: [],
  ...over,
});

const data = (block: number, offset: number, length: number, retransmit = false): TransferEffect => ({
  type: 'send-data',
  block,
  offset,
  length,
  retransmit,
});
const arm = (at: number): TransferEffect => ({ type: 'arm-timer', at });

test('lockstep without options: DATA 1..3, last one short, completes on the last ACK', () => {
  const c = cfg({ size: 1000 });
  let [s, fx] = start(c, 0);
  assert.equal(s, { config: c, phase: 'data', lastBlock: 2, acked: 0, sent: 1, attempts: 0, deadline: 1000 });
  assert.equal(fx, [data(1, 0, 512), arm(1000)]);
  [s, fx] = step(s, { type: 'ack', block: 1 }, 10);
  assert.equal(s, { config: c, phase: 'data', lastBlock: 2, acked: 1, sent: 2, attempts: 0, deadline: 1010 });
  assert.equal(fx, [data(2, 512, 488), arm(1010)]);
  [s, fx] = step(s, { type: 'ack', block: 2 }, 20);
  assert.equal(s.phase, 'done');
  assert.equal(fx, [{ type: 'finish', result: { outcome: 'completed', bytes: 1000 } }]);
  // Anything after the end is ignored.
  assert.equal(step(s, { type: 'ack', block: 2 }, 30), [s, []]);
});

test('size a multiple of blksize ends with a zero-length block', () => {
  let [s, fx] = start(cfg({ size: 1024 }), 0);
  assert.is(s.lastBlock, 3);
  [s, fx] = step(s, { type: 'ack', block: 1 }, 1);
  [s, fx] = step(s, { type: 'ack', block: 2 }, 2);
  assert.equal(fx, [data(3, 1024, 0), arm(1002)]);
  [s, fx] = step(s, { type: 'ack', block: 3 }, 3);
  assert.equal(fx, [{ type: 'finish', result: { outcome: 'completed', bytes: 1024 } }]);
});

test('empty file: one empty DATA block', () => {
  const [s, fx] = start(cfg({ size: 0 }), 0);
  assert.is(s.lastBlock, 1);
  assert.equal(fx, [data(1, 0, 0), arm(1000)]);
  assert.equal(step(s, { type: 'ack', block: 1 }, 5)[1], [{ type: 'finish', result: { outcome: 'completed', bytes: 0 } }]);
});

test('duplicate ACK is ignored (no Sorcerer\'s Apprentice resend)', () => {
  let [s] = start(cfg({ size: 2000 }), 0);
  [s] = step(s, { type: 'ack', block: 1 }, 10);
  const before = s;
  const [after, fx] = step(s, { type: 'ack', block: 1 }, 20);
  assert.equal(fx, []);
  assert.equal(after, before);
  // An ACK for a block never sent is ignored too.
  assert.equal(step(s, { type: 'ack', block: 3 }, 20), [before, []]);
});

test('timeout retransmits the unacknowledged block, waiting twice as long each time, then gives up after `retries`', () => {
  const c = cfg({ size: 2000, retries: 2 });
  let [s, fx] = start(c, 0);
  [s, fx] = step(s, { type: 'ack', block: 1 }, 100);
  assert.equal(fx, [data(2, 512, 512), arm(1100)]);
  // A stale timer (fired before the deadline) only re-arms.
  [s, fx] = step(s, { type: 'timer' }, 900);
  assert.equal(fx, [arm(1100)]);
  [s, fx] = step(s, { type: 'timer' }, 1100);
  assert.is(s.attempts, 1);
  assert.equal(fx, [data(2, 512, 512, true), arm(1100 + 2000)]);
  [s, fx] = step(s, { type: 'timer' }, 3100);
  assert.is(s.attempts, 2);
  assert.equal(fx, [data(2, 512, 512, true), arm(3100 + 4000)]);
  [s, fx] = step(s, { type: 'timer' }, 7100);
  assert.is(s.phase, 'done');
  assert.equal(fx, [{ type: 'finish', result: { outcome: 'failed', bytes: 512, reason: 'no ACK after 2 retransmissions' } }]);
});

test('backoff schedule: 1, 2, 4, 8, 16 and 32 timeouts of 1 s, 63 s in all (tftpd-hpa\'s), then the transfer fails', () => {
  let [s, fx] = start(cfg({ size: 100, retries: 5 }), 0);
  const timers: number[] = [];
  while (s.phase !== 'done') {
    const at = fx.find((e) => e.type === 'arm-timer');
    if (at?.type !== 'arm-timer') break;
    timers.push(at.at);
    [s, fx] = step(s, { type: 'timer' }, at.at);
  }
  assert.equal(timers, [1000, 3000, 7000, 15000, 31000, 63000]);
  assert.equal(fx, [{ type: 'finish', result: { outcome: 'failed', bytes: 0, reason: 'no ACK after 5 retransmissions' } }]);
});

test('progress resets the retry count and the backoff', () => {
  let [s] = start(cfg({ size: 2000, retries: 1 }), 0);
  [s] = step(s, { type: 'timer' }, 1000);
  assert.is(s.attempts, 1);
  assert.is(s.deadline, 3000);
  [s] = step(s, { type: 'ack', block: 1 }, 1500);
  assert.is(s.attempts, 0);
  assert.is(s.deadline, 2500); // timeoutMs again, not the doubled wait
  const [s2, fx] = step(s, { type: 'timer' }, 2500);
  assert.is(s2.phase, 'data');
  assert.equal(fx, [data(2, 512, 512, true), arm(4500)]);
});

test('window of 4: sends 4 blocks, a lost block gets an earlier ACK and the next window starts after it', () => {
  const c = cfg({ size: 10 * 100, blksize: 100, windowsize: 4 }); // 11 blocks, the last empty
  let [s, fx] = start(c, 0);
  assert.equal(fx, [data(1, 0, 100), data(2, 100, 100), data(3, 200, 100), data(4, 300, 100), arm(1000)]);
  assert.is(s.sent, 4);
  // Block 3 was lost: the client acknowledges 2 (RFC 7440 section 4).
  [s, fx] = step(s, { type: 'ack', block: 2 }, 10);
  assert.equal(s.acked, 2);
  assert.equal(fx, [data(3, 200, 100, true), data(4, 300, 100, true), data(5, 400, 100), data(6, 500, 100), arm(1010)]);
  assert.is(s.sent, 6);
  // The ACK for the full window.
  [s, fx] = step(s, { type: 'ack', block: 6 }, 20);
  assert.equal(fx, [data(7, 600, 100), data(8, 700, 100), data(9, 800, 100), data(10, 900, 100), arm(1020)]);
  // A late ACK from before the last progress is stale.
  assert.equal(step(s, { type: 'ack', block: 2 }, 25), [s, []]);
  [s, fx] = step(s, { type: 'ack', block: 10 }, 30);
  assert.equal(fx, [data(11, 1000, 0), arm(1030)]);
  [s, fx] = step(s, { type: 'ack', block: 11 }, 40);
  assert.equal(fx, [{ type: 'finish', result: { outcome: 'completed', bytes: 1000 } }]);
});

test('window of 4: a lost ACK times out and the whole window is resent', () => {
  let [s, fx] = start(cfg({ size: 800, blksize: 100, windowsize: 4 }), 0);
  [s, fx] = step(s, { type: 'timer' }, 1000);
  assert.equal(fx, [data(1, 0, 100, true), data(2, 100, 100, true), data(3, 200, 100, true), data(4, 300, 100, true), arm(3000)]);
  // The client answers both copies of the window: the second ACK 4 is a duplicate.
  [s, fx] = step(s, { type: 'ack', block: 4 }, 1001);
  assert.equal(fx.length, 5);
  assert.equal(step(s, { type: 'ack', block: 4 }, 1002), [s, []]);
});

test('OACK first; ACK 0 starts the data; a timeout waits on without sending the OACK again', () => {
  const oack: Array<[string, string]> = [['tsize', '1000'], ['blksize', '1468']];
  const c = cfg({ size: 1000, blksize: 1468, oack });
  let [s, fx] = start(c, 0);
  assert.equal(s, { config: c, phase: 'oack', lastBlock: 1, acked: 0, sent: 0, attempts: 0, deadline: 1000 });
  assert.equal(fx, [{ type: 'send-oack', options: oack }, arm(1000)]);
  // ACK of a data block during the handshake is noise.
  assert.equal(step(s, { type: 'ack', block: 1 }, 5), [s, []]);
  // atftp 0.8.0 aborts on a second OACK; the client repeats its RRQ or its ACK 0 instead.
  [s, fx] = step(s, { type: 'timer' }, 1000);
  assert.equal(fx, [arm(3000)]);
  [s, fx] = step(s, { type: 'ack', block: 0 }, 1500);
  assert.equal(s, { config: c, phase: 'data', lastBlock: 1, acked: 0, sent: 1, attempts: 0, deadline: 2500 });
  assert.equal(fx, [data(1, 0, 1000), arm(2500)]);
});

test('a repeated request: before ACK 0 the OACK goes out again (timer untouched); after it, nothing', () => {
  const oack: Array<[string, string]> = [['blksize', '100']];
  let [s, fx] = start(cfg({ size: 1000, blksize: 100, oack }), 0);
  [s, fx] = step(s, { type: 'rrq' }, 400);
  assert.equal(fx, [{ type: 'send-oack', options: oack }]);
  assert.is(s.deadline, 1000);
  [s, fx] = step(s, { type: 'ack', block: 0 }, 500);
  assert.equal(step(s, { type: 'rrq' }, 600), [s, []]);
});

test('no ACK 0 at all: the OACK phase fails after `retries` timeouts, having sent one OACK', () => {
  let [s, fx] = start(cfg({ size: 1000, retries: 2, oack: [['tsize', '1000']] }), 0);
  const sent = fx.filter((e) => e.type === 'send-oack').length;
  [s, fx] = step(s, { type: 'timer' }, 1000);
  [s, fx] = step(s, { type: 'timer' }, 3000);
  assert.equal(fx, [arm(7000)]);
  [s, fx] = step(s, { type: 'timer' }, 7000);
  assert.is(sent, 1);
  assert.equal(fx, [{ type: 'finish', result: { outcome: 'failed', bytes: 0, reason: 'no ACK of the OACK after 2 timeouts' } }]);
});

test('tsize probe: ERROR after the OACK finishes the transfer at once, no timer left', () => {
  const [s] = start(cfg({ size: 5_000_000, blksize: 1468, windowsize: 4, oack: [['tsize', '5000000'], ['blksize', '1468'], ['windowsize', '4']] }), 0);
  const [s2, fx] = step(s, { type: 'error', code: 8, message: 'User aborted the transfer' }, 3);
  assert.is(s2.phase, 'done');
  assert.equal(fx, [{ type: 'finish', result: { outcome: 'aborted', bytes: 0, code: 8, message: 'User aborted the transfer' } }]);
  assert.equal(step(s2, { type: 'timer' }, 1000), [s2, []]);
});

test('block numbers roll over 65535 -> 0 and ACKs are matched across the wrap', () => {
  const blocks = 65537; // blocks 1..65537, the last one (wire 1) short
  const c = cfg({ size: (blocks - 1) * 8 + 3, blksize: 8, windowsize: 1 });
  let [s] = start(c, 0);
  let fx: TransferEffect[] = [];
  const wire: number[] = [];
  for (let n = 1; n < blocks; n++) {
    [s, fx] = step(s, { type: 'ack', block: n & 0xffff }, n);
    const d = fx[0];
    if (d?.type === 'send-data' && n >= 65533) wire.push(d.block);
  }
  // After ACK 65535 comes DATA 0, then DATA 1 (the 65537th block).
  assert.equal(wire, [65534, 65535, 0, 1]);
  assert.equal(fx, [data(1, 65536 * 8, 3), arm(65536 + 1000)]);
  // ACK 1 now means block 65537 (the one in flight), not the first lap's block 1.
  [s, fx] = step(s, { type: 'ack', block: 1 }, 70000);
  assert.equal(fx, [{ type: 'finish', result: { outcome: 'completed', bytes: c.size } }]);
});

test('window straddling the wrap: ACK 65535 inside a window 65534..1 resends from 0', () => {
  const c = cfg({ size: 70000 * 8, blksize: 8, windowsize: 4 });
  let s: TransferState = { ...start(c, 0)[0], acked: 65533, sent: 65537 }; // blocks 65534, 65535, 0, 1 in flight
  let fx: TransferEffect[];
  [s, fx] = step(s, { type: 'ack', block: 65535 }, 10);
  assert.is(s.acked, 65535);
  assert.equal(fx, [data(0, 65535 * 8, 8, true), data(1, 65536 * 8, 8, true), data(2, 65537 * 8, 8), data(3, 65538 * 8, 8), arm(1010)]);
  [s, fx] = step(s, { type: 'ack', block: 3 }, 20);
  assert.is(s.acked, 65539);
});

test.run();
