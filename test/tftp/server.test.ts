// The server over real UDP on loopback, driven packet by packet: the UEFI size
// probe, foreign TIDs, malformed and repeated requests, limits, shutdown.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTftpServer, type TftpServer, type TftpServerOptions } from '../../src/io/tftp/server.ts';
import { decode, encode, type TftpPacket } from '../../src/io/tftp/packet.ts';
import type { TftpEvent } from '../../src/io/tftp/events.ts';
import { isVaqueroError } from '../../src/errors.ts';
import { makeTree, sha256, waitFor, type Tree } from './support.ts';

interface Received {
  packet: TftpPacket;
  port: number;
}

/** A UDP peer that queues what it receives, for step-by-step exchanges. */
class Peer {
  readonly socket: Socket = createSocket('udp4');
  readonly inbox: Received[] = [];
  async open(): Promise<this> {
    this.socket.on('message', (m, r) => {
      const d = decode(m);
      if (d.ok) this.inbox.push({ packet: d.packet, port: r.port });
    });
    await new Promise<void>((res) => this.socket.bind(0, '127.0.0.1', res));
    return this;
  }
  send(p: TftpPacket | Buffer, port: number): void {
    this.socket.send(Buffer.isBuffer(p) ? p : encode(p), port, '127.0.0.1');
  }
  async next(ms = 3000): Promise<Received> {
    await waitFor('a packet', () => this.inbox.length > 0, ms);
    const r = this.inbox.shift();
    if (!r) throw new Error('unreachable');
    return r;
  }
  close(): void {
    this.socket.close();
  }
}

let tree: Tree;
test.before(async () => {
  tree = await makeTree();
});
test.after(async () => {
  await tree.cleanup();
});

async function withServer(opts: Partial<TftpServerOptions>, fn: (port: number, s: TftpServer, events: TftpEvent[]) => Promise<void>): Promise<void> {
  const events: TftpEvent[] = [];
  const s = createTftpServer({ baseDir: tree.base, host: '127.0.0.1', port: 0, onEvent: (e) => events.push(e), ...opts });
  try {
    const { port } = await s.listen();
    await fn(port, s, events);
  } finally {
    await s.close();
  }
}

const rrq = (filename: string, options: Array<[string, string]> = [], mode = 'octet'): TftpPacket => ({ op: 'RRQ', filename, mode, options });

test('UEFI size probe: OACK with the real size, then the client ERROR ends the transfer at once', async () => {
  // A 10 s timeout: if the abort were only noticed by the timer, the 2 s poll below would fail.
  await withServer({ timeoutMs: 10_000 }, async (port, s, events) => {
    const c = await new Peer().open();
    try {
      c.send(rrq('snponly.efi', [['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']]), port);
      const oack = await c.next();
      assert.equal(oack.packet, { op: 'OACK', options: [['tsize', '200000'], ['blksize', '1468'], ['windowsize', '4']] });
      assert.is.not(oack.port, port); // a new TID, not the listener (RFC 1350 section 4)
      c.send({ op: 'ERROR', code: 8, message: 'User aborted the transfer' }, oack.port);
      await waitFor('the transfer to end', () => s.stats().transfers.active === 0, 2000);
      const last = events[events.length - 1];
      assert.equal(last && { ...last, durationMs: 0 }, {
        type: 'transfer-aborted',
        client: { address: '127.0.0.1', port: c.socket.address().port },
        file: 'snponly.efi',
        bytes: 0,
        durationMs: 0,
        code: 8,
        message: 'User aborted the transfer',
      });
      assert.equal(s.stats().transfers, { started: 1, active: 0, completed: 0, aborted: 1, failed: 0, refused: 0 });
    } finally {
      c.close();
    }
  });
});

test('lockstep with every ACK sent twice: each DATA block goes out exactly once (no Sorcerer\'s Apprentice)', async () => {
  await withServer({ timeoutMs: 10_000 }, async (port, s) => {
    const c = await new Peer().open();
    try {
      c.send(rrq('exact512.bin'), port); // 4 full blocks + an empty one
      const got: Buffer[] = [];
      for (;;) {
        const r = await c.next();
        assert.is(r.packet.op, 'DATA');
        if (r.packet.op !== 'DATA') break;
        got.push(r.packet.data);
        c.send({ op: 'ACK', block: r.packet.block }, r.port);
        c.send({ op: 'ACK', block: r.packet.block }, r.port);
        if (r.packet.data.length < 512) break;
      }
      assert.is(sha256(Buffer.concat(got)), tree.files['exact512.bin']);
      assert.equal(got.map((b) => b.length), [512, 512, 512, 512, 0]);
      await waitFor('completion', () => s.stats().transfers.completed === 1);
      assert.is(s.stats().packetsOut.DATA, 5);
      assert.is(s.stats().retransmits, 0);
      assert.is(c.inbox.length, 0);
    } finally {
      c.close();
    }
  });
});

test('lock-step transfers run on the listening port (batchedPort, the default) or on a port of their own (batchedPort: false); transfer-started names the TID', async () => {
  for (const batchedPort of [true, false]) {
    await withServer({ timeoutMs: 10_000, batchedPort }, async (port, s, events) => {
      const c = await new Peer().open();
      try {
        c.send(rrq('text.txt'), port);
        const d1 = await c.next();
        assert.equal(d1.packet, { op: 'DATA', block: 1, data: Buffer.from('#!ipxe\nchain http://10.0.0.1/ipxe\r\n') });
        assert.is(d1.port === port, batchedPort, `TID ${d1.port}, listener ${port}`);
        const started = events.find((e) => e.type === 'transfer-started');
        assert.is(started?.type === 'transfer-started' && started.serverPort, d1.port);
        c.send({ op: 'ACK', block: 1 }, d1.port);
        await waitFor('completion', () => s.stats().transfers.completed === 1);
      } finally {
        c.close();
      }
    });
  }
});

test('a packet from a foreign TID gets ERROR 5 and the transfer goes on', async () => {
  await withServer({ timeoutMs: 10_000 }, async (port, s) => {
    const c = await new Peer().open();
    const stranger = await new Peer().open();
    try {
      c.send(rrq('text.txt'), port);
      const d1 = await c.next();
      stranger.send({ op: 'ACK', block: 1 }, d1.port);
      assert.equal((await stranger.next()).packet, { op: 'ERROR', code: 5, message: 'Unknown transfer ID' });
      c.send({ op: 'ACK', block: 1 }, d1.port);
      await waitFor('completion', () => s.stats().transfers.completed === 1);
      assert.is(s.stats().unknownTid, 1);
    } finally {
      c.close();
      stranger.close();
    }
  });
});

test('malformed packets are dropped and counted, on the listener and on a transfer socket', async () => {
  await withServer({ timeoutMs: 10_000 }, async (port, s, events) => {
    const c = await new Peer().open();
    try {
      c.send(Buffer.from([0]), port);
      c.send(Buffer.from([0, 9, 1, 2]), port);
      c.send(Buffer.from('\x00\x01no-nul', 'latin1'), port);
      await waitFor('3 drops', () => s.stats().malformed === 3);
      assert.equal(
        events.map((e) => e.type === 'malformed-dropped' && e.reason.split(':')[0]),
        ['truncated', 'unknown-opcode', 'missing-nul'],
      );
      c.send(rrq('text.txt'), port);
      const d1 = await c.next();
      assert.is(d1.packet.op, 'DATA');
      c.send(Buffer.from([0, 4, 0]), d1.port);
      await waitFor('4 drops', () => s.stats().malformed === 4);
      assert.equal(events[events.length - 1], { type: 'malformed-dropped', client: { address: '127.0.0.1', port: c.socket.address().port }, reason: 'truncated: ACK: 3 bytes, no block number' });
      c.send({ op: 'ACK', block: 1 }, d1.port);
      await waitFor('completion', () => s.stats().transfers.completed === 1);
      assert.is(s.stats().packetsIn.unknown, 1);
    } finally {
      c.close();
    }
  });
});

test('an RRQ repeated after the transfer answered starts a second TID; the client\'s ERROR 5 ends it (RFC 1350 section 4)', async () => {
  await withServer({ timeoutMs: 10_000 }, async (port, s) => {
    const c = await new Peer().open();
    try {
      c.send(rrq('text.txt'), port);
      const first = await c.next();
      c.send(rrq('text.txt'), port);
      const second = await c.next();
      assert.is(second.packet.op, 'DATA');
      assert.is.not(second.port, first.port);
      c.send({ op: 'ERROR', code: 5, message: 'Unknown transfer ID' }, second.port);
      c.send({ op: 'ACK', block: 1 }, first.port);
      await waitFor('both ended', () => s.stats().transfers.active === 0);
      assert.equal(s.stats().transfers, { started: 2, active: 0, completed: 1, aborted: 1, failed: 0, refused: 0 });
    } finally {
      c.close();
    }
  });
});

test('an RRQ repeated while its transfer waits for ACK 0 (the OACK was lost) gets the same OACK from the same TID, no second transfer', async () => {
  await withServer({ timeoutMs: 10_000 }, async (port, s) => {
    const c = await new Peer().open();
    try {
      const req = rrq('text.txt', [['blksize', '1468']]);
      c.send(req, port);
      const first = await c.next();
      c.send(req, port);
      const again = await c.next();
      assert.equal(again, first);
      assert.equal(first.packet, { op: 'OACK', options: [['blksize', '1468']] });
      c.send({ op: 'ACK', block: 0 }, first.port);
      const d1 = await c.next();
      assert.equal(d1, { packet: { op: 'DATA', block: 1, data: Buffer.from('#!ipxe\nchain http://10.0.0.1/ipxe\r\n') }, port: first.port });
      c.send({ op: 'ACK', block: 1 }, first.port);
      await waitFor('completion', () => s.stats().transfers.active === 0);
      assert.equal(s.stats().transfers, { started: 1, active: 0, completed: 1, aborted: 0, failed: 0, refused: 0 });
      assert.equal({ oack: s.stats().packetsOut.OACK, retransmits: s.stats().retransmits }, { oack: 2, retransmits: 1 });
    } finally {
      c.close();
    }
  });
});

test('refusals: WRQ -> 2, mode "mail" -> 4, missing -> 1, too many transfers -> 0', async () => {
  await withServer({ maxTransfers: 1, timeoutMs: 10_000 }, async (port, s) => {
    const a = await new Peer().open();
    const b = await new Peer().open();
    try {
      a.send({ op: 'WRQ', filename: 'x', mode: 'octet', options: [] }, port);
      assert.equal((await a.next()).packet, { op: 'ERROR', code: 2, message: 'Read-only server' });
      a.send(rrq('text.txt', [], 'mail'), port);
      assert.equal((await a.next()).packet, { op: 'ERROR', code: 4, message: 'Only octet and netascii modes' });
      a.send(rrq('nothing-here'), port);
      assert.equal((await a.next()).packet, { op: 'ERROR', code: 1, message: 'File not found' });
      a.send(rrq('snponly.efi'), port); // holds the one slot (never acknowledged)
      assert.is((await a.next()).packet.op, 'DATA');
      b.send(rrq('text.txt'), port);
      assert.equal((await b.next()).packet, { op: 'ERROR', code: 0, message: 'Server busy' });
      assert.equal(s.stats().transfers, { started: 1, active: 1, completed: 0, aborted: 0, failed: 0, refused: 4 });
    } finally {
      a.close();
      b.close();
    }
  });
});

test('a large file (read a chunk at a time) that shrinks during the transfer ends it with ERROR 0, never a short file reported as complete', async () => {
  const path = join(tree.base, 'shrinks.bin');
  // blksize 65464: a chunk holds two blocks. The first read (blocks 1-2) and the one ahead
  // of it (3-4) may run before or after the truncation, which keeps their bytes; the read
  // of 5-6 starts after it (when block 3 is sent) and finds the file short.
  await writeFile(path, Buffer.alloc(5 * 65464, 7));
  await withServer({ timeoutMs: 10_000, smallFiles: { totalBytes: 0 } }, async (port, s, events) => {
    const c = await new Peer().open();
    try {
      c.send(rrq('shrinks.bin', [['blksize', '65464']]), port);
      const oack = await c.next();
      assert.equal(oack.packet, { op: 'OACK', options: [['blksize', '65464']] });
      c.send({ op: 'ACK', block: 0 }, oack.port);
      const d1 = await c.next();
      assert.is(d1.packet.op === 'DATA' && d1.packet.data.length, 65464);
      await truncate(path, 4 * 65464 + 600);
      for (const block of [2, 3, 4]) {
        c.send({ op: 'ACK', block: block - 1 }, d1.port);
        const d = await c.next();
        assert.is(d.packet.op === 'DATA' && d.packet.block, block);
      }
      c.send({ op: 'ACK', block: 4 }, d1.port);
      const err = await c.next();
      assert.is(err.packet.op, 'ERROR');
      assert.match(err.packet.op === 'ERROR' ? err.packet.message : '', /^read error: file shorter than its size at open/);
      await waitFor('the transfer to end', () => s.stats().transfers.active === 0);
      assert.equal(
        events.map((e) => e.type),
        ['transfer-started', 'transfer-failed'],
      );
    } finally {
      c.close();
    }
  });
});

/** Fetches `file` lock-step at blksize 512 and returns the bytes. */
async function fetch(c: Peer, port: number, file: string): Promise<Buffer> {
  c.send(rrq(file), port);
  const got: Buffer[] = [];
  for (let block = 1; ; block++) {
    const d = await c.next();
    if (d.packet.op !== 'DATA') throw new Error(`expected DATA ${block}, got ${JSON.stringify(d.packet)}`);
    assert.is(d.packet.block, block);
    got.push(d.packet.data);
    c.send({ op: 'ACK', block }, d.port);
    if (d.packet.data.length < 512) return Buffer.concat(got);
  }
}

test('a small file is read whole at the start: one that changes during the transfer is served as it was', async () => {
  const path = join(tree.base, 'changes.bin');
  await writeFile(path, Buffer.alloc(4096, 7));
  await withServer({ timeoutMs: 10_000 }, async (port, s, events) => {
    const c = await new Peer().open();
    try {
      c.send(rrq('changes.bin'), port);
      const got: Buffer[] = [];
      let d = await c.next();
      await truncate(path, 4 * 65464 + 600);
      for (let block = 1; ; block++) {
        assert.ok(d.packet.op === 'DATA' && d.packet.block === block);
        if (d.packet.op !== 'DATA') break;
        got.push(d.packet.data);
        c.send({ op: 'ACK', block }, d.port);
        if (d.packet.data.length < 512) break;
        d = await c.next();
      }
      assert.equal(Buffer.concat(got), Buffer.alloc(4096, 7));
      await waitFor('the transfer to end', () => s.stats().transfers.active === 0);
      assert.equal(events.map((e) => e.type), ['transfer-started', 'transfer-completed']);
    } finally {
      c.close();
    }
  });
});

for (const quickLookup of [true, false]) {
  test(`kept small files${quickLookup ? ' (found with openat2)' : ' (found through the thread pool)'}: a rewrite of the same size (new mtime) or a shorter file is served new; a file swapped for an escaping symlink is refused`, () => keptSmallFiles(quickLookup));
}

async function keptSmallFiles(quickLookup: boolean): Promise<void> {
  const path = join(tree.base, 'kept.bin');
  await writeFile(path, Buffer.alloc(3000, 1));
  await withServer({ timeoutMs: 10_000, quickLookup }, async (port, s) => {
    const c = await new Peer().open();
    try {
      assert.equal(await fetch(c, port, 'kept.bin'), Buffer.alloc(3000, 1));
      assert.equal(await fetch(c, port, 'kept.bin'), Buffer.alloc(3000, 1));
      // The second fetch found the file on the event loop (openat2) when asked to.
      assert.is(s.stats().quickLookups > 0, quickLookup);
      // Same size, new content and a new mtime (set explicitly: the clock may not have ticked).
      await writeFile(path, Buffer.alloc(3000, 2));
      await utimes(path, new Date(), new Date(Date.now() + 60_000));
      assert.equal(await fetch(c, port, 'kept.bin'), Buffer.alloc(3000, 2));
      await writeFile(path, Buffer.alloc(700, 3));
      assert.equal(await fetch(c, port, 'kept.bin'), Buffer.alloc(700, 3));
      // The kept copy never stands in for the confinement checks.
      await rm(path);
      await symlink(join(tree.outside, 'secret'), path);
      c.send(rrq('kept.bin'), port);
      assert.equal((await c.next()).packet, { op: 'ERROR', code: 2, message: 'Access violation' });
      await rm(path);
      c.send(rrq('kept.bin'), port);
      assert.equal((await c.next()).packet, { op: 'ERROR', code: 1, message: 'File not found' });
    } finally {
      c.close();
      await rm(path, { force: true });
    }
  });
}

/** DATA `block` (1-based) of `file` at `blksize`. */
const dataOf = (file: Buffer, block: number, blksize: number): TftpPacket => ({
  op: 'DATA',
  block,
  data: file.subarray((block - 1) * blksize, block * blksize),
});

/**
 * With udpGso each window of more than one block leaves in one segmented send (windows
 * 1-4, 3-6 and 7-10; block 11 alone is an ordinary send); the client must see the same
 * separate datagrams either way.
 */
async function windowsize4(udpGso: boolean): Promise<void> {
  const file = Buffer.alloc(10 * 100);
  for (let i = 0; i < file.length; i++) file[i] = i % 251;
  await writeFile(join(tree.base, 'window.bin'), file); // blocks 1..10 of 100 bytes, then an empty 11
  await withServer({ timeoutMs: 10_000, udpGso }, async (port, s, events) => {
    const c = await new Peer().open();
    const take = async (n: number): Promise<TftpPacket[]> => {
      const out: TftpPacket[] = [];
      for (let i = 0; i < n; i++) out.push((await c.next()).packet);
      return out;
    };
    try {
      c.send(rrq('window.bin', [['blksize', '100'], ['windowsize', '4']]), port);
      const oack = await c.next();
      assert.equal(oack.packet, { op: 'OACK', options: [['blksize', '100'], ['windowsize', '4']] });
      const tid = oack.port;
      // A windowed transfer has a port of its own, and transfer-started says which.
      assert.is.not(tid, port);
      const started = events.find((e) => e.type === 'transfer-started');
      assert.is(started?.type === 'transfer-started' && started.serverPort, tid);
      c.send({ op: 'ACK', block: 0 }, tid);
      assert.equal(await take(4), [1, 2, 3, 4].map((n) => dataOf(file, n, 100)));
      // Block 3 "lost": the client acknowledges 2 (RFC 7440 section 4); the window restarts at 3.
      c.send({ op: 'ACK', block: 2 }, tid);
      assert.equal(await take(4), [3, 4, 5, 6].map((n) => dataOf(file, n, 100)));
      // A stale ACK (before the window), a duplicate of the last ACK and one for a block
      // never sent: none of them sends anything. UDP on loopback keeps order, so if one had,
      // its packets would come before the answer to ACK 6.
      c.send({ op: 'ACK', block: 1 }, tid);
      c.send({ op: 'ACK', block: 2 }, tid);
      c.send({ op: 'ACK', block: 9 }, tid);
      c.send({ op: 'ACK', block: 6 }, tid);
      assert.equal(await take(4), [7, 8, 9, 10].map((n) => dataOf(file, n, 100)));
      c.send({ op: 'ACK', block: 10 }, tid);
      assert.equal(await take(1), [{ op: 'DATA', block: 11, data: Buffer.alloc(0) }]);
      c.send({ op: 'ACK', block: 11 }, tid);
      await waitFor('completion', () => s.stats().transfers.completed === 1);
      assert.is(c.inbox.length, 0);
      const { packetsOut, retransmits, segmentedSends, segmentFallbacks } = s.stats();
      assert.equal(
        { data: packetsOut.DATA, retransmits, segmentedSends, segmentFallbacks },
        { data: 4 + 4 + 4 + 1, retransmits: 2, segmentedSends: udpGso ? 3 : 0, segmentFallbacks: 0 },
      );
    } finally {
      c.close();
      await rm(join(tree.base, 'window.bin'));
    }
  });
}

test('windowsize 4: an ACK inside the window restarts it after the ACKed block; stale and duplicate ACKs send nothing', () => windowsize4(false));

test('a file read from disk goes out right through dgram sends (a port of its own, no segmentation), across reused chunk buffers and a window restarted inside', async () => {
  // 300,000 bytes at blksize 1000, windowsize 4: chunks of 128,000 bytes (whole windows),
  // so the transfer's two buffers are each read into more than once.
  const file = Buffer.alloc(300_000);
  for (let i = 0; i < file.length; i++) file[i] = (i * 7 + (i >> 10)) % 256;
  await writeFile(join(tree.base, 'disk.bin'), file);
  await withServer({ timeoutMs: 10_000, batchedPort: false, udpGso: false, smallFiles: { totalBytes: 0 } }, async (port, s) => {
    const c = await new Peer().open();
    try {
      c.send(rrq('disk.bin', [['blksize', '1000'], ['windowsize', '4']]), port);
      const oack = await c.next();
      const tid = oack.port;
      const got = new Map<number, Buffer>();
      let acked = 0;
      let rewound = false;
      c.send({ op: 'ACK', block: 0 }, tid);
      while (acked < 301) {
        const window: Array<{ block: number; data: Buffer }> = [];
        for (let i = 0; i < 4 && acked + i < 301; i++) {
          const d = (await c.next()).packet;
          if (d.op !== 'DATA') throw new Error(`expected DATA, got ${JSON.stringify(d)}`);
          window.push({ block: d.block, data: d.data });
        }
        for (const w of window) got.set(w.block, w.data);
        const last = window[window.length - 1]!.block;
        // Once, in the third chunk (both buffers read into by then): the window's last
        // three blocks "lost", the client ACKs its first (RFC 7440 section 4) and the
        // server sends from the block after it again.
        if (!rewound && last > 260) {
          rewound = true;
          acked = window[0]!.block;
        } else acked = last;
        c.send({ op: 'ACK', block: acked }, tid);
      }
      await waitFor('completion', () => s.stats().transfers.completed === 1);
      const bytes = Buffer.concat([...got.keys()].sort((a, b) => a - b).map((b) => got.get(b)!));
      assert.is(sha256(bytes), sha256(file));
      assert.is(s.stats().retransmits, 3, 'the three blocks after the ACKed one, once more');
    } finally {
      c.close();
      await rm(join(tree.base, 'disk.bin'));
    }
  });
});

test('windowsize 4 sent as one segmented send per window (UDP GSO): the client sees the same datagrams', () => windowsize4(true));

test('netascii larger than maxNetasciiBytes is refused with ERROR 0; octet still works', async () => {
  await withServer({ maxNetasciiBytes: 10, timeoutMs: 10_000 }, async (port) => {
    const c = await new Peer().open();
    try {
      c.send(rrq('text.txt', [], 'netascii'), port);
      assert.equal((await c.next()).packet, { op: 'ERROR', code: 0, message: 'File too large for netascii; use octet' });
      c.send(rrq('text.txt'), port);
      assert.is((await c.next()).packet.op, 'DATA');
    } finally {
      c.close();
    }
  });
});

test('close() tells running transfers and waits for them; the port is free again', async () => {
  const events: TftpEvent[] = [];
  const s = createTftpServer({ baseDir: tree.base, host: '127.0.0.1', port: 0, timeoutMs: 10_000, onEvent: (e) => events.push(e) });
  const { port } = await s.listen();
  const c = await new Peer().open();
  try {
    c.send(rrq('snponly.efi'), port);
    assert.is((await c.next()).packet.op, 'DATA');
    await s.close();
    assert.equal((await c.next()).packet, { op: 'ERROR', code: 0, message: 'server shutting down' });
    assert.equal(s.stats().transfers.active, 0);
    assert.equal(events.map((e) => e.type), ['transfer-started', 'transfer-failed']);
    const again = createTftpServer({ baseDir: tree.base, host: '127.0.0.1', port });
    assert.equal(await again.listen(), { address: '127.0.0.1', port });
    await again.close();
  } finally {
    c.close();
  }
});

test('listen() on a port in use rejects with a VaqueroError', async () => {
  await withServer({}, async (port) => {
    const other = createTftpServer({ baseDir: tree.base, host: '127.0.0.1', port });
    try {
      await other.listen();
      assert.unreachable('second listen succeeded');
    } catch (e) {
      assert.ok(isVaqueroError(e) && e.code === 'VQ_ERR_IO', String(e));
    } finally {
      await other.close();
    }
  });
});

test('fallback folders: a file missing from baseDir comes from the first fallback that has it', async () => {
  const fb1 = join(tree.top, 'fb1');
  const fb2 = join(tree.top, 'fb2');
  await mkdir(fb1);
  await mkdir(fb2);
  await writeFile(join(fb2, 'ipxe.efi'), 'from fb2');
  await writeFile(join(fb1, 'text.txt'), 'shadowed by base');
  await withServer({ fallbackDirs: [join(tree.top, 'missing'), fb1, fb2], timeoutMs: 10_000 }, async (port) => {
    const c = await new Peer().open();
    try {
      for (const [file, want] of [['ipxe.efi', 'from fb2'], ['text.txt', '#!ipxe\nchain http://10.0.0.1/ipxe\r\n']] as const) {
        c.send(rrq(`/${file}`), port);
        const r = await c.next();
        assert.equal(r.packet.op === 'DATA' && r.packet.data.toString(), want);
        c.send({ op: 'ACK', block: 1 }, r.port);
      }
    } finally {
      c.close();
    }
  });
});

test.run();
