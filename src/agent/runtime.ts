// The agent process: a supervision tree (src/supervisors) holding the model
// cache, the SoT source, the DHCP, TFTP and HTTP services and one boot actor
// per host being provisioned; events go to the event log; an admin endpoint
// serves health, readiness, metrics, events and boots.
//
//   agent-sup (one_for_one, va-actor-crash)
//   ├── model-cache          actor: last good model, stale flag
//   ├── sot-source           service: polls the SoT folder
//   ├── http-sup  -> http    service, budget from row va-http-crash
//   ├── dhcp-sup  -> dhcp    service, budget from row va-dhcp-crash (after http: its replies name http's port)
//   ├── tftp-sup  -> tftp    service, budget from row va-tftp-crash
//   └── boot-sup             dynamic: boot-<mac> actors
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { isVaqueroError, VaqueroError } from '../errors.ts';
import { initModel, stepModel, type ModelEffect, type ModelMsg, type ModelState } from '../actors/model-cache.ts';
import { createRogueDetector } from '../io/dhcp/detector.ts';
import { createDhcpServer } from '../io/dhcp/server.ts';
import { agentMetrics, type CountedEvent } from './agent-metrics.ts';
import { createAssetServer } from '../io/http/server.ts';
import { createTftpServer } from '../io/tftp/server.ts';
import { Registry } from '../metrics/registry.ts';
import { actorChild } from '../supervisors/actor.ts';
import { startRoot, type Root } from '../supervisors/root.ts';
import { serviceChild, type ServiceSignals } from '../supervisors/service.ts';
import { supervisorChild, supervisorSpec, type SupervisorControl } from '../supervisors/supervisor.ts';
import type { ChildSpec } from '../supervisors/child.ts';
import type { Agent } from '../model/types.ts';
import { loadSot } from '../model/load.ts';
import { createAdminServer, type AdminStatus } from './admin.ts';
import { createAssetRoutes, type AgentModel } from './asset-routes.ts';
import { bootStepOf } from './boot-steps.ts';
import { BootTracker } from './boot-tracker.ts';
import { IPXE_FALLBACK_DIR, type AgentConfig } from './config.ts';
import { EventLog, type AgentEvent } from './event-log.ts';
import { siteLeases, type SiteLeases } from './leases.ts';
import { createLocalSource } from './model-source.ts';

export interface AgentHandle {
  /** Where each service listens (port 0 in tests picks a free one). */
  addresses: Record<string, { address: string; port: number }>;
  events: EventLog;
  registry: Registry;
  status(): AdminStatus;
  root: Root;
  /** Check the SoT folder now instead of at the next poll. */
  pollNow(): void;
  /** Starts of each service so far (1 each after start; a restart adds one). */
  starts(): Record<string, number>;
  /** Fault injection: the named service's current incarnation crashes as if its socket failed. */
  injectCrash(id: ServiceId): void;
  stop(): Promise<void>;
}

export type ServiceId = 'sot-source' | 'dhcp' | 'tftp' | 'http';

export interface AgentOptions {
  logger: Logger;
  /** Called when the tree gives up (restart budget spent): the entry point exits non-zero. */
  onFatal: (reason: VaqueroError) => void;
}

/** Settings that come from the site's model, unless the command line gives them. */
interface SiteSettings {
  httpPort: number;
  filesDir: string;
  tftpDir: string;
  dhcpMode: 'server' | 'proxy';
  scheme: string;
}

/**
 * What each service reads from the settings when it starts: a change to one of these
 * restarts that service (and only it) with the new value.
 */
const SETTINGS_OF: Record<'dhcp' | 'tftp' | 'http', readonly (keyof SiteSettings)[]> = {
  // The iPXE URL in DHCP replies names the asset server's scheme and port.
  dhcp: ['dhcpMode', 'scheme', 'httpPort'],
  tftp: ['tftpDir'],
  http: ['httpPort', 'filesDir'],
};

/** The settings `agent` (the site's first agent) asks for; command-line values win. */
function settingsOf(cfg: AgentConfig, agent: Agent | undefined): SiteSettings {
  const tftp = agent?.raw.tftp_server;
  const tftpFromModel = typeof tftp === 'object' && tftp !== null && !Array.isArray(tftp) && typeof tftp.base_dir === 'string' ? tftp.base_dir : undefined;
  const tftpDir = cfg.tftpDir ?? tftpFromModel ?? IPXE_FALLBACK_DIR;
  return {
    httpPort: cfg.httpPort ?? agent?.assetServer.port ?? 24602,
    filesDir: cfg.filesDir ?? agent?.assetServer.base_dir ?? '/var/vaquero/files',
    tftpDir: existsSync(tftpDir) ? tftpDir : IPXE_FALLBACK_DIR,
    dhcpMode: agent?.dhcpMode ?? 'server',
    scheme: agent?.assetServer.scheme ?? 'http',
  };
}

/** Settings to start with, before the source has validated a model: read from the folder as it is. */
function startSettings(cfg: AgentConfig): SiteSettings {
  let agent: Agent | undefined;
  try {
    // Loading is enough for these settings; the source validates the model itself.
    agent = loadSot(cfg.sotDir, undefined, { sites: [cfg.siteId] }).sot.sites.get(cfg.siteId)?.env.agents[0];
  } catch {
    agent = undefined; // the source reports it; defaults until a model loads
  }
  return settingsOf(cfg, agent);
}

export async function startAgent(cfg: AgentConfig, opts: AgentOptions): Promise<AgentHandle> {
  const { logger } = opts;
  const registry = new Registry();
  const events = new EventLog(logger.child({ component: 'events' }), registry, cfg.eventHistory);
  /** What the current model asks for; each service reads it when it starts (see reconcileSettings). */
  let settings = startSettings(cfg);
  const addresses: AgentHandle['addresses'] = {};

  let current: { version: string; since: number; model: AgentModel; leases: SiteLeases } | undefined;
  let stale = false;
  /** Client architecture (option 93) last seen per MAC. */
  const archOf = new Map<string, number>();

  const modelCache = actorChild<ModelState<AgentModel>, ModelMsg<AgentModel>, ModelEffect<AgentModel>>({
    id: 'model-cache',
    mailboxLimit: 16,
    def: { init: () => [initModel<AgentModel>(), []], step: stepModel },
    run: (effect) => {
      if (effect.type === 'publish') {
        current = { version: effect.version, since: Date.now(), model: effect.model, leases: siteLeases(effect.model.site) };
        settings = settingsOf(cfg, effect.model.site.env.agents[0]);
        scheduleReconcile();
        return;
      }
      if (effect.event.type === 'model.stale') stale = true;
      if (effect.event.type === 'model.fresh' || effect.event.type === 'model.updated') stale = false;
      events.append(effect.event as unknown as AgentEvent);
    },
  });

  let source: ReturnType<typeof createLocalSource> | undefined;
  const sourceChild = serviceChild({
    id: 'sot-source',
    create: (signals) => {
      track('sot-source', signals);
      return (source = createLocalSource({
        dir: cfg.sotDir,
        siteId: cfg.siteId,
        intervalMs: cfg.pollIntervalMs,
        logger: logger.child({ component: 'sot-source' }),
        deliver: (msg) => {
          if (modelCache.ref.tell(msg) !== 'ok') logger.warn({ msg: msg.type }, 'model cache did not take a model update; the next poll retries');
        },
      }));
    },
  });

  const bootSup = supervisorChild(supervisorSpec({ name: 'boot-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [] }));
  const tracker = new BootTracker({
    sup: bootSup.handle,
    hostOf: (mac) => current?.model.site.byMac.get(mac)?.host.name,
    macOf: (ip) => current?.leases.macOf(ip),
    emit: (e) => {
      count(e as CountedEvent);
      events.append(e as unknown as AgentEvent);
    },
    stallAfterMs: cfg.stallAfterMs,
  });
  const count = agentMetrics(registry);
  const trackingFailed = (err: unknown): void => logger.error({ err }, 'boot tracking failed');
  const onServiceEvent = (e: Parameters<typeof bootStepOf>[0]): void => {
    count(e);
    events.append(e as unknown as AgentEvent);
    if ('arch' in e && e.mac && e.arch !== undefined && archOf.get(e.mac) !== e.arch) archOf.set(e.mac, e.arch);
    const stepOf = bootStepOf(e);
    if (!stepOf) return;
    try {
      tracker.observe(stepOf)?.catch(trackingFailed);
    } catch (err) {
      trackingFailed(err);
    }
  };

  // Each network service runs under its own supervisor, with its own
  // outage-table row's restart budget (va-<id>-crash).
  const services: ChildSpec[] = [];
  const starts: Record<string, number> = {};
  const crashers = new Map<ServiceId, (e: unknown) => void>();
  const running: Record<string, boolean> = {};
  /** Counts starts and keeps the incarnation's crash signal for fault injection. */
  const track = (id: ServiceId, signals: ServiceSignals): void => {
    starts[id] = (starts[id] ?? 0) + 1;
    crashers.set(id, signals.crashed);
  };
  interface NetService {
    listen(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
  type NetServiceId = keyof typeof SETTINGS_OF;
  /** Each service's own supervisor, to restart it when its settings change. */
  const serviceSups = new Map<NetServiceId, SupervisorControl>();
  /** The settings each service's running incarnation started with. */
  const startedWith = new Map<NetServiceId, SiteSettings>();
  /** Settings a service was put back on after it failed to start with the model's (reconcileSettings). */
  const heldBack = new Map<NetServiceId, SiteSettings>();
  const netService = (id: NetServiceId, make: (signals: ServiceSignals, active: SiteSettings) => NetService): void => {
    const child = serviceChild({
      id,
      create: (signals) => {
        track(id, signals);
        const used = heldBack.get(id) ?? wanted(id);
        startedWith.set(id, used);
        const svc = make(signals, used);
        return {
          start: async () => {
            addresses[id] = await svc.listen();
            running[id] = true;
            // Port 0 (tests): each start binds another port, which DHCP replies must name.
            if (id === 'http' && used.httpPort === 0) scheduleReconcile();
          },
          stop: async () => {
            running[id] = false;
            await svc.close();
          },
        };
      },
    });
    const sup = supervisorChild(supervisorSpec({ name: `${id}-sup`, strategy: 'one_for_one', policy: `va-${id}-crash`, children: [child] }));
    serviceSups.set(id, sup.handle);
    services.push(sup);
  };

  // Settings changes: each model the cache publishes may ask for other settings (asset
  // server port or folder, TFTP folder, DHCP mode). A service whose settings changed is
  // restarted alone through its supervisor (not a crash: no budget is charged); one that
  // cannot start with them (a port in use) is put back on the settings it ran with, and
  // the model's are tried again with the next model.
  let started = false;
  let stopping = false;
  let reconciling: Promise<void> = Promise.resolve();
  const scheduleReconcile = (): void => {
    if (!started || stopping) return;
    reconciling = reconciling.then(reconcileSettings).catch((err: unknown) => logger.error({ err }, 'applying settings failed'));
  };
  /**
   * The settings service `id` should run with now. DHCP replies name the asset server's
   * port, so DHCP takes the port the HTTP service really runs with (held back or not; the
   * one it bound when asked for port 0).
   */
  const httpPortInUse = (): number => {
    const port = (heldBack.get('http') ?? settings).httpPort;
    return port === 0 ? (addresses.http?.port ?? 0) : port;
  };
  const wanted = (id: NetServiceId): SiteSettings => (id === 'dhcp' ? { ...settings, httpPort: httpPortInUse() } : settings);
  const reconcileSettings = async (): Promise<void> => {
    // HTTP first: DHCP's settings depend on how HTTP's restart went.
    for (const id of ['http', 'tftp', 'dhcp'] as const) {
      const sup = serviceSups.get(id);
      const before = startedWith.get(id);
      if (stopping || sup === undefined || before === undefined) continue;
      const want = wanted(id);
      const changes = SETTINGS_OF[id].filter((k) => before[k] !== want[k]).map((k) => ({ setting: k, from: before[k], to: want[k] }));
      // No longer held back: the model asks for what it runs with again, or its settings are tried now.
      heldBack.delete(id);
      if (changes.length === 0) continue;
      events.append({ type: 'agent.settings-changed', at: Date.now(), service: id, changes });
      try {
        await sup.restartChild(id);
        continue;
      } catch (err) {
        if (stopping) return;
        // Its supervisor is itself being restarted (an escalation): the new incarnation
        // starts the service with the settings wanted now, and reconciles from there.
        if (isVaqueroError(err) && err.code === 'VQ_ERR_ACTOR_DOWN') continue;
        heldBack.set(id, before);
        const reason = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
        let back = true;
        try {
          await sup.restartChild(id);
        } catch (again) {
          back = false;
          logger.error({ err: again, service: id }, 'service did not start again with its previous settings');
        }
        events.append({ type: 'agent.settings-failed', at: Date.now(), service: id, changes, reason, runningWith: back ? 'previous settings' : 'nothing: the service is down' });
      }
    }
  };

  /** Firmware that said UEFI in option 93 gets initrd= names on its kernel line. */
  const isUefi = (mac: string): boolean => {
    const arch = archOf.get(mac);
    return arch !== undefined && arch !== 0;
  };
  // HTTP first: DHCP replies name the port it runs on.
  netService('http', (signals, active) =>
    createAssetServer({
      host: cfg.bind,
      port: active.httpPort,
      filesDir: active.filesDir,
      // The folders TFTP serves now: a new TFTP folder moves /boot without a restart.
      bootDirs: () => [...new Set([(startedWith.get('tftp') ?? settings).tftpDir, IPXE_FALLBACK_DIR])],
      routes: createAssetRoutes(() => current?.model, { uefi: isUefi }),
      registry,
      logger: signals.log,
      onEvent: onServiceEvent,
      readiness: () => (current ? { ready: true } : { ready: false, reason: 'no model loaded yet' }),
    }),
  );

  const dhcpPort = cfg.dhcpPort;
  if (dhcpPort !== null) {
    netService('dhcp', (signals, active) => {
      const dhcp = createDhcpServer({
        mode: active.dhcpMode,
        listenAddress: cfg.bind,
        port: dhcpPort,
        proxyPort: cfg.proxyPort,
        lookup: (mac) => current?.leases.lookup(mac),
        httpBase: `${active.scheme}://{server}:${active.httpPort}`,
        bootFiles: cfg.bootFiles,
        logger: signals.log,
        onEvent: onServiceEvent,
      });
      let detector: ReturnType<typeof createRogueDetector> | undefined;
      return {
        listen: async () => {
          await dhcp.listen();
          const bound = dhcp.bound();
          // Warns when another DHCP server answers on our segments; best effort (port 68 may be
          // taken), and only on the real port: it must know every address our replies come from.
          if (dhcpPort === 67) {
            detector = createRogueDetector({ ours: bound.map((b) => b.replace(/:\d+$/, '')), onEvent: onServiceEvent, logger: signals.log });
            await detector.start();
          }
          const first = /:(\d+)$/.exec(bound[0] ?? '');
          return { address: cfg.bind, port: first ? Number(first[1]) : dhcpPort };
        },
        close: async () => {
          await detector?.close();
          await dhcp.close();
        },
      };
    });
  }
  const tftpPort = cfg.tftpPort;
  if (tftpPort !== null) {
    netService('tftp', (signals, active) =>
      createTftpServer({ baseDir: active.tftpDir, fallbackDirs: [IPXE_FALLBACK_DIR], host: cfg.bind, port: tftpPort, batchedPort: cfg.tftpSinglePort, logger: signals.log, onEvent: onServiceEvent, onFailed: signals.crashed }),
    );
  }
  const root = await startRoot(
    supervisorSpec({
      name: 'agent-sup',
      strategy: 'one_for_one',
      policy: 'va-actor-crash',
      children: [
        modelCache.spec,
        sourceChild,
        ...services,
        bootSup,
      ],
    }),
    {
      logger,
      onFatal: opts.onFatal,
      // The events the outage table's va-*-crash rows promise: a restart is news even when it worked.
      onReport: (r) => events.append({ ...r, type: r.type === 'restarted' ? 'agent.child-restarted' : 'agent.supervisor-gave-up', at: Date.now() }),
    },
  );

  started = true;
  scheduleReconcile();

  const status = (): AdminStatus => {
    const svc = { ...running };
    const ready = current !== undefined && Object.values(svc).every(Boolean);
    return {
      ready,
      ...(ready ? {} : { reason: current ? 'a service is not running' : 'no valid model loaded yet' }),
      ...(current ? { model: { version: current.version, since: current.since, stale, site: current.model.site.id } } : {}),
      services: svc,
      settings: Object.fromEntries(
        [...startedWith].map(([id, used]) => [id, { running: Object.fromEntries(SETTINGS_OF[id].map((k) => [k, used[k]])), heldBack: heldBack.has(id) }]),
      ),
      boots: tracker.active(),
    };
  };

  let admin: ReturnType<typeof createAdminServer> | undefined;
  if (cfg.admin) {
    admin = createAdminServer({ ...cfg.admin, registry, events, status });
    try {
      addresses.admin = await admin.listen();
    } catch (e) {
      await root.stop();
      throw e;
    }
  }

  return {
    addresses,
    events,
    registry,
    status,
    root,
    pollNow: () => source?.pollNow(),
    starts: () => ({ ...starts }),
    injectCrash: (id) => crashers.get(id)?.(new VaqueroError('VQ_ERR_INJECTED', `fault injected into ${id}`)),
    stop: async () => {
      stopping = true;
      await admin?.close();
      await reconciling;
      await root.stop();
    },
  };
}
