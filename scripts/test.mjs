#!/usr/bin/env node
// `npm test`: runs every test/**/*.test.ts with uvu (through tsx) and fails
// unless every test ran and passed. uvu 0.5.6 exits 0 when a `before` hook
// throws: that suite's tests are simply not run and "Passed" ends up below
// "Total". This wrapper turns that into a failure and ends with the plain
// summary line CI reads: `N passed, N failed`.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const pattern = args[0] ?? '\\.test\\.ts$';
const dir = args[1] ?? 'test';
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'node_modules/uvu/bin.js'), dir, pattern], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (b) => {
  process.stdout.write(b);
  out += b.toString();
});
const forward = (sig) => child.kill(sig);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('close', (code, signal) => {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  let failed = Number.isFinite(total) && Number.isFinite(passed) ? total - passed : 1;
  if (code !== 0 && failed === 0) failed = 1; // uvu failed outside any test (a file that did not load)
  if (!Number.isFinite(total) || total === 0) {
    console.log('no test ran');
    failed = Math.max(failed, 1);
  } else if (failed > 0 && code === 0) {
    console.log(`${failed} test(s) did not run: a suite's before hook probably failed (see above)`);
  }
  console.log(`${Number.isFinite(passed) ? passed : 0} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(signal ? 1 : failed > 0 ? 1 : code ?? 1);
});
