// Boot actors under the agent's boot supervisor (outage row va-actor-crash):
// a boot actor that crashes restarts alone with fresh state and the report
// the row promises; crashes past the row's budget escalate.
import { pino } from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BootTracker } from '../../src/agent/boot-tracker.ts';
import type { AgentEvent } from '../../src/agent/event-log.ts';
import { restartBudgetFor } from '../../src/outage/table.ts';
import type { SupervisionReport } from '../../src/supervisors/child.ts';
import { startRoot } from '../../src/supervisors/root.ts';
import { supervisorSpec } from '../../src/supervisors/supervisor.ts';
import type { VaqueroError } from '../../src/errors.ts';
import { until } from '../helpers/until.ts';

const A = '52:54:00:00:00:0a';
const B = '52:54:00:00:00:0b';
const HOSTS: Record<string, string> = { [A]: 'host-a', [B]: 'host-b' };

async function setup(failOn: (e: AgentEvent) => boolean) {
  const events: AgentEvent[] = [];
  const reports: SupervisionReport[] = [];
  const fatal: VaqueroError[] = [];
  const root = await startRoot(supervisorSpec({ name: 'boot-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [] }), {
    logger: pino({ enabled: false }),
    onFatal: (e) => fatal.push(e),
    onReport: (r) => reports.push(r),
  });
  const tracker = new BootTracker({
    sup: root,
    hostOf: (mac) => HOSTS[mac],
    macOf: () => undefined,
    // The event sink failing inside the actor's effect is the crash under test.
    emit: (e) => {
      if (failOn(e)) throw new Error(`sink refused ${String(e.type)} for ${String(e.mac)}`);
      events.push(e);
    },
    stallAfterMs: 60_000,
  });
  return { root, tracker, events, reports, fatal };
}

const stages = (events: AgentEvent[], mac: string) => events.filter((e) => e.type === 'boot.stage' && e.mac === mac).map((e) => e.stage);

test('a boot actor that crashes restarts alone, with fresh state and an agent.child-restarted report', async () => {
  let failed = false;
  const t = await setup((e) => {
    if (failed || e.mac !== A || e.stage !== 'tftp') return false;
    failed = true;
    return true;
  });
  try {
    await t.tracker.observe({ mac: A, stage: 'dhcp', starts: true });
    await t.tracker.observe({ mac: B, stage: 'dhcp', starts: true });
    await t.tracker.observe({ mac: B, stage: 'tftp', starts: true });
    await until('both actors reported dhcp', 5000, () => stages(t.events, A).length === 1 && stages(t.events, B).length === 2);
    await t.tracker.observe({ mac: A, stage: 'tftp', starts: true });
    await until('the restart report', 5000, () => t.reports.length === 1);
    assert.equal(t.reports, [{ type: 'restarted', supervisor: 'boot-sup', policy: 'va-actor-crash', child: `boot-${A}`, reason: `sink refused boot.stage for ${A}`, restarted: [`boot-${A}`], restartsInPeriod: 1 }]);
    assert.equal((await t.root.status()).map((c) => [c.id, c.running, c.incarnation]), [
      [`boot-${A}`, true, 2],
      [`boot-${B}`, true, 1],
    ]);
    // Fresh state: the restarted actor has reached nothing, so the next step is news again; B is untouched.
    await t.tracker.observe({ mac: A, stage: 'ipxe', starts: true });
    await until('A reports ipxe', 5000, () => stages(t.events, A).includes('ipxe'));
    assert.equal(stages(t.events, A), ['dhcp', 'ipxe']);
    assert.equal(stages(t.events, B), ['dhcp', 'tftp']);
    assert.equal(t.fatal, []);
  } finally {
    await t.root.stop();
  }
});

test('boot actors crashing past the va-actor-crash budget make the boot supervisor give up and escalate', async () => {
  const budget = restartBudgetFor('va-actor-crash');
  const t = await setup((e) => e.type === 'boot.stage' && e.stage !== 'dhcp');
  try {
    await t.tracker.observe({ mac: A, stage: 'dhcp', starts: true });
    // Every later stage is news to the restarted actor, and reporting it crashes the actor again.
    const later = ['tftp', 'ipxe', 'kernel', 'initrd', 'config', 'checkpoint'] as const;
    assert.ok(later.length > budget.intensity, 'enough distinct stages to spend the budget');
    for (let i = 0; i <= budget.intensity && t.fatal.length === 0; i++) {
      const before = t.reports.length;
      await t.tracker.observe({ mac: A, stage: later[i]!, starts: true });
      await until(`crash ${i + 1} handled`, 5000, () => t.reports.length > before || t.fatal.length > 0);
    }
    await until('escalation', 5000, () => t.fatal.length === 1);
    assert.is(t.fatal[0]!.code, 'VQ_ERR_SUPERVISOR_GAVE_UP');
    assert.equal(
      t.reports.map((r) => r.type),
      [...Array<string>(budget.intensity).fill('restarted'), 'gave-up'],
    );
  } finally {
    await t.root.stop();
  }
});

test.run();
