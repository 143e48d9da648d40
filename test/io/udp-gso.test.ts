// UDP segmentation offload through koffi: real sockets on loopback, the receiver
// an ordinary dgram socket that must see separate datagrams.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket, type Socket } from 'node:dgram';
import { release } from 'node:os';
import { loadUdpGso, type UdpGso } from '../../src/io/udp-gso.ts';
import { until } from '../helpers/until.ts';

let gso: UdpGso;
let receiver: Socket;
let port: number;
const got: Array<{ data: Buffer; port: number }> = [];

test.before(async () => {
  // UDP_SEGMENT is in every kernel since 4.18; CI and the agents run newer ones.
  const [major = 0, minor = 0] = release().split('.').map(Number);
  assert.ok(major > 4 || (major === 4 && minor >= 18), `kernel ${release()} predates UDP GSO`);
  const loaded = await loadUdpGso('127.0.0.1');
  if ('unavailable' in loaded) throw new Error(`UDP GSO unavailable: ${loaded.unavailable}`);
  gso = loaded;
  receiver = createSocket('udp4');
  receiver.on('message', (data, r) => got.push({ data, port: r.port }));
  await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
  port = receiver.address().port;
});
test.after(() => {
  receiver.close();
});

const END = Buffer.from('END');

/**
 * What reached the receiver from `s` before a marker sent after it: datagrams from one
 * socket to another on loopback arrive in order, so once the marker is in, everything the
 * test sent is too (and anything beyond it would show).
 */
async function received(s: Socket): Promise<Array<{ data: Buffer; port: number }>> {
  s.send(END, port, '127.0.0.1');
  await until('the end marker', 3000, () => got.some((g) => g.data.equals(END)));
  const all = got.splice(0);
  return all.slice(0, all.findIndex((g) => g.data.equals(END)));
}

const send = (s: Socket, b: Buffer): Promise<Error | null> =>
  new Promise((resolve) => s.send(b, port, '127.0.0.1', (err) => resolve(err)));

test('one send of 3.5 segments arrives as four datagrams, in order, from the bound port', async () => {
  const { socket } = await gso.bind('127.0.0.1', 100, {});
  try {
    const payload = Buffer.from(Array.from({ length: 350 }, (_, i) => i % 256));
    assert.is(await send(socket, payload), null);
    const local = socket.address().port;
    assert.equal(await received(socket), [0, 100, 200, 300].map((o) => ({ data: payload.subarray(o, Math.min(o + 100, 350)), port: local })));
  } finally {
    socket.close();
  }
});

test('a send no longer than the segment is one datagram; after unsegment a long send is one datagram too', async () => {
  const { socket, unsegment } = await gso.bind('127.0.0.1', 100, {});
  try {
    assert.is(await send(socket, Buffer.alloc(60, 1)), null);
    assert.equal((await received(socket)).map((g) => g.data.length), [60]);
    assert.is(unsegment(), true);
    assert.is(await send(socket, Buffer.alloc(350, 2)), null);
    assert.equal((await received(socket)).map((g) => g.data.length), [350]);
  } finally {
    socket.close();
  }
});

test('more segments than the kernel takes in one send: the send fails with an error, nothing arrives', async () => {
  const { socket } = await gso.bind('127.0.0.1', 8, {});
  try {
    const err = await send(socket, Buffer.alloc(8 * 200));
    assert.instance(err, Error);
    assert.equal(await received(socket), []);
  } finally {
    socket.close();
  }
});

test('bind to something that is not an IP address rejects and leaks no descriptor', async () => {
  const before = (await import('node:fs')).readdirSync('/proc/self/fd').length;
  for (let i = 0; i < 20; i++) {
    try {
      await gso.bind('no-such-host', 1472, {});
      assert.unreachable('bound to a name');
    } catch (err) {
      assert.match(String(err), 'not an IP address: no-such-host');
    }
  }
  assert.is((await import('node:fs')).readdirSync('/proc/self/fd').length, before);
});

test('an IPv6 segmenting socket on ::1 splits the same way', async () => {
  const r6 = createSocket('udp6');
  const seen: number[] = [];
  r6.on('message', (d) => seen.push(d.length));
  await new Promise<void>((r) => r6.bind(0, '::1', r));
  const { socket } = await gso.bind('::1', 500, {});
  try {
    await new Promise<void>((resolve, reject) => socket.send(Buffer.alloc(1200), r6.address().port, '::1', (err) => (err ? reject(err) : resolve())));
    await until('three datagrams', 3000, () => seen.length >= 3);
    assert.equal(seen, [500, 500, 200]);
  } finally {
    socket.close();
    r6.close();
  }
});

test.run();
