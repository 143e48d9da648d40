// Boot actor: one per host that is network-booting, named by its MAC. It
// follows the protocol steps the agent's services observe (DHCP, the boot
// ROM, iPXE script, kernel, initrd, unattended config, checkpoint), reports
// each stage reached once, and raises a stalled-boot event when no step
// arrives before the deadline. Pure: effects are data run by its supervisor.

/** `tftp` is the firmware's download of its boot file: by TFTP, or by HTTP for UEFI HTTP boot. */
export const BOOT_STAGES = ['dhcp', 'tftp', 'ipxe', 'kernel', 'initrd', 'config', 'checkpoint'] as const;
export type BootStage = (typeof BOOT_STAGES)[number];

export type BootMsg =
  /** A protocol step seen by a service; `detail` is what the service served (file, URL, boot id). */
  | { type: 'observed'; stage: BootStage; detail?: string }
  /** The timer armed by a `timer` effect fired. */
  | { type: 'deadline' };

export interface BootState {
  mac: string;
  host: string;
  startedAt: number;
  /** Furthest stage reached; stages only move forward (firmware repeats DHCP, iPXE re-fetches). */
  stage: BootStage | undefined;
  reached: { stage: BootStage; at: number; detail?: string }[];
  deadlineAt: number;
  stallAfterMs: number;
  done: boolean;
}

export type BootEvent =
  | { type: 'boot.stage'; mac: string; host: string; stage: BootStage; at: number; elapsedMs: number; detail?: string }
  | { type: 'boot.done'; mac: string; host: string; at: number; elapsedMs: number }
  | { type: 'boot.stalled'; mac: string; host: string; at: number; stage: BootStage | 'none'; idleMs: number };

export type BootEffect = { type: 'emit'; event: BootEvent } | { type: 'timer'; at: number } | { type: 'stop'; reason: 'done' | 'stalled' };

export function init(mac: string, host: string, now: number, stallAfterMs: number): [BootState, BootEffect[]] {
  const deadlineAt = now + stallAfterMs;
  return [{ mac, host, startedAt: now, stage: undefined, reached: [], deadlineAt, stallAfterMs, done: false }, [{ type: 'timer', at: deadlineAt }]];
}

const rank = (s: BootStage | undefined): number => (s === undefined ? -1 : BOOT_STAGES.indexOf(s));

export function step(state: BootState, msg: BootMsg, now: number): [BootState, BootEffect[]] {
  if (state.done) return [state, []];
  switch (msg.type) {
    case 'observed': {
      const deadlineAt = now + state.stallAfterMs;
      if (rank(msg.stage) <= rank(state.stage)) {
        // A repeat (a retried DHCP, a second TFTP fetch after the UEFI size probe) still shows the host is alive.
        // The armed timer is left alone: it fires at the old deadline and re-arms for this one, so a host
        // fetching the same script thousands of times costs no timer work per fetch (bench:agent, /ipxe).
        return [{ ...state, deadlineAt }, []];
      }
      const reached = [...state.reached, { stage: msg.stage, at: now, ...(msg.detail !== undefined ? { detail: msg.detail } : {}) }];
      const elapsedMs = now - state.startedAt;
      const event: BootEvent = { type: 'boot.stage', mac: state.mac, host: state.host, stage: msg.stage, at: now, elapsedMs, ...(msg.detail !== undefined ? { detail: msg.detail } : {}) };
      if (msg.stage === 'checkpoint') {
        return [
          { ...state, stage: msg.stage, reached, deadlineAt, done: true },
          [{ type: 'emit', event }, { type: 'emit', event: { type: 'boot.done', mac: state.mac, host: state.host, at: now, elapsedMs } }, { type: 'stop', reason: 'done' }],
        ];
      }
      return [{ ...state, stage: msg.stage, reached, deadlineAt }, [{ type: 'emit', event }]];
    }
    case 'deadline': {
      // The timer is armed once (init) and never moved: when it fires early it re-arms for the current deadline.
      if (now < state.deadlineAt) return [state, [{ type: 'timer', at: state.deadlineAt }]];
      const lastAt = state.reached.at(-1)?.at ?? state.startedAt;
      const event: BootEvent = { type: 'boot.stalled', mac: state.mac, host: state.host, at: now, stage: state.stage ?? 'none', idleMs: now - lastAt };
      return [{ ...state, done: true }, [{ type: 'emit', event }, { type: 'stop', reason: 'stalled' }]];
    }
  }
}
