// Authoritative-DHCP detector: warns when another DHCP server answers on our
// segment. Our server sockets (port 67) never see other servers' replies, which
// go to clients on port 68, so the detector listens on 68 (best effort: a DHCP
// client on the agent host may hold it) for BOOTREPLYs whose server id is not
// one of ours. It only sees replies sent to the broadcast address (clients
// asking for broadcast, servers that always broadcast, NAKs); a server that
// unicasts its OFFER to the client's MAC stays invisible to it.

import { createSocket, type Socket } from 'node:dgram';
import { pino, type Logger } from 'pino';
import type { DhcpEvent } from './events.ts';
import { messageTypeName } from './options.ts';
import { BOOTREPLY, type DhcpPacket, decode } from './packet.ts';

/** Last warning time per foreign server id, ms since the epoch. */
export type RogueState = ReadonlyMap<string, number>;

/** Pure: is this reply from a foreign server, and is it time to warn again? */
export function inspectReply(
  state: RogueState,
  reply: DhcpPacket,
  from: string,
  ours: ReadonlySet<string>,
  now: number,
  intervalMs: number,
): [RogueState, DhcpEvent | undefined] {
  if (reply.op !== BOOTREPLY || reply.options.messageType === undefined) return [state, undefined];
  const serverId = reply.options.serverId ?? from;
  if (ours.has(serverId) || ours.has(from)) return [state, undefined];
  const last = state.get(serverId);
  if (last !== undefined && now - last < intervalMs) return [state, undefined];
  const next = new Map(state);
  next.set(serverId, now);
  const event: DhcpEvent = {
    type: 'dhcp.rogue-server',
    at: now,
    from,
    serverId,
    mac: reply.chaddr,
    reason: messageTypeName(reply.options.messageType) ?? `type ${reply.options.messageType}`,
  };
  return [next, event];
}

export interface RogueDetectorOptions {
  /** Addresses our own DHCP service answers from (its replies are not rogue). */
  ours: string[];
  /** Default 68. */
  port?: number;
  /** Default '0.0.0.0'. */
  address?: string;
  /** At most one warning per foreign server in this period. Default 60000 ms. */
  intervalMs?: number;
  onEvent(e: DhcpEvent): void;
  logger?: Logger;
  now?(): number;
}

export interface RogueDetector {
  /** Resolves true when listening, false when the port could not be bound (logged). */
  start(): Promise<boolean>;
  close(): Promise<void>;
  /** The bound port (useful with port 0), undefined when not listening. */
  boundPort(): number | undefined;
}

export function createRogueDetector(opts: RogueDetectorOptions): RogueDetector {
  const log = opts.logger ?? pino({ enabled: false });
  const now = opts.now ?? Date.now;
  const ours = new Set(opts.ours);
  let state: RogueState = new Map();
  let socket: Socket | undefined;

  return {
    start() {
      return new Promise((resolve) => {
        const s = createSocket({ type: 'udp4', reuseAddr: true });
        s.once('error', (err) => {
          log.warn({ err, port: opts.port ?? 68 }, 'dhcp: rogue-server detector cannot listen; detection is off');
          s.close();
          resolve(false);
        });
        s.on('message', (msg, rinfo) => {
          const r = decode(msg);
          if (!r.ok) return;
          const [next, event] = inspectReply(state, r.packet, rinfo.address, ours, now(), opts.intervalMs ?? 60_000);
          state = next;
          if (!event) return;
          log.warn({ serverId: event.serverId, from: event.from }, 'dhcp: another DHCP server answers on this segment');
          try {
            opts.onEvent(event);
          } catch (err) {
            log.error({ err }, 'dhcp event handler threw');
          }
        });
        s.bind({ port: opts.port ?? 68, address: opts.address ?? '0.0.0.0' }, () => {
          s.removeAllListeners('error');
          s.on('error', (err) => log.error({ err }, 'dhcp: rogue-server detector socket error'));
          socket = s;
          resolve(true);
        });
      });
    },
    boundPort: () => socket?.address().port,
    close() {
      const s = socket;
      socket = undefined;
      return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
    },
  };
}
