// The boot tracker's repeat coalescing: a repeated stage from a host whose
// actor heard from it within the window is skipped (coalesced() true); a new
// stage, an unknown or untracked host, and a repeat after the window are not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BootTracker } from '../../src/agent/boot-tracker.ts';
import type { AgentEvent } from '../../src/agent/event-log.ts';
import { startRoot } from '../../src/supervisors/root.ts';
import { supervisorSpec } from '../../src/supervisors/supervisor.ts';
import { until } from '../helpers/until.ts';
import { captureLogger } from '../supervisors/support.ts';

const MAC = '52:54:00:00:10:01';

async function setup(stallAfterMs: number): Promise<{ tracker: BootTracker; events: AgentEvent[]; stop(): Promise<void> }> {
  const root = await startRoot(supervisorSpec({ name: 'boot-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [] }), {
    logger: captureLogger().logger,
    onFatal: (e) => assert.unreachable(`unexpected fatal: ${e.message}`),
  });
  const events: AgentEvent[] = [];
  const tracker = new BootTracker({
    sup: root,
    hostOf: (mac) => (mac === MAC ? 'worker-1' : undefined),
    macOf: () => undefined,
    emit: (e) => events.push(e),
    stallAfterMs,
  });
  return { tracker, events, stop: () => root.stop() };
}

const dhcp = { mac: MAC, stage: 'dhcp' as const, starts: true, detail: 'undionly.kpxe' };

test('a repeat within the window is coalesced; a new stage, an untracked or unknown host is not', async () => {
  const t = await setup(600_000);
  try {
    assert.is(t.tracker.coalesced(dhcp), false, 'no actor yet');
    await t.tracker.observe(dhcp);
    assert.equal(t.tracker.active(), [{ mac: MAC, stage: 'dhcp' }]);
    assert.is(t.tracker.coalesced(dhcp), true);
    assert.is(t.tracker.coalesced({ ...dhcp, detail: 'other' }), true);
    assert.is(t.tracker.coalesced({ mac: MAC, stage: 'tftp', starts: true }), false);
    assert.is(t.tracker.coalesced({ ip: '10.0.0.11', stage: 'file', starts: false }), false);
    assert.is(t.tracker.coalesced({ ...dhcp, mac: '52:54:00:99:99:99' }), false);
    await t.tracker.observe({ mac: MAC, stage: 'tftp', starts: true, detail: 'undionly.kpxe' });
    assert.is(t.tracker.coalesced(dhcp), true, 'an earlier stage is a repeat too');
    await until('both stages reported', 5_000, () => t.events.filter((e) => e.type === 'boot.stage').length === 2);
    assert.equal(t.events.map((e) => [e.type, e.stage]), [['boot.stage', 'dhcp'], ['boot.stage', 'tftp']]);
  } finally {
    await t.stop();
  }
});

test('the window is a tenth of the stall timeout when that is shorter: a repeat after it is told again', async () => {
  const t = await setup(300);
  try {
    await t.tracker.observe(dhcp);
    assert.is(t.tracker.coalesced(dhcp), true);
    // 30 ms later the repeat must reach the actor again (it moves the stall deadline).
    await until('window passed', 5_000, () => !t.tracker.coalesced(dhcp));
    await t.tracker.observe(dhcp);
    assert.is(t.tracker.coalesced(dhcp), true);
  } finally {
    await t.stop();
  }
});

test.run();
