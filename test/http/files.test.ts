// /files from disk: a 64 MB file whole and by ranges, validators and
// conditional requests, HEAD, content types, and every way out of the folder
// refused without a byte of what lies outside. /boot: boot ROMs from the
// first of its folders that has them, confined the same way.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeBigFile, type BigFile } from './support/big-file.ts';
import { curl, parseResponse, start, until, withoutAt, type Harness } from './support/harness.ts';

const SECRET = 'TOP-SECRET-BYTES-OUTSIDE-THE-FOLDER';
let big: BigFile | undefined;
let outside: string | undefined;

/** The files folder: the big file, small typed files, a sub-folder, and symlinks in and out. */
function folder(): BigFile {
  if (big) return big;
  big = makeBigFile();
  outside = mkdtempSync(join(tmpdir(), 'vaquero-outside-'));
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  const d = big.dir;
  writeFileSync(join(d, 'boot.ipxe'), '#!ipxe\necho hi\n');
  writeFileSync(join(d, 'snponly.efi'), Buffer.from([0x4d, 0x5a, 0, 1]));
  writeFileSync(join(d, 'initrd.cpio.gz'), Buffer.from([0x1f, 0x8b, 8, 0]));
  writeFileSync(join(d, 'empty'), '');
  mkdirSync(join(d, 'sub'));
  writeFileSync(join(d, 'sub', 'inner.txt'), 'inner\n');
  writeFileSync(join(d, '%2e%2e'), 'a file literally named %2e%2e\n');
  utimesSync(join(d, 'boot.ipxe'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
  symlinkSync(join(outside, 'secret.txt'), join(d, 'escape-link'));
  symlinkSync(outside, join(d, 'escape-dir'));
  symlinkSync('sub/inner.txt', join(d, 'inside-link'));
  symlinkSync('loop', join(d, 'loop'));
  return big;
}

test.after(() => {
  big?.cleanup();
  if (outside) rmSync(outside, { recursive: true, force: true });
});

async function withServer(fn: (h: Harness, f: BigFile) => Promise<void>): Promise<void> {
  const f = folder();
  const h = await start({ filesDir: f.dir });
  try {
    await fn(h, f);
  } finally {
    await h.close();
  }
}

test('a 64 MB file streams whole (curl and fetch), with its length, validators and an http.file event', () =>
  withServer(async (h, f) => {
    const out = join(mkdtempSync(join(tmpdir(), 'vaquero-dl-')), 'got.img');
    try {
      const r = await curl(['-D', '-', '-o', out, `${h.base}/files/${f.name}`]);
      assert.is(r.code, 0, r.err);
      const res = parseResponse(Buffer.concat([r.body, Buffer.from('\r\n\r\n')]));
      assert.is(res.status, 200);
      assert.is(res.headers['content-length'], String(f.size));
      assert.is(res.headers['content-type'], 'application/octet-stream');
      assert.is(res.headers['accept-ranges'], 'bytes');
      assert.match(res.headers.etag ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
      assert.ok(res.headers['last-modified']);
      assert.is(createHash('sha256').update(readFileSync(out)).digest('hex'), f.sha256);
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
    const viaFetch = await fetch(`${h.base}/files/${f.name}`);
    const hash = createHash('sha256');
    for await (const chunk of viaFetch.body!) hash.update(chunk as Uint8Array);
    assert.is(hash.digest('hex'), f.sha256);
    await until('two file events', 5000, () => h.events.length === 2);
    assert.equal(withoutAt(h.events), [
      { type: 'http.file', path: f.name, via: 'disk', status: 200, bytes: f.size, complete: true, remote: '127.0.0.1' },
      { type: 'http.file', path: f.name, via: 'disk', status: 200, bytes: f.size, complete: true, remote: '127.0.0.1' },
    ]);
    assert.is(h.registry.counter('vaquero_http_response_bytes_total', '', ['route']).get({ route: 'files' }), 2 * f.size);
  }));

test('single ranges: first 100 bytes, a middle slice, a suffix, open-ended; 416 past the end', () =>
  withServer(async (h, f) => {
    const url = `${h.base}/files/${f.name}`;
    const cases: [string, number, number][] = [
      ['0-99', 0, 99],
      ['1000-1999', 1000, 1999],
      ['-500', f.size - 500, f.size - 1],
      [`${f.size - 1000}-`, f.size - 1000, f.size - 1],
      // An end past the file is cut to its last byte.
      [`${f.size - 10}-${f.size + 99}`, f.size - 10, f.size - 1],
    ];
    const tailStart = f.size - f.tail.length;
    for (const [range, a, b] of cases) {
      const r = await curl(['-i', '-r', range, url]);
      const res = parseResponse(r.body);
      assert.is(res.status, 206, range);
      assert.is(res.headers['content-range'], `bytes ${a}-${b}/${f.size}`, range);
      assert.is(res.headers['content-length'], String(b - a + 1), range);
      const want = a < f.head.length ? f.head.subarray(a, b + 1) : f.tail.subarray(a - tailStart, b - tailStart + 1);
      assert.ok(res.body.equals(want), `${range}: body differs`);
    }
    const past = parseResponse((await curl(['-i', '-r', `${f.size}-`, url])).body);
    assert.is(past.status, 416);
    assert.is(past.headers['content-range'], `bytes */${f.size}`);
    assert.is(past.body.length, 0);
    // Several ranges are not served as multipart: the whole file comes back with 200 (checked by HEAD-like length only).
    const multi = await fetch(url, { headers: { range: 'bytes=0-1,5-6' } });
    assert.is(multi.status, 200);
    assert.is(multi.headers.get('content-length'), String(f.size));
    await multi.body?.cancel();
    const events = h.events.filter((e) => e.type === 'http.file');
    assert.equal(
      events.slice(0, 2).map((e) => e.type === 'http.file' && [e.status, e.range, e.bytes]),
      [
        [206, 'bytes=0-99', 100],
        [206, 'bytes=1000-1999', 1000],
      ],
    );
  }));

test('sixteen clients at once each get their own slice, byte for byte', () =>
  withServer(async (h, f) => {
    const slice = 1024 * 1024;
    const starts = Array.from({ length: 16 }, (_, i) => i * 3 * slice + 12345);
    const results = await Promise.all(starts.map((a) => curl(['-r', `${a}-${a + slice - 1}`, `${h.base}/files/${f.name}`])));
    const fd = openSync(f.path, 'r');
    try {
      results.forEach((r, i) => {
        const want = Buffer.alloc(slice);
        readSync(fd, want, 0, slice, starts[i]!);
        assert.is(r.code, 0, r.err);
        assert.ok(r.body.equals(want), `slice ${i} differs`);
      });
    } finally {
      closeSync(fd);
    }
    await until('all streams closed', 5000, () => h.server.openStreams() === 0);
  }));

test('HEAD: the GET headers and no body', () =>
  withServer(async (h, f) => {
    const r = await curl(['-I', `${h.base}/files/${f.name}`]);
    const res = parseResponse(r.body);
    assert.is(res.status, 200);
    assert.is(res.headers['content-length'], String(f.size));
    assert.is(res.headers['accept-ranges'], 'bytes');
    assert.ok(res.headers.etag);
    assert.is(res.body.length, 0);
    const small = await fetch(`${h.base}/files/boot.ipxe`, { method: 'HEAD' });
    assert.is(small.headers.get('content-length'), '15');
    assert.is(small.headers.get('last-modified'), 'Fri, 02 Jan 2026 03:04:05 GMT');
    assert.is((await small.arrayBuffer()).byteLength, 0);
  }));

test('conditional requests: If-None-Match and If-Modified-Since give 304, If-Range decides the range', () =>
  withServer(async (h, f) => {
    const url = `${h.base}/files/boot.ipxe`;
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    assert.is(await first.text(), '#!ipxe\necho hi\n');
    const lastModified = first.headers.get('last-modified')!;
    const inm = parseResponse((await curl(['-i', '-H', `If-None-Match: ${etag}`, url])).body);
    assert.is(inm.status, 304);
    assert.is(inm.headers.etag, etag);
    assert.is(inm.body.length, 0);
    assert.is((await fetch(url, { headers: { 'if-none-match': `"nope", W/${etag}` } })).status, 304);
    assert.is((await fetch(url, { headers: { 'if-none-match': '*' } })).status, 304);
    const changed = await fetch(url, { headers: { 'if-none-match': '"other"' } });
    assert.is(changed.status, 200);
    assert.is(await changed.text(), '#!ipxe\necho hi\n');
    assert.is((await fetch(url, { headers: { 'if-modified-since': lastModified } })).status, 304);
    const older = await fetch(url, { headers: { 'if-modified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' } });
    assert.is(older.status, 200);
    await older.arrayBuffer();
    // If-None-Match wins over If-Modified-Since.
    const both = await fetch(url, { headers: { 'if-none-match': '"other"', 'if-modified-since': lastModified } });
    assert.is(both.status, 200);
    await both.arrayBuffer();
    // The big file's validators work the same, without sending it.
    const bigHead = await fetch(`${h.base}/files/${f.name}`, { method: 'HEAD' });
    const bigEtag = bigHead.headers.get('etag')!;
    const bigInm = parseResponse((await curl(['-i', '-H', `If-None-Match: ${bigEtag}`, `${h.base}/files/${f.name}`])).body);
    assert.is(bigInm.status, 304);
    assert.is(bigInm.body.length, 0);
    const ranged = await fetch(url, { headers: { range: 'bytes=0-5', 'if-range': etag } });
    assert.is(ranged.status, 206);
    assert.is(await ranged.text(), '#!ipxe');
    const stale = await fetch(url, { headers: { range: 'bytes=0-5', 'if-range': '"stale"' } });
    assert.is(stale.status, 200);
    assert.is(await stale.text(), '#!ipxe\necho hi\n');
    const byDate = await fetch(url, { headers: { range: 'bytes=7-10', 'if-range': lastModified } });
    assert.is(byDate.status, 206);
    assert.is(await byDate.text(), 'echo');
    // A weak validator never satisfies If-Range.
    const weak = await fetch(url, { headers: { range: 'bytes=0-5', 'if-range': `W/${etag}` } });
    assert.is(weak.status, 200);
    await weak.arrayBuffer();
  }));

test('content types for boot files; an empty file; directories and the folder itself are 404 (no listings)', () =>
  withServer(async (h) => {
    const types: [string, string][] = [
      ['boot.ipxe', 'text/plain; charset=utf-8'],
      ['snponly.efi', 'application/octet-stream'],
      ['initrd.cpio.gz', 'application/gzip'],
      ['sub/inner.txt', 'text/plain; charset=utf-8'],
      // A symlink that stays inside the folder is followed.
      ['inside-link', 'application/octet-stream'],
    ];
    for (const [p, type] of types) {
      const r = await fetch(`${h.base}/files/${p}`);
      assert.is(r.status, 200, p);
      assert.is(r.headers.get('content-type'), type, p);
      await r.arrayBuffer();
    }
    const empty = await fetch(`${h.base}/files/empty`);
    assert.is(empty.status, 200);
    assert.is(empty.headers.get('content-length'), '0');
    assert.is(await empty.text(), '');
    for (const p of ['sub', 'sub/', '', './', 'sub/..x', 'missing.img']) {
      const r = await fetch(`${h.base}/files/${p}`);
      assert.is(r.status, 404, p);
      assert.is(await r.text(), 'not found\n', p);
    }
    assert.is(h.registry.metrics().includes('vaquero_http_refused_total{'), false, 'plain 404s are not refusals');
  }));

test('escapes are refused with 404 and no byte from outside: raw .., encoded .., NUL, absolute, escaping symlinks', () =>
  withServer(async (h) => {
    const attempts: [string[], string][] = [
      [['--path-as-is', `${h.base}/files/../../../../../../etc/passwd`], 'dot-dot'],
      [['--path-as-is', `${h.base}/files/sub/../../${outsideName()}/secret.txt`], 'dot-dot'],
      [[`${h.base}/files/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd`], 'dot-dot'],
      [[`${h.base}/files/..%2f${outsideName()}%2fsecret.txt`], 'dot-dot'],
      [[`${h.base}/files/boot.ipxe%00.png`], 'nul'],
      [['--path-as-is', `${h.base}/files//etc/passwd`], 'absolute'],
      [[`${h.base}/files/%2fetc%2fpasswd`], 'absolute'],
      [[`${h.base}/files/bad%zzescape`], 'bad-encoding'],
      [[`${h.base}/files/escape-link`], 'symlink-escape'],
      [[`${h.base}/files/escape-dir/secret.txt`], 'symlink-escape'],
      [[`${h.base}/files/loop`], 'cannot resolve: ELOOP'],
    ];
    for (const [args, reason] of attempts) {
      const before = h.events.length;
      const r = await curl(['-i', ...args]);
      assert.is(r.code, 0, r.err);
      const res = parseResponse(r.body);
      assert.is(res.status, 404, args.join(' '));
      assert.is(res.body.toString(), 'not found\n', args.join(' '));
      assert.not.ok(r.body.includes(SECRET), 'secret leaked');
      assert.not.ok(r.body.includes('root:'), '/etc/passwd leaked');
      // Refusals found on disk are reported when the response closes.
      const last = await until('the refusal event', 2000, () => h.events.length > before && h.events[h.events.length - 1]);
      assert.ok(last?.type === 'http.refused', `${args.join(' ')}: ${JSON.stringify(last)}`);
      assert.is(last.reason.startsWith('resolves outside') ? 'symlink-escape' : last.reason, reason, args.join(' '));
    }
    // Decoded once only: %252e%252e is the literal name %2e%2e, a file inside the folder.
    const literal = await fetch(`${h.base}/files/%252e%252e`);
    assert.is(await literal.text(), 'a file literally named %2e%2e\n');
    const text = h.registry.metrics();
    for (const line of [
      'vaquero_http_refused_total{reason="dot-dot"} 4',
      'vaquero_http_refused_total{reason="nul"} 1',
      'vaquero_http_refused_total{reason="absolute"} 2',
      'vaquero_http_refused_total{reason="bad-encoding"} 1',
      'vaquero_http_refused_total{reason="symlink-escape"} 2',
      'vaquero_http_refused_total{reason="unreadable"} 1',
    ]) {
      assert.ok(text.split('\n').includes(line), `missing ${line}`);
    }
  }));

test('/boot serves from the first folder that has the file, asked per request; escapes refused; none configured is 404', async () => {
  const f = folder();
  const first = mkdtempSync(join(tmpdir(), 'vaquero-roms-'));
  const second = mkdtempSync(join(tmpdir(), 'vaquero-roms-'));
  writeFileSync(join(first, 'ipxe.efi'), 'first ipxe.efi');
  writeFileSync(join(second, 'ipxe.efi'), 'second ipxe.efi');
  writeFileSync(join(second, 'snponly-arm64.efi'), 'second snponly-arm64.efi');
  symlinkSync(join(outside!, 'secret.txt'), join(first, 'escape-link'));
  let folders = [first, second];
  const h = await start({ filesDir: f.dir, bootDirs: () => folders });
  const bare = await start({ filesDir: f.dir });
  try {
    const got = async (p: string, base = h.base): Promise<[number, string]> => {
      const r = await fetch(`${base}/boot/${p}`);
      return [r.status, await r.text()];
    };
    assert.equal(await got('ipxe.efi'), [200, 'first ipxe.efi']);
    assert.equal(await got('snponly-arm64.efi'), [200, 'second snponly-arm64.efi']);
    // The files folder is not a boot folder, nor the other way round.
    assert.equal(await got('boot.ipxe'), [404, 'not found\n']);
    assert.is((await fetch(`${h.base}/files/ipxe.efi`)).status, 404);
    const range = await fetch(`${h.base}/boot/ipxe.efi`, { headers: { range: 'bytes=6-9' } });
    assert.equal([range.status, await range.text()], [206, 'ipxe']);
    folders = [second];
    assert.equal(await got('ipxe.efi'), [200, 'second ipxe.efi']);
    folders = [first, second];
    for (const [args, reason] of [
      [['--path-as-is', `${h.base}/boot/../../../../etc/passwd`], 'dot-dot'],
      [[`${h.base}/boot/escape-link`], 'symlink-escape'],
    ] as const) {
      const before = h.events.length;
      const r = await curl(['-i', ...args]);
      assert.is(parseResponse(r.body).status, 404, args.join(' '));
      assert.not.ok(r.body.includes(SECRET), 'secret leaked');
      const last = await until('the refusal event', 2000, () => h.events.length > before && h.events[h.events.length - 1]);
      assert.ok(last?.type === 'http.refused', JSON.stringify(last));
      assert.is(last.reason.startsWith('resolves outside') ? 'symlink-escape' : last.reason, reason);
    }
    const served = h.events.filter((e) => e.type === 'http.file' && e.status === 200);
    assert.equal(served.map((e) => e.type === 'http.file' && [e.path, e.via]), [['ipxe.efi', 'boot'], ['snponly-arm64.efi', 'boot'], ['ipxe.efi', 'boot']]);
    assert.ok(h.registry.metrics().includes('route="boot",status="200"'), 'requests counted under route "boot"');
    assert.equal(await got('ipxe.efi', bare.base), [404, 'not found\n']);
  } finally {
    await h.close();
    await bare.close();
    rmSync(first, { recursive: true, force: true });
    rmSync(second, { recursive: true, force: true });
  }
});

function outsideName(): string {
  return outside!.split('/').pop()!;
}

test.run();
