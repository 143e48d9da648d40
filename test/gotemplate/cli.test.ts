// `vaquero template render` end to end: the real bin/vaquero.js against the
// Go oracle on the same files; exit codes, stdout and (for errors) a message
// on stderr must agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit, oracleBinary, repoRoot, runProcess, writeCaseFiles, type OracleInput } from '../helpers/oracle.ts';

const bin = join(repoRoot, 'bin/vaquero.js');

const cases: [string, OracleInput][] = [
  ['renders with snippets and funcs', {
    name: 'etcd.yml', text: 'a: {{template "s" .}} {{Checkpoint}} {{.n}}\n', data: { n: 1.5, host: 'h' },
    snippets: [['s.tmpl', '{{define "s"}}[{{.host}}]{{end}}']], funcs: { Checkpoint: 'http://cp' },
  }],
  ['missingkey=error fails', { name: 't', text: 'x{{.nope}}', data: {}, missingKey: 'error' }],
  ['missingkey=zero', { name: 't', text: '{{.nope}}|{{print .nope}}', data: {}, missingKey: 'zero' }],
  ['parse error', { name: 'bad.tmpl', text: '{{if}}', data: {} }],
  ['exec error keeps partial output', { name: 'p.tmpl', text: 'before {{index .l 2}} after', data: { l: [] } }],
];

test('same exit code and output as the Go oracle', async () => {
  const go = await oracleBinary();
  const results = await mapLimit(cases, 4, async ([label, input]) => {
    const { dir, args } = await writeCaseFiles(input);
    try {
      const g = await runProcess(go, args);
      // The oracle takes Go-style single-dash flags; ours are --flags.
      const ours = await runProcess(process.execPath, [bin, 'template', 'render', ...args.map((a) => (a.startsWith('-') ? `-${a}` : a))]);
      return { label, g, ours };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  for (const { label, g, ours } of results) {
    assert.is(ours.code, g.code, `${label}: exit code (stderr: ${ours.stderr})`);
    assert.is(ours.stdout, g.stdout, `${label}: stdout`);
    assert.is(ours.stderr.length > 0, g.stderr.length > 0, `${label}: stderr presence`);
    if (g.code === 1) assert.match(ours.stderr, /^template: /, `${label}: error message`);
  }
});

test('usage errors exit 2, --help exits 0', async () => {
  const noData = await runProcess(process.execPath, [bin, 'template', 'render', 'x.tmpl']);
  assert.is(noData.code, 2);
  assert.match(noData.stderr, /usage: vaquero template render/);
  const badFunc = await runProcess(process.execPath, [bin, 'template', 'render', '--data', 'd.json', '--func', 'NoEquals', 'x.tmpl']);
  assert.is(badFunc.code, 2);
  const badMissing = await runProcess(process.execPath, [bin, 'template', 'render', '--data', 'd.json', '--missingkey', 'bogus', 'x.tmpl']);
  assert.is(badMissing.code, 2);
  const help = await runProcess(process.execPath, [bin, 'template', 'render', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /--snippets DIR/);
});

test('unreadable data is exit 1 like the oracle', async () => {
  const ours = await runProcess(process.execPath, [bin, 'template', 'render', '--data', '/nonexistent/d.json', '/nonexistent/t']);
  const g = await runProcess(await oracleBinary(), ['-data', '/nonexistent/d.json', '/nonexistent/t']);
  assert.is(ours.code, 1);
  assert.is(g.code, 1);
});

test.run();
