// Keeps one boot actor per host that is network-booting, named by its MAC,
// under the boot supervisor: created on the first firmware-side step from a
// known MAC, fed every later step, forgotten when it stops (done or stalled).
import { BOOT_STAGES, init, step, type BootEffect, type BootMsg, type BootStage, type BootState } from '../actors/boot.ts';
import { actorChild, type ActorRef } from '../supervisors/actor.ts';
import type { SupervisorControl } from '../supervisors/supervisor.ts';
import type { AgentEvent } from './event-log.ts';
import type { BootStep } from './boot-steps.ts';

export interface BootTrackerDeps {
  /** The supervisor boot actors are started under. */
  sup: SupervisorControl;
  /** Host name for a MAC, and the MAC for an address, in the current model. */
  hostOf(mac: string): string | undefined;
  macOf(ip: string): string | undefined;
  emit(e: AgentEvent): void;
  stallAfterMs: number;
}

interface Tracked {
  ref: ActorRef<BootMsg>;
  /** Furthest stage sent, to tell the kernel download from the initrds. */
  stage: BootStage | undefined;
  /** When a step was last sent to the actor (ms, Date.now). */
  toldAt: number;
}

/**
 * A repeated step (a stage the host already reached) only tells the actor the
 * host is alive, which moves a stall deadline of minutes; one per second is
 * enough. A host (or a load test) fetching its script in a loop would
 * otherwise cost a mailbox message per request (bench:agent, /ipxe).
 */
const REPEAT_EVERY_MS = 1000;

const ORDER: readonly BootStage[] = BOOT_STAGES;

export class BootTracker {
  private readonly live = new Map<string, Tracked>();
  private readonly starting = new Map<string, Promise<Tracked | undefined>>();

  constructor(private readonly deps: BootTrackerDeps) {}

  /** Hosts being tracked now, by MAC, with the furthest stage sent. */
  active(): { mac: string; stage: BootStage | undefined }[] {
    return [...this.live].map(([mac, t]) => ({ mac, stage: t.stage }));
  }

  /** Synchronous for a host already tracked (every step but a boot's first); a promise while its actor starts. */
  observe(s: BootStep): void | Promise<void> {
    const mac = s.mac ?? (s.ip !== undefined ? this.deps.macOf(s.ip) : undefined);
    if (mac === undefined) return;
    const host = this.deps.hostOf(mac);
    if (host === undefined) return; // unknown MACs are the services' business (silence plus an event)
    const t = this.live.get(mac);
    if (t) return this.send(t, s);
    return this.observeStarting(mac, host, s);
  }

  private async observeStarting(mac: string, host: string, s: BootStep): Promise<void> {
    // A boot actor being started is waited for, so no step is lost to its start.
    let t = await this.starting.get(mac);
    if (!t) {
      if (!s.starts) return;
      t = await this.start(mac, host);
      if (!t) return;
    }
    this.send(t, s);
  }

  private send(t: Tracked, s: BootStep): void {
    const stage: BootStage = s.stage === 'file' ? (t.stage === undefined || ORDER.indexOf(t.stage) < ORDER.indexOf('kernel') ? 'kernel' : 'initrd') : s.stage;
    const now = Date.now();
    if (t.stage === undefined || ORDER.indexOf(stage) > ORDER.indexOf(t.stage)) t.stage = stage;
    else if (now - t.toldAt < REPEAT_EVERY_MS) return;
    t.toldAt = now;
    t.ref.tell({ type: 'observed', stage, ...(s.detail !== undefined ? { detail: s.detail } : {}) });
  }

  private start(mac: string, host: string): Promise<Tracked | undefined> {
    const pending = this.starting.get(mac);
    if (pending) return pending;
    const p = (async () => {
      const { spec, ref } = actorChild<BootState, BootMsg, BootEffect>({
        id: `boot-${mac}`,
        restart: 'transient',
        mailboxLimit: 64,
        def: { init: (now) => init(mac, host, now, this.deps.stallAfterMs), step },
        run: (effect, io) => {
          switch (effect.type) {
            case 'emit':
              this.deps.emit(effect.event);
              return;
            case 'timer':
              io.timer('deadline', effect.at, { type: 'deadline' });
              return;
            case 'stop':
              if (this.live.get(mac)?.ref === ref) this.live.delete(mac);
              io.stop();
              return;
          }
        },
      });
      const tracked: Tracked = { ref, stage: undefined, toldAt: 0 };
      try {
        await this.deps.sup.startChild(spec);
        this.live.set(mac, tracked);
        return tracked;
      } catch (e) {
        this.deps.emit({ type: 'boot.untracked', at: Date.now(), mac, host, reason: e instanceof Error ? e.message : String(e) });
        return undefined;
      } finally {
        this.starting.delete(mac);
      }
    })();
    this.starting.set(mac, p);
    return p;
  }
}
