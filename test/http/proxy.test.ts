// /files/* proxied to a CDN: a second local node http server stands in for it
// and records what reached it. Bytes, Range and conditional headers pass
// through; a CDN that is down, silent or cut off answers 502 or a cut stream.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { curl, parseResponse, start, until, withoutAt, type Harness } from './support/harness.ts';

const BODY = randomBytes(8 * 1024 * 1024);
const ETAG = '"cdn-v1"';

interface Cdn {
  port: number;
  seen: { method: string; url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** Just enough of a CDN: one file with single ranges and an ETag, a path that never answers, one that breaks mid-body. */
async function startCdn(): Promise<Cdn> {
  const seen: Cdn['seen'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '').replace(/^\/mirror/, '');
    if (path === '/slow') return; // never answers
    if (path === '/cut') {
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(BODY.subarray(0, 1000), () => res.socket?.destroy());
      return;
    }
    if (path !== '/big.img') {
      res.writeHead(404, { 'content-type': 'text/plain', 'x-cdn': 'yes' });
      return res.end('cdn: no such file\n');
    }
    if (req.headers['if-none-match'] === ETAG) {
      res.writeHead(304, { etag: ETAG });
      return res.end();
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (m) {
      const a = Number(m[1]);
      const b = Number(m[2]);
      res.writeHead(206, { etag: ETAG, 'content-range': `bytes ${a}-${b}/${BODY.length}`, 'content-length': b - a + 1, 'x-cdn': 'yes' });
      return res.end(req.method === 'HEAD' ? undefined : BODY.subarray(a, b + 1));
    }
    res.writeHead(200, { etag: ETAG, 'content-length': BODY.length, 'content-type': 'application/octet-stream', 'x-cdn': 'yes', connection: 'keep-alive' });
    res.end(req.method === 'HEAD' ? undefined : BODY);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

async function withCdn(fn: (h: Harness, cdn: Cdn) => Promise<void>, basePath?: string, timeoutMs?: number): Promise<void> {
  const cdn = await startCdn();
  const h = await start({ cdn: { scheme: 'http', addr: '127.0.0.1', port: cdn.port, ...(basePath ? { basePath } : {}), ...(timeoutMs ? { timeoutMs } : {}) } });
  try {
    await fn(h, cdn);
  } finally {
    await h.close();
    await cdn.close();
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('whole files come from the CDN byte for byte, with its headers; hop-by-hop headers stay behind', () =>
  withCdn(async (h, cdn) => {
    const r = await curl(['-i', '-H', 'X-Trace: 42', '-H', 'Connection: keep-alive, X-Hop', '-H', 'X-Hop: 1', `${h.base}/files/big.img`]);
    const res = parseResponse(r.body);
    assert.is(res.status, 200);
    assert.is(res.headers['x-cdn'], 'yes');
    assert.is(res.headers.etag, ETAG);
    assert.is(res.headers['content-length'], String(BODY.length));
    assert.is(sha(res.body), sha(BODY));
    assert.is(cdn.seen.length, 1);
    const seen = cdn.seen[0]!;
    assert.is(seen.url, '/big.img');
    assert.is(seen.headers.host, `127.0.0.1:${cdn.port}`);
    assert.is(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.is(seen.headers['x-trace'], '42');
    // Named in Connection: a hop-by-hop header, not forwarded.
    assert.is(seen.headers['x-hop'], undefined);
    await until('file event', 2000, () => h.events.length === 1);
    assert.equal(withoutAt(h.events), [{ type: 'http.file', path: 'big.img', via: 'cdn', status: 200, bytes: BODY.length, complete: true, remote: '127.0.0.1' }]);
    assert.is(h.server.openStreams(), 0);
  }));

test('Range, If-None-Match and HEAD pass through; CDN statuses come back as they are', () =>
  withCdn(async (h, cdn) => {
    const ranged = parseResponse((await curl(['-i', '-r', '1000-1099', `${h.base}/files/big.img`])).body);
    assert.is(ranged.status, 206);
    assert.is(ranged.headers['content-range'], `bytes 1000-1099/${BODY.length}`);
    assert.ok(ranged.body.equals(BODY.subarray(1000, 1100)));
    assert.is(cdn.seen[0]!.headers.range, 'bytes=1000-1099');
    const cached = parseResponse((await curl(['-i', '-H', `If-None-Match: ${ETAG}`, `${h.base}/files/big.img`])).body);
    assert.is(cached.status, 304);
    assert.is(cached.body.length, 0);
    const head = parseResponse((await curl(['-I', `${h.base}/files/big.img`])).body);
    assert.is(head.status, 200);
    assert.is(head.headers['content-length'], String(BODY.length));
    assert.is(cdn.seen[2]!.method, 'HEAD');
    const missing = parseResponse((await curl(['-i', `${h.base}/files/nope.img?v=2`])).body);
    assert.is(missing.status, 404);
    assert.is(missing.body.toString(), 'cdn: no such file\n');
    assert.is(cdn.seen[3]!.url, '/nope.img?v=2');
  }));

test('paths are confined before anything is sent to the CDN; basePath prefixes what it sees', () =>
  withCdn(
    async (h, cdn) => {
      const r = parseResponse((await curl(['-i', '--path-as-is', `${h.base}/files/../etc/passwd`])).body);
      assert.is(r.status, 404);
      const enc = await fetch(`${h.base}/files/%2e%2e%2fsecret`);
      assert.is(enc.status, 404);
      await enc.arrayBuffer();
      assert.is(cdn.seen.length, 0);
      const ok = await fetch(`${h.base}/files/big.img`, { headers: { range: 'bytes=0-9' } });
      assert.ok(Buffer.from(await ok.arrayBuffer()).equals(BODY.subarray(0, 10)));
      assert.is(cdn.seen[0]!.url, '/mirror/big.img');
    },
    '/mirror/',
  ));

test('a CDN that is down gives 502 and an http.proxy-error event', async () => {
  const cdn = await startCdn();
  const port = cdn.port;
  await cdn.close();
  const h = await start({ cdn: { scheme: 'http', addr: '127.0.0.1', port } });
  try {
    const r = parseResponse((await curl(['-i', `${h.base}/files/big.img`])).body);
    assert.is(r.status, 502);
    assert.is(r.body.toString(), 'bad gateway: the CDN did not answer\n');
    await until('events', 2000, () => h.events.length === 2);
    const [err, file] = withoutAt(h.events);
    assert.equal(err, { type: 'http.proxy-error', path: 'big.img', reason: `http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`, remote: '127.0.0.1' });
    assert.equal(file, { type: 'http.file', path: 'big.img', via: 'cdn', status: 502, bytes: 0, complete: true, remote: '127.0.0.1' });
    assert.is(h.registry.counter('vaquero_http_errors_total', '', ['kind']).get({ kind: 'proxy' }), 1);
    assert.is(h.server.openStreams(), 0);
  } finally {
    await h.close();
  }
});

test('a CDN that never answers times out into 502', () =>
  withCdn(
    async (h) => {
      const r = await fetch(`${h.base}/files/slow`);
      assert.is(r.status, 502);
      await r.arrayBuffer();
      const err = h.events.find((e) => e.type === 'http.proxy-error');
      assert.ok(err?.type === 'http.proxy-error' && /no response within 200 ms/.test(err.reason), JSON.stringify(err));
    },
    undefined,
    200,
  ));

test('a client that leaves while the CDN is slow drops the upstream request, and that is not a CDN error', () =>
  withCdn(async (h, cdn) => {
    const ac = new AbortController();
    const pending = fetch(`${h.base}/files/slow`, { signal: ac.signal }).catch((e: unknown) => e);
    await until('the CDN to see the request', 2000, () => cdn.seen.length === 1);
    assert.is(h.server.openStreams(), 1);
    ac.abort();
    await pending;
    await until('the upstream request to close', 2000, () => h.server.openStreams() === 0);
    await until('the file event', 2000, () => h.events.length > 0);
    assert.equal(withoutAt(h.events), [{ type: 'http.file', path: 'slow', via: 'cdn', status: 200, bytes: 0, complete: false, remote: '127.0.0.1' }]);
    assert.is(h.registry.counter('vaquero_http_errors_total', '', ['kind']).get({ kind: 'proxy' }), 0);
  }));

test('a CDN that breaks mid-body cuts the client off; nothing stays open', () =>
  withCdn(async (h) => {
    const r = await curl([`${h.base}/files/cut`]);
    // curl 18: transfer closed with outstanding read data remaining.
    assert.is(r.code, 18, r.err);
    await until('proxy error and file events', 2000, () => h.events.some((e) => e.type === 'http.file'));
    const file = h.events.find((e) => e.type === 'http.file');
    assert.ok(file?.type === 'http.file' && file.complete === false && file.status === 200, JSON.stringify(file));
    assert.ok(h.events.some((e) => e.type === 'http.proxy-error'));
    await until('streams closed', 2000, () => h.server.openStreams() === 0);
  }));

test.run();
