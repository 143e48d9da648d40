// The two ways atftp 0.8.0 (Debian 12) used to fail against the server under
// random loss, replayed with a scripted receiver that follows atftp's rules
// (tftp_file.c, tftp_receive_file) and loses exactly the packets that matter.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTftpServer } from '../../src/io/tftp/server.ts';
import { decode, encode, type TftpPacket } from '../../src/io/tftp/packet.ts';
import type { TftpEvent } from '../../src/io/tftp/events.ts';
import { makeTree, waitFor, type Tree } from './support.ts';

/**
 * atftp 0.8.0's receive loop, non-multicast: it ACKs the last in-order block after
 * `windowsize` in-order blocks (or the last block); on a block out of order it sends one
 * "extra ACK" and ignores further out-of-order blocks until an in-order block or a
 * timeout; its timeout restarts on every packet received (a fresh select() per packet),
 * and a timeout repeats the ACK; a second OACK aborts the transfer ("unexpected OACK").
 */
class AtftpLikeReceiver {
  readonly socket: Socket = createSocket('udp4');
  readonly acksSent: number[] = [];
  private readonly blocks: Buffer[] = [];
  private last = 0;
  private extraAck = 0;
  private windowblock = 0;
  private oacks = 0;
  private timeouts = 0;
  private tid = 0;
  private timer: NodeJS.Timeout | undefined;
  outcome: 'running' | 'done' | string = 'running';

  constructor(
    private readonly windowsize: number,
    private readonly blksize: number,
    private readonly silenceMs: number,
    /** Whether the n-th ACK sent (0-based) is lost on the way. */
    private readonly lose: (n: number, block: number) => boolean,
  ) {}

  async start(port: number, file: string): Promise<void> {
    this.socket.on('message', (m, r) => this.onPacket(m, r.port));
    await new Promise<void>((res) => this.socket.bind(0, '127.0.0.1', res));
    const rrq: TftpPacket = { op: 'RRQ', filename: file, mode: 'octet', options: [['blksize', String(this.blksize)], ['windowsize', String(this.windowsize)]] };
    this.socket.send(encode(rrq), port, '127.0.0.1');
    this.rearm();
  }

  data(): Buffer {
    return Buffer.concat(this.blocks);
  }

  close(): void {
    clearTimeout(this.timer);
    this.socket.close();
  }

  private end(outcome: string): void {
    this.outcome = outcome;
    clearTimeout(this.timer);
  }

  private rearm(): void {
    clearTimeout(this.timer);
    if (this.outcome !== 'running') return;
    this.timer = setTimeout(() => {
      this.extraAck = 0;
      if (++this.timeouts > 5) return this.end('gave up: 5 timeouts');
      if (this.tid === 0) return this.rearm(); // no answer to the RRQ yet (not modelled: loopback)
      this.ack();
      this.rearm();
    }, this.silenceMs);
  }

  private ack(): void {
    this.windowblock = 0;
    const n = this.acksSent.length;
    this.acksSent.push(this.last);
    if (!this.lose(n, this.last)) this.socket.send(encode({ op: 'ACK', block: this.last }), this.tid, '127.0.0.1');
  }

  private onPacket(msg: Buffer, port: number): void {
    if (this.outcome !== 'running') return;
    const d = decode(msg);
    if (!d.ok) return;
    const p = d.packet;
    if (this.tid === 0) this.tid = port;
    if (port !== this.tid) return; // atftp connects its socket to the first TID
    this.timeouts = 0;
    if (p.op === 'OACK') {
      if (++this.oacks > 1) return this.end('unexpected OACK');
      this.ack();
    } else if (p.op === 'DATA') {
      if (p.block !== this.last + 1) {
        if (this.extraAck < 1) {
          this.extraAck++;
          this.ack();
        }
      } else {
        this.extraAck = 0;
        this.windowblock++;
        this.last = p.block;
        this.blocks.push(p.data);
        const final = p.data.length < this.blksize;
        if (this.windowblock >= this.windowsize || final) this.ack();
        if (final) return this.end('done');
      }
    } else if (p.op === 'ERROR') {
      return this.end(`error ${p.code} ${p.message}`);
    }
    this.rearm();
  }
}

let tree: Tree;
const file = randomBytes(39 * 512 + 100); // blocks 1..40 at blksize 512, five windows of 8
test.before(async () => {
  tree = await makeTree();
  await writeFile(join(tree.base, 'forty.bin'), file);
});
test.after(async () => {
  await rm(join(tree.base, 'forty.bin'), { force: true });
  await tree.cleanup();
});

/**
 * The server waits 20 ms, the receiver repeats an ACK after 100 ms without packets: the
 * same ratio as our 300 ms (or 1 s) against atftp's 5 s, compressed.
 */
async function fetchWith(lose: (n: number, block: number) => boolean): Promise<{ r: AtftpLikeReceiver; events: TftpEvent[] }> {
  const events: TftpEvent[] = [];
  const server = createTftpServer({ baseDir: tree.base, host: '127.0.0.1', port: 0, timeoutMs: 20, retries: 8, onEvent: (e) => events.push(e) });
  const { port } = await server.listen();
  const r = new AtftpLikeReceiver(8, 512, 100, lose);
  try {
    await r.start(port, 'forty.bin');
    await waitFor('the receiver to finish', () => r.outcome !== 'running', 20_000);
    await waitFor('the transfer to end', () => server.stats().transfers.active === 0, 20_000);
  } finally {
    r.close();
    await server.close();
  }
  return { r, events };
}

test('the ACK of a full window and the one "extra ACK" both lost: the server backs off until the receiver repeats its ACK', async () => {
  // ACK 8 lost; the server resends blocks 1..8; the receiver's extra ACK 8 lost too. From
  // then on it ignores every copy of blocks 1..8 and its timer restarts on each: only a
  // pause longer than its timeout makes it ACK again. A fixed 20 ms retransmission never
  // pauses that long, and the transfer failed (atftp: 2 of 20 runs under 5% loss).
  let lostEights = 0;
  const { r, events } = await fetchWith((_n, block) => block === 8 && lostEights++ < 2);
  assert.is(r.outcome, 'done');
  assert.equal(r.data(), file);
  assert.equal(r.acksSent.slice(0, 4), [0, 8, 8, 8]);
  assert.equal(
    events.map((e) => e.type),
    ['transfer-started', 'transfer-completed'],
  );
});

test('ACK 0 lost: the server does not send the OACK again (atftp aborts on a second one); the receiver repeats ACK 0', async () => {
  const { r, events } = await fetchWith((n) => n === 0);
  assert.is(r.outcome, 'done');
  assert.equal(r.data(), file);
  assert.equal(r.acksSent.slice(0, 2), [0, 0]);
  assert.equal(
    events.map((e) => e.type),
    ['transfer-started', 'transfer-completed'],
  );
});

test.run();
