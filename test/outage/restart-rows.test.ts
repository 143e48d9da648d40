// Generated from the table: for every restart-child row, a supervisor built
// from that row restarts a crashing child exactly `intensity` times inside
// one period, and the next crash reaches the root as a fatal escalation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { VaqueroError } from '../../src/errors.ts';
import { OUTAGE_TABLE, type OutageRow, type RestartRowId } from '../../src/outage/table.ts';
import { startRoot } from '../../src/supervisors/root.ts';
import { supervisorSpec } from '../../src/supervisors/supervisor.ts';
import { captureLogger, Probes, Recorder, waitFor } from '../supervisors/support.ts';

const restartRows = (OUTAGE_TABLE as readonly OutageRow[]).filter((r) => r.action.kind === 'restart-child');

test('the table has restart rows to generate from', () => {
  assert.ok(restartRows.length >= 3);
});

for (const row of restartRows) {
  if (row.action.kind !== 'restart-child') continue;
  const { intensity, periodMs } = row.action.budget;
  test(`${row.id}: ${intensity} restarts per ${periodMs} ms, then the process-level fatal`, async () => {
    const rec = new Recorder();
    const probes = new Probes();
    const fatal: VaqueroError[] = [];
    const spec = supervisorSpec({ name: `${row.id}-sup`, strategy: 'one_for_one', policy: row.id as RestartRowId, children: [rec.wrap(probes.spec('child'))] });
    const root = await startRoot(spec, { logger: captureLogger().logger, onFatal: (e) => fatal.push(e), now: () => 42 });
    try {
      for (let i = 1; i <= intensity; i++) {
        probes.crash('child');
        await waitFor(() => rec.count('child') === i + 1, `restart ${i}`);
      }
      await root.status();
      assert.equal(fatal, []);
      probes.crash('child');
      await waitFor(() => fatal.length === 1, 'the fatal escalation');
      assert.is(rec.count('child'), intensity + 1);
      assert.is(fatal[0]?.code, 'VQ_ERR_SUPERVISOR_GAVE_UP');
      assert.match(fatal[0]?.message ?? '', `(outage row ${row.id})`);
    } finally {
      await root.stop();
    }
  });
}

test.run();
