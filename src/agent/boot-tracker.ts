// Keeps one boot actor per host that is network-booting, named by its MAC,
// under the boot supervisor: created on the first firmware-side step from a
// known MAC, fed every later step, forgotten when it stops (done or stalled).
import { BOOT_STAGES, init as initBoot, step, type BootEffect, type BootMsg, type BootStage, type BootState } from '../actors/boot.ts';
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
  /** When the actor was last told a step (Date.now()). */
  toldAt: number;
  /**
   * The boot file of the host's last DHCP answer, as a path ('undionly.kpxe',
   * 'boot/snponly.efi' for UEFI HTTP boot), to tell the firmware's download from the kernel.
   */
  bootFile: string | undefined;
}

/**
 * A repeated step (a DHCP retry, a renewal, perfdhcp cycling 1,000 hosts) only
 * tells the boot actor the host is alive, which moves its stall deadline. One
 * repeat per window (a tenth of the stall timeout, at most 10 s: 1.7% of the
 * default 600 s) is told, so a deadline is at most a window earlier than
 * exact. Telling every repeat (a mailbox dispatch, an actor step and then a
 * timer re-arm) was about a quarter of the agent's busy time at 10,000 DORA/s,
 * and 65 of 310 CPU ms per 1,000 DORAs at 500/s (bench:agent).
 */
const REPEAT_WINDOW_MS = 10_000;

const ORDER: readonly BootStage[] = BOOT_STAGES;

/** A boot file as a path without its leading slashes: a URL's path, or a TFTP file name as it is. */
function pathOf(file: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(file);
  return (url ? (url[1] as string) : file).replace(/^\/+/, '');
}

/**
 * Where a download goes: the boot file DHCP gave the host (by TFTP, or by HTTP for UEFI
 * HTTP boot; the HTTP path is the end of that URL's) and any TFTP download before the iPXE
 * script are the `tftp` stage; after them the first download is the kernel, later ones
 * initrds, whichever service served them (an iPXE script may fetch by tftp://).
 */
function placeDownload(t: Tracked, s: BootStep): BootStage {
  const at = t.stage === undefined ? -1 : ORDER.indexOf(t.stage);
  const file = s.detail?.replace(/^\/+/, '');
  if (file && t.bootFile !== undefined && (t.bootFile === file || t.bootFile.endsWith(`/${file}`))) return 'tftp';
  if (s.via === 'tftp' && at < ORDER.indexOf('ipxe')) return 'tftp';
  return at < ORDER.indexOf('kernel') ? 'kernel' : 'initrd';
}

export class BootTracker {
  private readonly live = new Map<string, Tracked>();
  private readonly starting = new Map<string, Promise<Tracked | undefined>>();

  constructor(private readonly deps: BootTrackerDeps) {}

  /** Hosts being tracked now, by MAC, with the furthest stage sent and how many steps their actor was told. */
  active(): { mac: string; stage: BootStage | undefined; steps: number }[] {
    return [...this.live].map(([mac, t]) => ({ mac, stage: t.stage, steps: t.ref.stats().accepted }));
  }

  /** Repeats are told once per window: REPEAT_WINDOW_MS, at most a tenth of the stall timeout. */
  private windowMs(): number {
    return Math.min(REPEAT_WINDOW_MS, this.deps.stallAfterMs / 10);
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
    if (s.stage === 'dhcp' && s.detail !== undefined) t.bootFile = pathOf(s.detail);
    const stage: BootStage = s.stage === 'file' ? placeDownload(t, s) : s.stage;
    const now = Date.now();
    if (t.stage === undefined || ORDER.indexOf(stage) > ORDER.indexOf(t.stage)) t.stage = stage;
    else if (now - t.toldAt < this.windowMs()) return;
    t.toldAt = now;
    t.ref.tell({ type: 'observed', stage, ...(s.detail !== undefined ? { detail: s.detail } : {}) });
  }

  private start(mac: string, host: string): Promise<Tracked | undefined> {
    const pending = this.starting.get(mac);
    if (pending) return pending;
    const { deps, live } = this;
    const p = (async () => {
      // Methods, not arrows bound to a name: one boot actor per host (see actorChild).
      const { spec, ref } = actorChild<BootState, BootMsg, BootEffect>({
        id: `boot-${mac}`,
        restart: 'transient',
        mailboxLimit: 64,
        def: {
          init(now) {
            return initBoot(mac, host, now, deps.stallAfterMs);
          },
          step,
        },
        run(effect, io) {
          switch (effect.type) {
            case 'emit':
              deps.emit(effect.event);
              return;
            case 'timer':
              io.timer('deadline', effect.at, { type: 'deadline' });
              return;
            case 'stop':
              if (live.get(mac)?.ref === ref) live.delete(mac);
              io.stop();
              return;
          }
        },
      });
      const tracked: Tracked = { ref, stage: undefined, toldAt: 0, bootFile: undefined };
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
