// The agent's event sink until the servers exist: every event is logged
// through pino, counted by type in the metrics registry, and kept in a
// bounded in-memory history the admin endpoint serves (oldest dropped first).
import type { Logger } from 'pino';
import type { Registry } from '../metrics/registry.ts';

export interface AgentEvent {
  type: string;
  at: number;
  [key: string]: unknown;
}

/** Events that mean something is wrong, logged as warnings. */
const WARN = new Set(['boot.stalled', 'model.rejected', 'model.stale', 'dhcp.rogue-server', 'http.render-error', 'http.handler-error', 'service.crashed']);
/** Per-packet noise, logged at debug (still counted and kept). */
const DEBUG = new Set(['dhcp.discover', 'dhcp.request', 'dhcp.malformed', 'http.file', 'http.ipxe-discovery', 'http.client-error']);

export class EventLog {
  private readonly ring: (AgentEvent & { seq: number })[] = [];
  private seq = 0;
  private readonly counter;

  constructor(
    private readonly logger: Logger,
    registry: Registry,
    private readonly limit: number,
  ) {
    this.counter = registry.counter('vaquero_agent_events_total', 'Events the agent recorded, by type.', ['type']);
  }

  append(e: AgentEvent): void {
    const entry = { ...e, seq: ++this.seq };
    this.ring.push(entry);
    if (this.ring.length > this.limit) this.ring.shift();
    this.counter.inc({ type: e.type });
    const level = WARN.has(e.type) ? 'warn' : DEBUG.has(e.type) ? 'debug' : 'info';
    this.logger[level]({ event: entry }, e.type);
  }

  /** Events after sequence number `since`, oldest first, at most `limit`. */
  since(since = 0, limit = this.limit): (AgentEvent & { seq: number })[] {
    return this.ring.filter((e) => e.seq > since).slice(0, limit);
  }

  get lastSeq(): number {
    return this.seq;
  }
}
