// The agent's event sink until the servers exist: every event is logged
// through pino, counted by type in the metrics registry, and kept in a
// bounded in-memory history the admin endpoint serves (oldest dropped first).
import type { Logger } from 'pino';
import type { CounterChild, Registry } from '../metrics/registry.ts';

export interface AgentEvent {
  type: string;
  at: number;
  [key: string]: unknown;
}

/** Events that mean something is wrong, logged as warnings. */
const WARN = new Set(['boot.stalled', 'model.rejected', 'model.stale', 'dhcp.rogue-server', 'http.render-error', 'http.handler-error', 'agent.child-restarted', 'agent.supervisor-gave-up', 'agent.settings-failed']);

/**
 * Boots, models and the agent's own changes (a service restarted for new settings) are logged at info; per-packet and per-request events
 * (every DHCP message, TFTP transfer, HTTP request) at debug: they are still
 * counted and kept in the history, and a boot's progress is its boot.stage
 * events. Logging each at info cost more than serving it (bench:agent).
 */
function levelOf(type: string): 'warn' | 'info' | 'debug' {
  if (WARN.has(type)) return 'warn';
  return type.startsWith('boot.') || type.startsWith('model.') || type.startsWith('agent.') ? 'info' : 'debug';
}

export class EventLog {
  // A circular buffer: every DHCP packet appends, and Array.shift on a full
  // history would move every entry each time. Entries keep the caller's event
  // and add `seq` only when read: copying each event on append was 7% of the
  // agent's busy time at 10,000 DORA/s (bench:agent profile).
  private readonly ring: AgentEvent[] = [];
  /** Sequence number of ring[i] (parallel arrays: no wrapper object per event). */
  private readonly seqs: number[] = [];
  private head = 0;
  private seq = 0;
  private readonly counter;
  /** Per event type: its counter child and log level, resolved once. */
  private readonly byType = new Map<string, { child: CounterChild; level: 'warn' | 'info' | 'debug' }>();

  constructor(
    private readonly logger: Logger,
    registry: Registry,
    private readonly limit: number,
  ) {
    this.counter = registry.counter('vaquero_agent_events_total', 'Events the agent recorded, by type.', ['type']);
  }

  /** Keeps `e` itself (callers hand over fresh objects and do not change them afterwards). */
  append(e: AgentEvent): void {
    const seq = ++this.seq;
    if (this.ring.length < this.limit) {
      this.ring.push(e);
      this.seqs.push(seq);
    } else {
      this.ring[this.head] = e;
      this.seqs[this.head] = seq;
      this.head = (this.head + 1) % this.limit;
    }
    let t = this.byType.get(e.type);
    if (t === undefined) {
      t = { child: this.counter.labels({ type: e.type }), level: levelOf(e.type) };
      this.byType.set(e.type, t);
    }
    t.child.inc();
    if (this.logger.isLevelEnabled(t.level)) this.logger[t.level]({ event: { ...e, seq } }, e.type);
  }

  /** Events after sequence number `since`, oldest first, at most `limit`. */
  since(since = 0, limit = this.limit): (AgentEvent & { seq: number })[] {
    const out: (AgentEvent & { seq: number })[] = [];
    const n = this.ring.length;
    for (let k = 0; k < n && out.length < limit; k++) {
      const i = (this.head + k) % n;
      const seq = this.seqs[i]!;
      if (seq > since) out.push({ ...this.ring[i]!, seq });
    }
    return out;
  }

  get lastSeq(): number {
    return this.seq;
  }
}
