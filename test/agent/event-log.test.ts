import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { EventLog } from '../../src/agent/event-log.ts';
import { Registry } from '../../src/metrics/registry.ts';

test('the history keeps the last N events in order, by sequence number, and counts every one', () => {
  const registry = new Registry();
  const log = new EventLog(pino({ level: 'silent' }), registry, 3);
  for (let i = 1; i <= 7; i++) log.append({ type: i % 2 ? 'dhcp.offer' : 'boot.stage', at: i });
  assert.equal(log.since().map((e) => [e.seq, e.at]), [[5, 5], [6, 6], [7, 7]]);
  assert.equal(log.since(5).map((e) => e.seq), [6, 7]);
  assert.equal(log.since(0, 2).map((e) => e.seq), [5, 6]);
  assert.is(log.lastSeq, 7);
  const text = registry.metrics();
  assert.ok(text.includes('vaquero_agent_events_total{type="dhcp.offer"} 4'), text);
  assert.ok(text.includes('vaquero_agent_events_total{type="boot.stage"} 3'), text);
});

test.run();
