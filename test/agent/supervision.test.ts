// The agent's tree under fault injection: a crashed service restarts alone,
// within its outage-table budget; a spent budget escalates, and when the top
// gives up the process is told to exit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OUTAGE_TABLE, restartBudgetFor, type OutageRowId } from '../../src/outage/table.ts';
import type { ServiceId } from '../../src/agent/runtime.ts';
import { holdPort, startTestAgent, until, type TestAgent } from '../helpers/agent.ts';

const withAgent = async (fn: (t: TestAgent) => Promise<void>): Promise<void> => {
  // A fixed asset-server port, as in production: on port 0 every start of HTTP binds
  // another port, and DHCP, whose replies name it, restarts too (settings.test.ts).
  const free = await holdPort();
  await free.close();
  const t = await startTestAgent({ httpPort: free.port });
  try {
    await fn(t);
  } finally {
    await t.stop();
  }
};

test('all services start once and the agent is ready with the model loaded', () =>
  withAgent(async ({ agent }) => {
    assert.equal(agent.starts(), { 'sot-source': 1, dhcp: 1, tftp: 1, http: 1 });
    await until('model loaded', 10_000, () => agent.status().ready);
    assert.equal(agent.status().services, { dhcp: true, tftp: true, http: true });
    assert.equal(Object.keys(agent.addresses).sort(), ['admin', 'dhcp', 'http', 'tftp']);
  }));

// One fault-injection test per agent service row of the outage table, generated from it.
const SERVICE_OF: Partial<Record<OutageRowId, ServiceId>> = { 'va-dhcp-crash': 'dhcp', 'va-tftp-crash': 'tftp', 'va-http-crash': 'http' };
const serviceRows = OUTAGE_TABLE.filter((r) => r.process === 'agent' && r.action.kind === 'restart-child' && r.id !== 'va-actor-crash');

test('every agent service row of the outage table has a fault-injection test here', () => {
  assert.equal(serviceRows.map((r) => r.id).filter((id) => !SERVICE_OF[id]), []);
});

for (const id of [...serviceRows.map((r) => SERVICE_OF[r.id]!), 'sot-source' as const]) {
  test(`a crash in ${id} restarts exactly ${id}`, () =>
    withAgent(async ({ agent, fatal }) => {
      agent.injectCrash(id);
      await until(`${id} restarted`, 10_000, () => agent.starts()[id] === 2);
      await until('ready again', 10_000, () => agent.status().ready);
      // No subtree of the agent supervisor restarted: the crash stayed inside the service's own supervisor.
      assert.equal(
        (await agent.root.status()).map((c) => [c.id, c.running, c.incarnation]),
        ['model-cache', 'sot-source', 'http-sup', 'dhcp-sup', 'tftp-sup', 'boot-sup'].map((c) => [c, true, c === id ? 2 : 1]),
      );
      assert.equal(agent.starts(), { 'sot-source': 1, dhcp: 1, tftp: 1, http: 1, [id]: 2 });
      assert.equal(fatal, []);
      // What the outage table says the operator sees: the row's events, from the service's own supervisor.
      const row = OUTAGE_TABLE.find((r) => SERVICE_OF[r.id] === id);
      const restarted = agent.events.since(0).filter((e) => e.type === 'agent.child-restarted');
      assert.equal(
        restarted.map(({ at: _at, seq: _seq, ...e }) => e),
        [{ type: 'agent.child-restarted', supervisor: id === 'sot-source' ? 'agent-sup' : `${id}-sup`, policy: row?.id ?? 'va-actor-crash', child: id, reason: `fault injected into ${id}`, restarted: [id], restartsInPeriod: 1 }],
      );
      for (const e of row?.userSees.events ?? []) assert.ok(agent.events.since(0).some((x) => x.type === e), `${row?.id}: event ${e}`);
    }));
}

test('a service crashing past its budget escalates; the agent supervisor restarts its subtree, then gives up and the process is told to exit', () =>
  withAgent(async ({ agent, fatal }) => {
    const budget = restartBudgetFor('va-tftp-crash');
    const outer = restartBudgetFor('va-actor-crash');
    // Each injected crash waits for the restart it causes, so every crash lands on a live incarnation.
    let crashes = 0;
    while (fatal.length === 0 && crashes < (budget.intensity + 1) * (outer.intensity + 2)) {
      const before = agent.starts().tftp ?? 0;
      agent.injectCrash('tftp');
      crashes++;
      await until('tftp restart or fatal', 10_000, () => (agent.starts().tftp ?? 0) > before || fatal.length > 0);
    }
    assert.equal(fatal.length, 1);
    assert.is(fatal[0]!.code, 'VQ_ERR_SUPERVISOR_GAVE_UP');
    // tftp-sup restarts tftp `intensity` times, gives up, and agent-sup restarts tftp-sup until its own budget is spent.
    assert.equal(crashes, (budget.intensity + 1) * (outer.intensity + 1));
    assert.equal(agent.starts().dhcp, 1);
    assert.equal(agent.starts().http, 1);
  }));

test.run();
