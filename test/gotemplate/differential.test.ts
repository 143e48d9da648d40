// Differential suite: every case is rendered by Go (gotemplate-oracle) and
// by our engine; both succeed with byte-identical output, or both fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderLikeOracle } from '../../src/cli/template.ts';
import { TemplateExecError } from '../../src/gotemplate/index.ts';
import { mapLimit, runOracle, type ProcResult } from '../helpers/oracle.ts';
import { allCases, type TemplateCase } from './cases/index.ts';

interface Ours { ok: boolean; out: string; err: string }

function ours(c: TemplateCase): Ours {
  try {
    const out = renderLikeOracle({ name: c.file ?? 't.tmpl', text: c.template, data: c.data ?? {}, snippets: c.snippets, funcs: c.funcs, missingKey: c.missingKey });
    return { ok: true, out, err: '' };
  } catch (e) {
    return { ok: false, out: e instanceof TemplateExecError ? e.partial : '', err: e instanceof Error ? e.message : String(e) };
  }
}

test('has at least 300 cases with unique names', () => {
  assert.ok(allCases.length >= 300, `only ${allCases.length} cases`);
  const names = new Set(allCases.map((c) => c.name));
  assert.is(names.size, allCases.length, 'duplicate case names');
});

test('every case: same output as Go, or both fail', async () => {
  const go: ProcResult[] = await mapLimit(allCases, 8, (c) => runOracle({ name: c.file ?? 't.tmpl', text: c.template, data: c.data ?? {}, snippets: c.snippets, funcs: c.funcs, missingKey: c.missingKey }));
  const failures: string[] = [];
  let bothFailed = 0;
  allCases.forEach((c, i) => {
    const g = go[i]!;
    const o = ours(c);
    if (g.code !== 0 && g.code !== 1) failures.push(`${c.name}: oracle exited ${g.code}: ${g.stderr}`);
    else if (g.code === 0 && !o.ok) failures.push(`${c.name}: Go rendered ${JSON.stringify(g.stdout)} but we failed: ${o.err}`);
    else if (g.code === 1 && o.ok) failures.push(`${c.name}: Go failed (${g.stderr.trim()}) but we rendered ${JSON.stringify(o.out)}`);
    else if (g.code === 0 && g.stdout !== o.out) failures.push(`${c.name}:\n  go:   ${JSON.stringify(g.stdout)}\n  ours: ${JSON.stringify(o.out)}`);
    else if (g.code === 1) {
      bothFailed++;
      // Our message names the template and a line, like Go's.
      if (!/^template: [^:]+(:\d+)?/.test(o.err)) failures.push(`${c.name}: error without template/line: ${o.err}`);
    }
  });
  assert.ok(bothFailed > 50, `expected many error cases, got ${bothFailed}`);
  assert.equal(failures, [], `${failures.length} of ${allCases.length} cases differ:\n${failures.join('\n')}`);
});

test.run();
