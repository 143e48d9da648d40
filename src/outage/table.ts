// The outage table (DESIGN.md, seed/outage-table.md) as ONE typed constant:
// per dependency, how its loss is detected, what the supervisors do, what
// the user sees. Supervisors and retry loops read their numbers from here.
import type { BackoffPolicy } from './backoff.ts';
import type { RestartBudget } from '../supervisors/restart-budget.ts';

export type OutageProcess = 'agent' | 'server' | 'both';

export type Detection =
  /** A periodic read or long-poll of the dependency fails or times out. */
  | { kind: 'poll-error'; what: string }
  /** A request to one address fails (refused, reset, timed out). */
  | { kind: 'request-error'; what: string }
  /** Nothing heard from a peer that reports on its own for `afterMs`. */
  | { kind: 'heartbeat-timeout'; what: string; afterMs: number }
  /** A host being provisioned takes no boot step for `afterMs`. */
  | { kind: 'deadline'; what: string; afterMs: number }
  /** A client library reports the dependency gone (`error`/`end` events, failed commands). */
  | { kind: 'socket-error'; what: string }
  /** A supervised child dies: `error` event, a throw or a rejected promise in its handler. */
  | { kind: 'child-exit'; what: string }
  /** The process is gone; its process manager restarts it. */
  | { kind: 'process-exit'; what: string };

export type SupervisorAction =
  /** Keep serving what we have, marked stale; retry the dependency with backoff. */
  | { kind: 'serve-stale-and-retry'; backoff: BackoffPolicy }
  /** Move to the next address at once; an address that failed is retried with backoff. */
  | { kind: 'fail-over'; backoff: BackoffPolicy }
  /** The supervisor restarts the child per its strategy while the budget allows, then escalates. */
  | { kind: 'restart-child'; budget: RestartBudget }
  /** Stop the named subtree (its work is over or its peer is gone); nothing else is touched. */
  | { kind: 'stop-subtree'; subtree: string }
  /** Readiness false at once; if the dependency is not back within `rideThroughMs`, exit so the process manager restarts us. */
  | { kind: 'exit-process'; rideThroughMs: number; exitCode: number };

export interface UserSees {
  /** Status flags shown by the status API while the outage lasts. */
  status: readonly string[];
  /** What the readiness endpoint says during the outage. */
  readiness: 'unchanged' | 'not-ready';
  /** Event types raised when the outage starts and ends. These names are the contract for the event API. */
  events: readonly string[];
  summary: string;
}

export interface OutageRow {
  id: string;
  /** The seed's "Outage" column, verbatim; null for rows this project added. */
  seed: string | null;
  dependency: string;
  process: OutageProcess;
  detection: Detection;
  action: SupervisorAction;
  userSees: UserSees;
  /** Y/N after reading the seed's column and prose together (see `seedAcceptable`). */
  acceptable: 'Y' | 'N';
  /** The seed's "Acceptable Outage" column, verbatim; null for added rows. */
  seedAcceptable: string | null;
  /** How a fault-injection test causes this outage for real. */
  faultInjection: string;
}

// Numbers, and why:
// - Retry backoff starts at 0.5-1 s (a Sentinel failover or a server restart
//   takes 2-4 s, test-environment.md) and caps at 30-60 s so a long outage
//   costs little; jitter 0.5 on agent-side rows spreads a site fleet's retries.
// - Restart budgets follow OTP's spirit (a few restarts, seconds apart): 3 in
//   10 s for a socket service (a port that stays taken will not free itself;
//   the process manager's restart is the next, bigger hammer), 5 in 10 s for
//   actors, which crash on bad input rather than on the environment.
// - Ride-through for KV: 10 s, about 3x the worst measured failover with a
//   tuned ioredis (a frozen master: 3.3 s).
export const OUTAGE_TABLE = [
  {
    id: 'sot-to-vs',
    seed: 'SoT -> VS',
    dependency: 'source of truth (local folder or git remote)',
    process: 'server',
    detection: { kind: 'poll-error', what: 'a folder read or a git fetch fails' },
    action: { kind: 'serve-stale-and-retry', backoff: { baseMs: 1000, factor: 2, maxMs: 60_000, jitter: 0.2 } },
    userSees: {
      status: ['model.stale'],
      readiness: 'unchanged',
      events: ['model.stale', 'model.fresh'],
      summary: 'servers keep serving the last good model, marked stale, and retry until a read succeeds',
    },
    acceptable: 'Y',
    seedAcceptable: 'Y (potential for stale DM)',
    faultInjection: 'make the SoT folder unreadable, or point the git remote at a closed port',
  },
  {
    id: 'vs-to-va',
    seed: 'VS -> VA',
    dependency: 'server API as reached from an agent',
    process: 'agent',
    detection: { kind: 'poll-error', what: 'the model long-poll or an event batch post fails or times out' },
    action: { kind: 'serve-stale-and-retry', backoff: { baseMs: 500, factor: 2, maxMs: 30_000, jitter: 0.5 } },
    userSees: {
      status: ['agent.server-unreachable', 'model.stale'],
      readiness: 'unchanged',
      events: ['agent.server-unreachable', 'agent.server-reachable'],
      summary: 'the agent keeps serving its cached model (also across its own restart), buffers events and takes no new power actions',
    },
    acceptable: 'Y',
    seedAcceptable: 'Y (potential for stale DM)',
    faultInjection: 'cut the agent-to-server socket (stop the servers or drop their port)',
  },
  {
    id: 'vs-one-down',
    seed: 'VS Outage',
    dependency: 'one server of several',
    process: 'both',
    detection: { kind: 'request-error', what: 'requests to that server are refused or time out' },
    action: { kind: 'fail-over', backoff: { baseMs: 1000, factor: 2, maxMs: 30_000, jitter: 0.5 } },
    userSees: {
      status: [],
      readiness: 'unchanged',
      events: ['agent.failover'],
      summary: 'agents switch to another server; the remaining servers do all the work (any server can do any of it)',
    },
    acceptable: 'Y',
    seedAcceptable: 'Y if entire VS cluster out',
    faultInjection: 'kill one server process of three',
  },
  {
    id: 'vs-all-down',
    seed: 'VS Outage',
    dependency: 'every server',
    process: 'agent',
    detection: { kind: 'poll-error', what: 'every server address fails' },
    action: { kind: 'serve-stale-and-retry', backoff: { baseMs: 1000, factor: 2, maxMs: 30_000, jitter: 0.5 } },
    userSees: {
      status: ['agent.server-unreachable', 'model.stale'],
      readiness: 'unchanged',
      events: ['agent.server-unreachable', 'agent.server-reachable'],
      summary: 'agents keep booting hosts from cached models; no model updates, state or power actions until a server returns',
    },
    // The seed's prose calls a whole-cluster outage catastrophic while its
    // column reads "Y if entire VS cluster out"; we follow the prose.
    acceptable: 'N',
    seedAcceptable: 'Y if entire VS cluster out',
    faultInjection: 'kill every server process',
  },
  {
    id: 'va-down',
    seed: 'VA Outage',
    dependency: "a site's agent",
    process: 'server',
    detection: { kind: 'heartbeat-timeout', what: "the agent's long-polls stop arriving", afterMs: 30_000 },
    action: { kind: 'stop-subtree', subtree: "the agent's session on the servers" },
    userSees: {
      status: ['agent.down'],
      readiness: 'unchanged',
      events: ['agent.down', 'agent.up'],
      summary: "only that agent's site is affected; its power tasks wait in the queue until it returns",
    },
    acceptable: 'Y',
    seedAcceptable: 'Y for system as a whole',
    faultInjection: 'kill the agent process',
  },
  {
    id: 'lb-down',
    seed: 'VS Load Balancer / VirtualIP',
    dependency: 'load balancer or virtual IP in front of the servers',
    process: 'both',
    detection: { kind: 'request-error', what: 'requests to the virtual address are refused or time out' },
    action: { kind: 'fail-over', backoff: { baseMs: 1000, factor: 2, maxMs: 30_000, jitter: 0.5 } },
    userSees: {
      status: [],
      readiness: 'unchanged',
      events: ['agent.failover'],
      summary: "agents, users and the SoT webhook reach servers by their own addresses",
    },
    acceptable: 'Y',
    seedAcceptable: 'Y  (given routable VS)',
    faultInjection: 'stop the load balancer (or drop the virtual address)',
  },
  {
    id: 'va-to-host',
    seed: 'VA -> Host',
    dependency: 'network between an agent and its hosts',
    process: 'agent',
    detection: { kind: 'deadline', what: 'a host being provisioned takes no boot step', afterMs: 600_000 },
    action: { kind: 'stop-subtree', subtree: "the host's boot actor" },
    userSees: {
      status: [],
      readiness: 'unchanged',
      events: ['boot.stalled'],
      summary: "the host's boot times out into an event; models keep updating and other sites are unaffected",
    },
    acceptable: 'Y',
    seedAcceptable: 'Y',
    faultInjection: "drop the agent's DHCP/TFTP/HTTP traffic to one host mid-boot",
  },
  {
    id: 'vs-to-kv',
    seed: 'VS -> KV',
    dependency: 'Redis (with Sentinel)',
    process: 'server',
    detection: { kind: 'socket-error', what: 'Redis commands fail or the connection ends and no master is found' },
    action: { kind: 'exit-process', rideThroughMs: 10_000, exitCode: 1 },
    userSees: {
      status: ['kv.unreachable'],
      readiness: 'not-ready',
      events: ['kv.unreachable'],
      summary: 'the server stops serving at once (readiness false) and exits after the ride-through window so its process manager restarts it',
    },
    acceptable: 'N',
    seedAcceptable: 'N',
    faultInjection: 'kill the Redis master (and its replicas for the exit case)',
  },
  {
    id: 'va-dhcp-crash',
    seed: null,
    dependency: "the agent's DHCP service",
    process: 'agent',
    detection: { kind: 'child-exit', what: "the DHCP socket emits 'error', or its handler throws or rejects" },
    action: { kind: 'restart-child', budget: { intensity: 3, periodMs: 10_000 } },
    userSees: {
      status: [],
      readiness: 'unchanged',
      events: ['agent.child-restarted'],
      summary: 'the service is restarted; past the budget the agent process exits and its process manager restarts it',
    },
    acceptable: 'Y',
    seedAcceptable: null,
    faultInjection: "make the DHCP socket emit 'error' (or take its port)",
  },
  {
    id: 'va-tftp-crash',
    seed: null,
    dependency: "the agent's TFTP service",
    process: 'agent',
    detection: { kind: 'child-exit', what: "the TFTP socket emits 'error', or its handler throws or rejects" },
    action: { kind: 'restart-child', budget: { intensity: 3, periodMs: 10_000 } },
    userSees: {
      status: [],
      readiness: 'unchanged',
      events: ['agent.child-restarted'],
      summary: 'the service is restarted; transfers in flight are lost and the clients retry',
    },
    acceptable: 'Y',
    seedAcceptable: null,
    faultInjection: "make the TFTP socket emit 'error' (or take its port)",
  },
  {
    id: 'va-http-crash',
    seed: null,
    dependency: "the agent's HTTP asset server",
    process: 'agent',
    detection: { kind: 'child-exit', what: "the HTTP server emits 'error'" },
    action: { kind: 'restart-child', budget: { intensity: 3, periodMs: 10_000 } },
    userSees: {
      status: [],
      readiness: 'unchanged',
      events: ['agent.child-restarted'],
      summary: 'the service is restarted; iPXE retries its fetches',
    },
    acceptable: 'Y',
    seedAcceptable: null,
    faultInjection: "make the HTTP server emit 'error' (or take its port)",
  },
  {
    id: 'va-actor-crash',
    seed: null,
    dependency: "the agent's own actors (model cache, event reporter, task executor, boot actors)",
    process: 'agent',
    detection: { kind: 'child-exit', what: 'an actor handler throws or a promise it awaits rejects' },
    action: { kind: 'restart-child', budget: { intensity: 5, periodMs: 10_000 } },
    userSees: {
      status: [],
      readiness: 'unchanged',
      events: ['agent.child-restarted'],
      summary: 'the actor restarts with fresh state; messages queued for it are lost and counted',
    },
    acceptable: 'Y',
    seedAcceptable: null,
    faultInjection: 'send an actor a message that makes its handler throw',
  },
  {
    id: 'vs-actor-crash',
    seed: null,
    dependency: "the server's own actors (SoT updaters, model compiler, state engine, agent sessions)",
    process: 'server',
    detection: { kind: 'child-exit', what: 'an actor handler throws or a promise it awaits rejects' },
    action: { kind: 'restart-child', budget: { intensity: 5, periodMs: 10_000 } },
    userSees: {
      status: [],
      readiness: 'unchanged',
      events: ['server.child-restarted'],
      summary: 'the actor restarts with fresh state; past the budget the server process exits and its process manager restarts it',
    },
    acceptable: 'Y',
    seedAcceptable: null,
    faultInjection: 'send an actor a message that makes its handler throw',
  },
] as const satisfies readonly OutageRow[];

type Rows = (typeof OUTAGE_TABLE)[number];
export type OutageRowId = Rows['id'];
/** Rows whose action is a restart budget: the only ones a supervisor spec may name. */
export type RestartRowId = Extract<Rows, { action: { kind: 'restart-child' } }>['id'];
/** Rows whose action retries with backoff (serve stale, or fail over). */
export type BackoffRowId = Extract<Rows, { action: { kind: 'serve-stale-and-retry' | 'fail-over' } }>['id'];

export function rowFor(id: OutageRowId): OutageRow {
  const row = OUTAGE_TABLE.find((r) => r.id === id);
  if (row === undefined) throw new Error(`outage table has no row ${String(id)}`);
  return row;
}

/** The supervisor action of a row. */
export function policyFor(id: OutageRowId): SupervisorAction {
  return rowFor(id).action;
}

export function restartBudgetFor(id: RestartRowId): RestartBudget {
  const action = policyFor(id);
  if (action.kind !== 'restart-child') throw new Error(`outage row ${id} has no restart budget`);
  return { intensity: action.budget.intensity, periodMs: action.budget.periodMs };
}

export function backoffFor(id: BackoffRowId): BackoffPolicy {
  const action = policyFor(id);
  if (action.kind !== 'serve-stale-and-retry' && action.kind !== 'fail-over') throw new Error(`outage row ${id} has no backoff`);
  return { ...action.backoff };
}

/** The timeout after which a row's outage counts as detected, for heartbeat and deadline rows. */
export function detectionAfterMs(id: OutageRowId): number | undefined {
  const d = rowFor(id).detection;
  return d.kind === 'heartbeat-timeout' || d.kind === 'deadline' ? d.afterMs : undefined;
}
