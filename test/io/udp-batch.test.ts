// The batched UDP port: real sockets on loopback. A client sends a burst in one
// tick, so the datagrams wait in the kernel together: recvmmsg reads them in
// one call, and what the handlers send goes out in one sendmmsg.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket, type Socket } from 'node:dgram';
import { openBatchedPort, RECV_BYTES, SEND_BYTES, type BatchedPort, type DatagramChannel, type Peer } from '../../src/io/udp-batch.ts';
import { until as untilWithin } from '../helpers/until.ts';

interface Client {
  socket: Socket;
  port: number;
  got: Buffer[];
}

async function client(): Promise<Client> {
  const socket = createSocket('udp4');
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, port: socket.address().port, got };
}

const until = (what: string, cond: () => boolean): Promise<true> => untilWithin(what, 3000, cond);

/** The text of every datagram `ch` is given, in order. */
function heard(ch: DatagramChannel): string[] {
  const texts: string[] = [];
  ch.on('message', (m) => texts.push(m.toString()));
  return texts;
}

/** A port on 127.0.0.1 whose other datagrams land in `other`; closed after `fn`. */
async function withPort(fn: (p: BatchedPort, port: number, other: Array<{ msg: Buffer; from: Peer }>, oversize: number[]) => Promise<void>, alwaysOther?: (m: Buffer) => boolean): Promise<void> {
  const other: Array<{ msg: Buffer; from: Peer }> = [];
  const oversize: number[] = [];
  const opened = await openBatchedPort('127.0.0.1', 0, { onOther: (msg, from) => other.push({ msg, from }), onOversize: (_f, n) => oversize.push(n), ...(alwaysOther ? { alwaysOther } : {}) });
  if ('unavailable' in opened) throw new Error(`batched port unavailable: ${opened.unavailable}`);
  try {
    await fn(opened, opened.address().port, other, oversize);
  } finally {
    await opened.close();
  }
}

test('a burst from a peer with a channel: every datagram reaches the channel in order, the echoes leave in one sendmmsg', async () => {
  await withPort(async (p, port) => {
    const c = await client();
    try {
      const ch = p.channel({ address: '127.0.0.1', port: c.port });
      const seen: string[] = [];
      ch.on('message', (msg, from) => {
        seen.push(msg.toString());
        assert.equal(from, { address: '127.0.0.1', port: c.port });
        ch.send([Buffer.from('re:'), Buffer.from(msg)], c.port, '127.0.0.1');
      });
      const sent = Array.from({ length: 100 }, (_, i) => `m${i}`);
      for (const m of sent) c.socket.send(m, port, '127.0.0.1');
      await until('100 echoes', () => c.got.length === 100);
      assert.equal(seen, sent);
      assert.equal(c.got.map(String), sent.map((m) => `re:${m}`));
      const st = p.stats();
      // recvmmsg read them all, more than one per wake-up (at least some came together).
      assert.is(st.drained, 100);
      assert.ok(st.bursts >= 1 && st.bursts < 100, `one wake-up per datagram: ${JSON.stringify(st)}`);
      assert.is(st.sendFailures, 0);
    } finally {
      c.socket.close();
    }
  });
});

test('peers without a channel go to onOther, with a copy of the bytes and their address; a closed channel sends its peer there too', async () => {
  await withPort(async (p, port, other) => {
    const a = await client();
    const b = await client();
    try {
      const ch = p.channel({ address: '127.0.0.1', port: a.port });
      const onA = heard(ch);
      a.socket.send('to-channel', port, '127.0.0.1');
      b.socket.send('to-other', port, '127.0.0.1');
      await until('both', () => onA.length === 1 && other.length === 1);
      assert.equal(other.map((o) => ({ msg: o.msg.toString(), from: o.from })), [{ msg: 'to-other', from: { address: '127.0.0.1', port: b.port } }]);
      assert.is(p.hasChannel({ address: '127.0.0.1', port: a.port }), true);
      ch.close();
      assert.is(p.hasChannel({ address: '127.0.0.1', port: a.port }), false);
      a.socket.send('after-close', port, '127.0.0.1');
      await until('after close', () => other.length === 2);
      assert.equal(other[1]!.from, { address: '127.0.0.1', port: a.port });
      assert.equal(onA, ['to-channel']);
      assert.throws(() => ch.send(Buffer.from('x'), a.port, '127.0.0.1'), /closed channel/);
    } finally {
      a.socket.close();
      b.socket.close();
    }
  });
});

test('alwaysOther: matching datagrams go to onOther even from a peer with a channel', async () => {
  await withPort(
    async (p, port, other) => {
      const c = await client();
      try {
        const onCh = heard(p.channel({ address: '127.0.0.1', port: c.port }));
        c.socket.send('!request', port, '127.0.0.1');
        c.socket.send('ack', port, '127.0.0.1');
        await until('both', () => onCh.length === 1 && other.length === 1);
        assert.equal({ ch: onCh, other: other.map((o) => o.msg.toString()) }, { ch: ['ack'], other: ['!request'] });
      } finally {
        c.socket.close();
      }
    },
    (m) => m[0] === 0x21,
  );
});

test('a send outside a burst leaves at the end of the loop turn, a longer one after it (order kept), one to another peer with them; callbacks are called', async () => {
  await withPort(async (p) => {
    const a = await client();
    const b = await client();
    try {
      const ch = p.channel({ address: '127.0.0.1', port: a.port });
      const long = Buffer.alloc(SEND_BYTES + 100, 7);
      const done: Array<Error | null> = [];
      ch.send(Buffer.from('outside'), a.port, '127.0.0.1', (err) => done.push(err));
      ch.send(long, a.port, '127.0.0.1');
      ch.send(Buffer.from('to-b'), b.port, '127.0.0.1', (err) => done.push(err));
      await until('all three', () => a.got.length === 2 && b.got.length === 1 && done.length === 2);
      assert.equal({ a: a.got.map((g) => g.length), b: b.got.map(String), done }, { a: [7, SEND_BYTES + 100], b: ['to-b'], done: [null, null] });
    } finally {
      a.socket.close();
      b.socket.close();
    }
  });
});

test('sendPrefixed: a 4-byte head and a slice of a body as one datagram, in order with the queued sends; a longer one goes alone, still in order', async () => {
  await withPort(async (p) => {
    const c = await client();
    try {
      const ch = p.channel({ address: '127.0.0.1', port: c.port });
      assert.type(ch.sendPrefixed, 'function');
      const body = Buffer.from('..payload..');
      ch.send(Buffer.from('first'), c.port, '127.0.0.1');
      ch.sendPrefixed?.(0x00030102, body, 2, 9);
      // Copied at the call: the batch leaves at the end of the turn, after this.
      body.fill(0);
      const big = Buffer.alloc(SEND_BYTES, 9);
      ch.sendPrefixed?.(0x00030103, big, 0, SEND_BYTES);
      await until('three', () => c.got.length === 3);
      assert.equal(c.got[0]!.toString(), 'first');
      assert.equal([...c.got[1]!], [0, 3, 1, 2, ...Buffer.from('payload')]);
      assert.equal({ length: c.got[2]!.length, head: [...c.got[2]!.subarray(0, 4)], tail: c.got[2]![SEND_BYTES + 3] }, { length: SEND_BYTES + 4, head: [0, 3, 1, 3], tail: 9 });
    } finally {
      c.socket.close();
    }
  });
});

test('a datagram longer than RECV_BYTES is dropped and counted, first of its burst or not', async () => {
  await withPort(async (p, port, other, oversize) => {
    const c = await client();
    try {
      c.socket.send(Buffer.alloc(RECV_BYTES + 1), port, '127.0.0.1'); // first of its burst
      c.socket.send(Buffer.alloc(10), port, '127.0.0.1');
      c.socket.send(Buffer.alloc(RECV_BYTES + 500), port, '127.0.0.1'); // later in the burst: truncated by recvmmsg too
      c.socket.send(Buffer.alloc(RECV_BYTES), port, '127.0.0.1'); // exactly the limit: taken
      await until('two taken, two dropped', () => other.length === 2 && oversize.length === 2);
      assert.equal(other.map((o) => o.msg.length), [10, RECV_BYTES]);
      assert.is(p.stats().oversize, 2);
    } finally {
      c.socket.close();
    }
  });
});

test('a second channel for the same peer is refused; IPv6 is not batched; a port in use rejects', async () => {
  await withPort(async (p, port) => {
    p.channel({ address: '127.0.0.1', port: 40000 });
    assert.throws(() => p.channel({ address: '127.0.0.1', port: 40000 }), /has a channel already/);
    assert.equal(await openBatchedPort('::1', 0, { onOther: () => undefined }), { unavailable: 'batched UDP is IPv4 only (::1)' });
    let err: unknown;
    try {
      await openBatchedPort('127.0.0.1', port, { onOther: () => undefined });
    } catch (e) {
      err = e;
    }
    assert.match(String(err), /EADDRINUSE/);
  });
});

test('what a handler queues (promise jobs, nextTick) runs in the same turn of the loop; a handler that throws is an uncaught exception, and the port reads on', async () => {
  await withPort(async (p, port, other) => {
    const c = await client();
    const order: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      // The handler runs from libuv, outside node's callback scope: its jobs must not wait
      // for the next node callback, which here would be a timer (until() polls every 20 ms).
      const ch = p.channel({ address: '127.0.0.1', port: c.port });
      let handled = 0;
      const waited: number[] = [];
      ch.on('message', (msg) => {
        if (msg.toString() === 'throw') throw new Error('handler failed');
        handled = performance.now();
        void Promise.resolve().then(() => order.push('promise'));
        process.nextTick(() => {
          order.push('tick');
          waited.push(performance.now() - handled);
        });
      });
      for (let i = 0; i < 5; i++) {
        c.socket.send('jobs', port, '127.0.0.1');
        await until('jobs', () => order.length === 2 * (i + 1));
      }
      assert.equal(order.slice(0, 2), ['tick', 'promise']);
      // Fifty times under the poll interval; 5 ms leaves room for a slow machine.
      console.log("WAITED", waited); assert.ok(Math.max(...waited) < 5, `jobs waited ${waited.map((w) => w.toFixed(2)).join(', ')} ms`);
      c.socket.send('throw', port, '127.0.0.1');
      await until('uncaught', () => uncaught.length === 1);
      assert.match(String(uncaught[0]), /handler failed/);
      ch.close();
      c.socket.send('after', port, '127.0.0.1');
      await until('read on', () => other.length === 1);
      assert.is(other[0]!.msg.toString(), 'after');
    } finally {
      process.off('uncaughtException', onUncaught);
      c.socket.close();
    }
  });
});

test('send: to an address that is not IPv4, or once closed, the callback gets an error; close frees the port', async () => {
  const opened = await openBatchedPort('127.0.0.1', 0, { onOther: () => undefined });
  if ('unavailable' in opened) throw new Error(`batched port unavailable: ${opened.unavailable}`);
  const { port } = opened.address();
  const errors: Array<Error | null> = [];
  opened.send(Buffer.from('x'), 69, '::1', (err) => errors.push(err));
  await opened.close();
  await opened.close(); // twice: nothing more
  opened.send(Buffer.from('x'), 69, '127.0.0.1', (err) => errors.push(err));
  await until('two callbacks', () => errors.length === 2);
  assert.match(String(errors[0]), /IPv4 addresses only/);
  assert.match(String(errors[1]), /closed port/);
  const again = await openBatchedPort('127.0.0.1', port, { onOther: () => undefined });
  if ('unavailable' in again) throw new Error(again.unavailable);
  assert.is(again.address().port, port);
  await again.close();
});

test('a socket error libuv reports stops the port and says so (onStopped); close still works', async () => {
  // IP_RECVERR: the kernel reports ICMP errors on an unconnected socket too, so a datagram
  // to a closed port comes back as an error on ours (EPOLLERR), which stops libuv's watch.
  const IPPROTO_IP = 0;
  const IP_RECVERR = 11;
  const one = Buffer.alloc(4);
  one.writeInt32LE(1);
  const stopped: Error[] = [];
  const opened = await openBatchedPort('127.0.0.1', 0, { onOther: () => undefined, onStopped: (err) => stopped.push(err) }, (c, fd) => c.setsockopt(fd, IPPROTO_IP, IP_RECVERR, one, 4) === 0);
  if ('unavailable' in opened) throw new Error(opened.unavailable);
  try {
    const gone = await client();
    const port = gone.port;
    gone.socket.close();
    opened.send(Buffer.from('to nobody'), port, '127.0.0.1');
    await until('stopped', () => stopped.length === 1);
    assert.match(String(stopped[0]), /^Error: poll: E[A-Z]+/);
  } finally {
    await opened.close();
  }
});

test.run();
