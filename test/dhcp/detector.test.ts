import { createSocket } from 'node:dgram';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRogueDetector, inspectReply, type RogueState } from '../../src/io/dhcp/detector.ts';
import type { DhcpEvent } from '../../src/io/dhcp/events.ts';
import { type DhcpPacket, encode } from '../../src/io/dhcp/packet.ts';
import { until } from './support/lab.ts';

const offer = (serverId: string | undefined, op = 2): DhcpPacket => ({
  op, htype: 1, hlen: 6, hops: 0, xid: 7, secs: 0, flags: 0x8000,
  ciaddr: '0.0.0.0', yiaddr: '10.0.0.50', siaddr: '0.0.0.0', giaddr: '0.0.0.0',
  chaddr: '52:54:00:00:00:07', sname: '', file: '',
  options: serverId ? { messageType: 2, serverId } : { messageType: 2 },
});
const ours = new Set(['10.0.0.1']);

test('inspectReply: foreign server warned once per interval, ours and requests ignored', () => {
  let state: RogueState = new Map();
  const seen: Array<DhcpEvent | undefined> = [];
  const step = (p: DhcpPacket, from: string, now: number): void => {
    const [next, e] = inspectReply(state, p, from, ours, now, 60_000);
    state = next;
    seen.push(e);
  };
  step(offer('10.0.0.1'), '10.0.0.1', 1000); // ours
  step(offer('10.0.0.9'), '10.0.0.9', 1000); // rogue: warn
  step(offer('10.0.0.9'), '10.0.0.9', 30_000); // within the interval: quiet
  step(offer('10.0.0.9', 1), '10.0.0.9', 90_000); // a BOOTREQUEST is not a server
  step(offer(undefined), '10.0.0.8', 90_000); // no server id: the sender is named
  step(offer('10.0.0.9'), '10.0.0.9', 61_000); // interval passed: warn again
  assert.equal(seen, [
    undefined,
    { type: 'dhcp.rogue-server', at: 1000, from: '10.0.0.9', serverId: '10.0.0.9', mac: '52:54:00:00:00:07', reason: 'OFFER' },
    undefined,
    undefined,
    { type: 'dhcp.rogue-server', at: 90_000, from: '10.0.0.8', serverId: '10.0.0.8', mac: '52:54:00:00:00:07', reason: 'OFFER' },
    { type: 'dhcp.rogue-server', at: 61_000, from: '10.0.0.9', serverId: '10.0.0.9', mac: '52:54:00:00:00:07', reason: 'OFFER' },
  ]);
});

test('detector over real UDP: a foreign OFFER raises one event, garbage and our own replies none', async () => {
  const events: DhcpEvent[] = [];
  const d = createRogueDetector({ ours: ['127.0.0.2'], port: 0, address: '127.0.0.1', onEvent: (e) => events.push(e), now: () => 5 });
  assert.ok(await d.start());
  const sender = createSocket('udp4');
  try {
    const port = d.boundPort() ?? 0;
    const send = (b: Buffer): Promise<void> => new Promise((r) => sender.send(b, port, '127.0.0.1', () => r()));
    await send(Buffer.from('garbage'));
    await send(encode(offer('127.0.0.2')));
    await send(encode(offer('192.0.2.7')));
    await send(encode(offer('192.0.2.7')));
    await until('a rogue-server event', 5000, () => events.length > 0);
    // A marker reply after the others proves the second rogue OFFER was processed and suppressed.
    await send(encode(offer('192.0.2.8')));
    await until('the marker event', 5000, () => events.length > 1);
    assert.equal(events.map((e) => e.serverId), ['192.0.2.7', '192.0.2.8']);
  } finally {
    sender.close();
    await d.close();
  }
});

test('detector start resolves false when the port is taken', async () => {
  const holder = createSocket('udp4');
  await new Promise<void>((r) => holder.bind({ port: 0, address: '127.0.0.1' }, () => r()));
  try {
    const d = createRogueDetector({ ours: [], port: holder.address().port, address: '127.0.0.1', onEvent: () => undefined });
    assert.is(await d.start(), false);
    assert.is(d.boundPort(), undefined);
    await d.close();
  } finally {
    holder.close();
  }
});

test.run();
