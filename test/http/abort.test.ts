// Clients that leave or stall in the middle of a large download: the file
// descriptor is released (checked in /proc/self/fd), the open-streams gauge
// returns to 0, and close() resolves promptly with a download in flight.
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { readdirSync, readlinkSync, truncateSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeBigFile, type BigFile } from './support/big-file.ts';
import { start, until, type Harness } from './support/harness.ts';

let big: BigFile | undefined;
const folder = (): BigFile => (big ??= makeBigFile());
test.after(() => big?.cleanup());

/** Descriptors this process holds on the file (the server runs in-process). */
function fdsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return n;
}

/** Starts a download and resolves once `atLeast` body bytes arrived; the response is then paused (a stalled client). */
function download(url: string, atLeast: number): Promise<{ req: ClientRequest; res: IncomingMessage; got: number }> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      let got = 0;
      const onData = (b: Buffer) => {
        got += b.length;
        if (got >= atLeast) {
          res.off('data', onData);
          res.pause();
          resolve({ req, res, got });
        }
      };
      res.on('data', onData);
      res.on('error', () => undefined);
    });
    req.on('error', (e) => (e.message === 'socket hang up' || (e as { code?: string }).code === 'ECONNRESET' ? undefined : reject(e)));
  });
}

function gauge(h: Harness): number {
  return h.registry.gauge('vaquero_http_open_streams', '').get();
}

test('a client that aborts a large download leaves no descriptor and no open stream', async () => {
  const f = folder();
  const h = await start({ filesDir: f.dir });
  try {
    assert.is(fdsOn(f.path), 0);
    const d = await download(`${h.base}/files/${f.name}`, 1024 * 1024);
    assert.is(fdsOn(f.path), 1, 'the download holds the file open');
    assert.is(h.server.openStreams(), 1);
    assert.is(gauge(h), 1);
    d.req.destroy();
    await until('the file stream to close', 5000, () => h.server.openStreams() === 0 && fdsOn(f.path) === 0);
    assert.is(gauge(h), 0);
    await until('the file event', 5000, () => h.events.some((e) => e.type === 'http.file'));
    const ev = h.events.find((e) => e.type === 'http.file');
    assert.ok(ev?.type === 'http.file' && ev.complete === false && ev.status === 200 && ev.bytes >= d.got && ev.bytes < f.size, JSON.stringify(ev));
    assert.is(h.registry.counter('vaquero_http_aborted_total', '', ['route']).get({ route: 'files' }), 1);
    // The server still serves.
    const r = await fetch(`${h.base}/files/${f.name}`, { headers: { range: 'bytes=0-9' } });
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(f.head.subarray(0, 10)));
  } finally {
    await h.close();
  }
});

test('close() with stalled downloads in flight resolves promptly and releases every descriptor', async () => {
  const f = folder();
  const h = await start({ filesDir: f.dir });
  let closed = false;
  try {
    const downloads = await Promise.all([1, 2, 3].map(() => download(`${h.base}/files/${f.name}`, 256 * 1024)));
    assert.is(fdsOn(f.path), 3);
    assert.is(gauge(h), 3);
    const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
    const result = await Promise.race([h.close().then(() => 'closed' as const), deadline]);
    closed = true;
    assert.is(result, 'closed', 'close() must not wait for stalled clients');
    assert.is(h.server.openStreams(), 0);
    assert.is(gauge(h), 0);
    assert.is(fdsOn(f.path), 0);
    for (const d of downloads) d.req.destroy();
  } finally {
    if (!closed) await h.close();
  }
});

test('a client that stops reading is cut after the idle timeout, releasing its file', async () => {
  const f = folder();
  const h = await start({ filesDir: f.dir, idleTimeoutMs: 300 });
  try {
    const d = await download(`${h.base}/files/${f.name}`, 256 * 1024);
    assert.is(fdsOn(f.path), 1);
    await until('the stalled download to be cut', 10_000, () => h.server.openStreams() === 0 && fdsOn(f.path) === 0);
    assert.is(gauge(h), 0);
    d.req.destroy();
  } finally {
    await h.close();
  }
});

test('a file cut short while it is being sent: the response is cut, the failure reported, the descriptor released', async () => {
  const f = makeBigFile(16 * 1024 * 1024, 'shrinking.img');
  const h = await start({ filesDir: f.dir });
  try {
    const d = await download(`${h.base}/files/${f.name}`, 1024 * 1024);
    const ended = new Promise<{ got: number; aborted: boolean }>((resolve) => {
      let got = d.got;
      d.res.on('data', (b: Buffer) => (got += b.length));
      d.res.on('close', () => resolve({ got, aborted: !d.res.complete }));
    });
    truncateSync(f.path, 4 * 1024 * 1024);
    d.res.resume();
    const r = await ended;
    assert.ok(r.aborted, 'the client must see an incomplete response, not a short one that looks whole');
    assert.ok(r.got < f.size, `got ${r.got} bytes`);
    await until('the descriptor to be released', 5000, () => h.server.openStreams() === 0 && fdsOn(f.path) === 0);
    const ev = h.events.find((e) => e.type === 'http.handler-error');
    assert.ok(ev?.type === 'http.handler-error' && ev.route === 'files' && /ended at byte \d+ of 16777216/.test(ev.reason), JSON.stringify(ev));
    assert.is(h.registry.counter('vaquero_http_errors_total', '', ['kind']).get({ kind: 'stream' }), 1);
  } finally {
    await h.close();
    f.cleanup();
  }
});

test.run();
