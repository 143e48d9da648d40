// validateSotParallel (worker threads for the typed checks, used by
// `vaquero validate` on large models) finds exactly what validateSot finds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PARALLEL_HOSTS, validateSot, validateSotParallel } from '../../src/validate/index.ts';
import { formatProblem } from '../../src/model/problems.ts';
import { LAB_SOT, copySot } from '../helpers/sot.ts';

test(`above ${PARALLEL_HOSTS} hosts the parallel check reports the same problems, hosts in model order`, async () => {
  const c = copySot(LAB_SOT);
  try {
    const docs: string[] = [];
    for (let i = 0; i < PARALLEL_HOSTS + 100; i++) {
      // Every 500th name breaks the rendered ignition (`inline: a: b` is not YAML); every 700th lacks metadata.
      const name = i % 500 === 7 ? `bad: name-${i}` : `w-${i}`;
      const md = i % 700 === 3 ? '' : 'metadata:\n  prefix: 24\n';
      docs.push(`---\nname: "${name}"\ninterfaces:\n  - type: physical\n    subnet: lab\n    mac: 52:54:01:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}\n    ipv4: 10.100.${1 + (i >> 8)}.${i & 255}\n${md}workflow: flatcar-worker\n`);
    }
    c.write('sites/lab/cluster-many.yml', docs.join(''));
    const seq = validateSot(c.dir).problems.sorted().map(formatProblem);
    const par = (await validateSotParallel(c.dir)).problems.sorted().map(formatProblem);
    assert.ok(seq.some((l) => l.includes('rendered ignition')), 'the typed check found the broken names');
    assert.ok(seq.some((l) => l.includes('<no value>')), 'missing metadata found');
    assert.equal(par, seq);
  } finally {
    c.cleanup();
  }
});

test.run();
