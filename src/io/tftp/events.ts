// What the TFTP service reports: one event per transfer step or dropped packet
// (for the control plane), and running counters (for metrics).

import type { OpcodeName } from './packet.ts';

export interface TftpPeer {
  address: string;
  port: number;
}

export type TftpEvent =
  /**
   * `serverPort` is the server's TID, the port the transfer's packets come from: the
   * listening port for a lock-step transfer on the batched port, else an ephemeral one
   * (what a firewall between the agent and its hosts must let through).
   */
  | { type: 'transfer-started'; client: TftpPeer; file: string; size: number; blksize: number; windowsize: number; mode: string; serverPort: number }
  | { type: 'transfer-completed'; client: TftpPeer; file: string; bytes: number; durationMs: number }
  /** The client sent an ERROR, e.g. UEFI firmware after its tsize probe. */
  | { type: 'transfer-aborted'; client: TftpPeer; file: string; bytes: number; durationMs: number; code: number; message: string }
  /** Timed out, the file could not be read, a socket failed, or the server closed. */
  | { type: 'transfer-failed'; client: TftpPeer; file: string; bytes: number; durationMs: number; reason: string }
  /** Answered with an ERROR before any data: write request, not found, access violation, busy. */
  | { type: 'request-refused'; client: TftpPeer; file: string; code: number; reason: string }
  | { type: 'malformed-dropped'; client: TftpPeer; reason: string };

export type TransferOutcomeName = 'completed' | 'aborted' | 'failed' | 'refused';

export interface TftpStats {
  /** Packets received (listener and transfer sockets) by opcode; `unknown` for undecodable opcodes. */
  packetsIn: Record<OpcodeName | 'unknown', number>;
  packetsOut: Record<OpcodeName, number>;
  /** Packets dropped because they did not decode. */
  malformed: number;
  /** Packets from a peer that is not the transfer's client (answered with ERROR 5). */
  unknownTid: number;
  transfers: Record<TransferOutcomeName, number> & { started: number; active: number };
  /** DATA payload bytes put on the wire, retransmissions included. */
  bytesSent: number;
  /** DATA and OACK packets sent again after a timeout or a gap in a window. */
  retransmits: number;
  /** Sends that carried several DATA blocks of a window at once (UDP GSO, src/io/udp-gso.ts). */
  segmentedSends: number;
  /** Transfers whose segmented send failed and that went on a datagram at a time. */
  segmentFallbacks: number;
  /** Lookups (one per path and event-loop turn) that openat2 answered on the event loop (confine.ts, createQuickLocator). */
  quickLookups: number;
}

export function emptyStats(): TftpStats {
  const ops = { RRQ: 0, WRQ: 0, DATA: 0, ACK: 0, ERROR: 0, OACK: 0 };
  return {
    packetsIn: { ...ops, unknown: 0 },
    packetsOut: { ...ops },
    malformed: 0,
    unknownTid: 0,
    transfers: { started: 0, active: 0, completed: 0, aborted: 0, failed: 0, refused: 0 },
    bytesSent: 0,
    retransmits: 0,
    segmentedSends: 0,
    segmentFallbacks: 0,
    quickLookups: 0,
  };
}

export function copyStats(s: TftpStats): TftpStats {
  return {
    ...s,
    packetsIn: { ...s.packetsIn },
    packetsOut: { ...s.packetsOut },
    transfers: { ...s.transfers },
  };
}
