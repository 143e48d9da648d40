// Real clients through a seeded lossy, reordering relay on loopback: the same
// impairment as the netem test, on any kernel.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTftpServer, type TftpServer } from '../../src/io/tftp/server.ts';
import type { TftpEvent } from '../../src/io/tftp/events.ts';
import { badOutcomes, makeTree, run, sha256File, type Tree } from './support.ts';
import { startRelay, type Relay } from './relay.ts';

let tree: Tree;
let server: TftpServer;
let relay: Relay;
const events: TftpEvent[] = [];

test.before(async () => {
  tree = await makeTree();
  await writeFile(join(tree.base, 'one-mib.bin'), randomBytes(1024 * 1024));
  tree.files['one-mib.bin'] = await sha256File(join(tree.base, 'one-mib.bin'));
  // 300 ms, doubling 7 times: quick recovery, and waits past atftp's 5 s ACK timer (see netns.test.ts).
  server = createTftpServer({ baseDir: tree.base, host: '127.0.0.1', port: 0, timeoutMs: 300, retries: 7, onEvent: (e) => events.push(e) });
  const { port } = await server.listen();
  // netem's "loss 5% reorder 25% delay 2ms": a quarter go at once, the rest 2 ms later.
  relay = await startRelay({ target: { address: '127.0.0.1', port }, loss: 0.05, immediate: 0.25, delayMs: 2, seed: 1350 });
});

test.after(async () => {
  await relay.close();
  await server.close();
  await tree.cleanup();
});

test('atftp windowsize 16, tftp-hpa and curl complete with the right bytes through loss and reordering', async () => {
  const host = '127.0.0.1';
  const port = String(relay.port);
  const o = (n: string): string => join(tree.out, `relay-${n}`);
  let r = await run('atftp', ['--option', 'blksize 1468', '--option', 'tsize 0', '--option', 'windowsize 16', '-g', '-r', 'one-mib.bin', '-l', o('atftp'), host, port], {
    timeoutMs: 90_000,
  });
  assert.is(r.code, 0, r.stderr.slice(-2000));
  assert.is(await sha256File(o('atftp')), tree.files['one-mib.bin']);

  r = await run('tftp', ['-m', 'octet', host, port, '-c', 'get', 'undionly.kpxe', o('hpa')], { timeoutMs: 90_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(await sha256File(o('hpa')), tree.files['undionly.kpxe']);

  r = await run('curl', ['-sS', '--tftp-no-options', '-o', o('curl'), `tftp://${host}:${port}/undionly.kpxe`], { timeoutMs: 90_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(await sha256File(o('curl')), tree.files['undionly.kpxe']);

  // The server may still be resending a last block whose ACK the relay dropped: closing
  // ends that transfer, which badOutcomes counts as delivered.
  await server.close();
  assert.equal(badOutcomes(events), []);
  const stats = server.stats();
  assert.is(stats.transfers.started, 3);
  assert.ok(stats.retransmits > 0, 'the relay lost nothing: the test proved nothing');
});

test.run();
