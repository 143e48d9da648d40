// Real clients (tftp-hpa, atftp, curl) against the real server on loopback.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createTftpServer, type TftpServer } from '../../src/io/tftp/server.ts';
import type { TftpEvent } from '../../src/io/tftp/events.ts';
import { listDir, makeTree, run, sha256, sha256File, waitFor, type Tree } from './support.ts';

let tree: Tree;
let server: TftpServer;
let port = 0;
const events: TftpEvent[] = [];
const HOST = '127.0.0.1';

test.before(async () => {
  tree = await makeTree();
  server = createTftpServer({ baseDir: tree.base, host: HOST, port: 0, timeoutMs: 300, onEvent: (e) => events.push(e) });
  port = (await server.listen()).port;
});

test.after(async () => {
  await server.close();
  await tree.cleanup();
});

const out = (name: string): string => join(tree.out, name);

async function curl(file: string, dest: string, extra: string[] = []): Promise<number | null> {
  const r = await run('curl', ['-sS', ...extra, '-o', dest, `tftp://${HOST}:${port}/${file}`], { timeoutMs: 30_000 });
  return r.code;
}

test('curl: ROM-sized files at default and 1468 blksize, leading slash, empty and exact-multiple files', async () => {
  for (const [file, extra] of [
    ['undionly.kpxe', []],
    ['snponly.efi', ['--tftp-blksize', '1468']],
    ['exact1468.bin', ['--tftp-blksize', '1468']],
    ['exact512.bin', []],
    ['empty.bin', []],
  ] as const) {
    const dest = out(`curl-${file}`);
    assert.is(await curl(file, dest, [...extra]), 0, file);
    assert.is(await sha256File(dest), tree.files[file], file);
  }
  // Firmware sometimes asks for "/undionly.kpxe": relative to the base folder.
  const dest = out('curl-slash');
  assert.is(await run('curl', ['-sS', '-o', dest, `tftp://${HOST}:${port}//undionly.kpxe`]).then((r) => r.code), 0);
  assert.is(await sha256File(dest), tree.files['undionly.kpxe']);
});

test('tftp-hpa: octet (no options, lockstep 512) and netascii (LF -> CR LF and back)', async () => {
  let r = await run('tftp', ['-m', 'octet', HOST, String(port), '-c', 'get', 'snponly.efi', out('hpa.efi')], { timeoutMs: 30_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(await sha256File(out('hpa.efi')), tree.files['snponly.efi']);
  r = await run('tftp', ['-m', 'netascii', HOST, String(port), '-c', 'get', 'text.txt', out('hpa.txt')], { timeoutMs: 30_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(await sha256File(out('hpa.txt')), tree.files['text.txt']);
});

test('atftp: blksize 1468, tsize 0, windowsize 16; the OACK carries the real size', async () => {
  const before = events.length;
  const r = await run(
    'atftp',
    ['--trace', '--option', 'blksize 1468', '--option', 'tsize 0', '--option', 'windowsize 16', '-g', '-r', 'snponly.efi', '-l', out('atftp.efi'), HOST, String(port)],
    { timeoutMs: 30_000 },
  );
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(await sha256File(out('atftp.efi')), tree.files['snponly.efi']);
  // atftp --trace prints the OACK it received.
  assert.match(r.stdout + r.stderr, /received OACK <.*tsize: 200000/);
  const started = events.slice(before).find((e) => e.type === 'transfer-started');
  assert.equal(started && { blksize: started.blksize, windowsize: started.windowsize, size: started.size }, { blksize: 1468, windowsize: 16, size: 200000 });
});

test('atftp: large blksize on loopback (65464) and a small window', async () => {
  const r = await run('atftp', ['--option', 'blksize 65464', '--option', 'windowsize 4', '-g', '-r', 'snponly.efi', '-l', out('atftp-big.efi'), HOST, String(port)], {
    timeoutMs: 30_000,
  });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(await sha256File(out('atftp-big.efi')), tree.files['snponly.efi']);
});

test('escapes: "../", absolute path, symlink out of the folder -> error, no bytes', async () => {
  const cases: Array<[string, number]> = [
    ['../outside/secret', 2],
    ['/etc/passwd', 1], // means base/etc/passwd, which does not exist
    ['escape', 2],
    ['a/../../outside/secret', 2],
  ];
  for (const [file, code] of cases) {
    const before = events.length;
    const dest = out(`esc-${code}-${file.replace(/\W/g, '_')}`);
    const r = await run('tftp', ['-m', 'octet', HOST, String(port), '-c', 'get', file, dest], { timeoutMs: 15_000 });
    assert.match(r.stdout + r.stderr, `Error code ${code}`, file);
    assert.ok(!existsSync(dest) || statSync(dest).size === 0, `${file}: no bytes`);
    const refused = events.slice(before).filter((e) => e.type === 'request-refused');
    assert.equal(refused.map((e) => e.type === 'request-refused' && [e.file, e.code]), [[file, code]]);
  }
  // curl too (exit 68 = TFTP not found, 69 = TFTP permission problem).
  assert.is(await curl('escape', out('curl-escape')), 69);
  assert.ok(!existsSync(out('curl-escape')) || statSync(out('curl-escape')).size === 0);
});

test('write request refused with ERROR 2, nothing written', async () => {
  const local = out('upload.txt');
  await writeFile(local, 'upload');
  const before = await listDir(tree.base);
  const r = await run('tftp', ['-m', 'octet', HOST, String(port), '-c', 'put', local, 'upload.txt'], { timeoutMs: 15_000 });
  assert.match(r.stdout + r.stderr, 'Error code 2');
  assert.equal(await listDir(tree.base), before);
});

test('50 concurrent curl fetches all complete with the right bytes', async () => {
  const stats0 = server.stats();
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => {
      const file = i % 2 === 0 ? 'undionly.kpxe' : 'snponly.efi';
      const dest = out(`many-${i}`);
      return curl(file, dest, ['--tftp-blksize', '1468']).then(async (code) => ({ code, file, sum: code === 0 ? await sha256File(dest) : '' }));
    }),
  );
  for (const r of results) {
    assert.is(r.code, 0);
    assert.is(r.sum, tree.files[r.file]);
  }
  await waitFor(`transfers to settle (${JSON.stringify(server.stats().transfers)})`, () => server.stats().transfers.active === 0);
  assert.is(server.stats().transfers.completed - stats0.transfers.completed, 50);
});

test('IPv6: a server on ::1 serves curl and atftp', async () => {
  const v6 = createTftpServer({ baseDir: tree.base, host: '::1', port: 0, timeoutMs: 300 });
  try {
    const { port: p6 } = await v6.listen();
    let r = await run('curl', ['-sS', '-o', out('v6-curl'), `tftp://[::1]:${p6}/undionly.kpxe`], { timeoutMs: 30_000 });
    assert.is(r.code, 0, r.stderr);
    assert.is(await sha256File(out('v6-curl')), tree.files['undionly.kpxe']);
    r = await run('atftp', ['--option', 'windowsize 8', '-g', '-r', 'snponly.efi', '-l', out('v6-atftp'), '::1', String(p6)], { timeoutMs: 30_000 });
    assert.is(r.code, 0, r.stderr);
    assert.is(await sha256File(out('v6-atftp')), tree.files['snponly.efi']);
  } finally {
    await v6.close();
  }
});

test('32 MiB + 777 bytes at blksize 512 with tftp-hpa: block numbers roll over 65535 -> 0', async () => {
  const big = randomBytes(32 * 1024 * 1024 + 777); // 65538 blocks
  const path = join(tree.base, 'big.img');
  await writeFile(path, big);
  try {
    const r = await run('tftp', ['-m', 'octet', HOST, String(port), '-c', 'get', 'big.img', out('big.img')], { timeoutMs: 120_000 });
    assert.is(r.code, 0, r.stderr);
    assert.is(statSync(out('big.img')).size, big.length);
    assert.is(await sha256File(out('big.img')), sha256(big));
  } finally {
    await rm(path, { force: true });
    await rm(out('big.img'), { force: true });
  }
});

test.run();
