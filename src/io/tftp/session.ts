// Runs one read transfer: its socket (a port of its own or a channel of the
// listener's: RFC 1350 section 4, the TID), the timer and the file reads, driven by transfer.ts.

import type { Logger } from 'pino';
import type { DatagramChannel } from '../udp-batch.ts';
import { GSO_MAX_BYTES, GSO_MAX_SEGMENTS } from '../udp-gso.ts';
import { decode, encode, Opcode, TftpErrorCode, type TftpPacket } from './packet.ts';
import type { BlockSource } from './source.ts';
import type { TftpPeer, TftpStats } from './events.ts';
import { start, step, bytesAcked, type TransferConfig, type TransferEffect, type TransferEvent, type TransferOutcome, type TransferState } from './transfer.ts';

export interface SessionDeps {
  /**
   * Bound, with no listeners yet; the session owns and closes it: a dgram socket of its
   * own (its TID), or a channel of the listener's port (udp-batch.ts).
   */
  socket: DatagramChannel;
  /**
   * Set when the socket cuts a send into datagrams of blksize + 4 bytes (UDP_SEGMENT, see
   * src/io/udp-gso.ts), so the blocks of a window go out together; turns that off.
   */
  unsegment?: () => boolean;
  client: TftpPeer;
  source: BlockSource;
  config: TransferConfig;
  stats: TftpStats;
  log: Logger;
  now: () => number;
  /** Called once, after the socket and the source are closed. */
  onFinish: (result: TransferOutcome) => void;
  /** A packet from the client that did not decode (already counted and logged). */
  onMalformed: (reason: string) => void;
}

export interface Session {
  /**
   * The client repeated the request that started this transfer. True when the transfer
   * answered it (it still waits for ACK 0, so the OACK was lost: it is sent again).
   */
  requestRepeated(): boolean;
  /** Sends ERROR 0 with `reason` to the client and ends the transfer as failed. */
  abort(reason: string): Promise<void>;
  readonly done: Promise<void>;
}

type SendData = Extract<TransferEffect, { type: 'send-data' }>;

const TIMER: TransferEvent = { type: 'timer' };

/**
 * Events are stepped and their effects run synchronously, in arrival order, as long as
 * the bytes to send are in memory; only a chunk read (source.load) suspends the effects
 * left, and events that arrive meanwhile wait in `backlog`. Measured with bench:agent
 * against the previous promise chain per event plus a file read per block (or window):
 * see docs/decisions.md.
 */
export function startSession(d: SessionDeps): Session {
  const { socket, client, stats, log, source } = d;
  let state!: TransferState;
  // One timer per transfer: a later deadline leaves it armed (the state machine re-arms
  // when it fires early), so lock-step progress does not re-create a timer per block.
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let loading = false;
  let closed = false;
  let oacksSent = 0;
  const backlog: TransferEvent[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  // OACK and ERROR sends: one callback for the transfer rather than a closure per packet.
  const onSent = (err: Error | null): void => {
    // A failed send is like a lost packet: the timer retransmits or gives up.
    if (err) log.debug({ err, client }, 'tftp: send failed');
  };

  const sendTo = (packet: TftpPacket, to: TftpPeer, op: keyof typeof Opcode): void => {
    stats.packetsOut[op]++;
    socket.send(encode(packet), to.port, to.address, onSent);
  };

  const finish = async (result: TransferOutcome): Promise<void> => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    socket.removeAllListeners('message');
    try {
      socket.close();
    } catch (err) {
      log.debug({ err }, 'tftp: transfer socket already closed');
    }
    try {
      await source.close();
    } catch (err) {
      log.warn({ err }, 'tftp: closing the file failed');
    }
    d.onFinish(result);
    resolveDone();
  };

  const fail = async (reason: string, tellClient: boolean): Promise<void> => {
    if (closed) return;
    if (tellClient) {
      // dgram sends complete asynchronously; closing the socket first would drop the ERROR.
      stats.packetsOut.ERROR++;
      await new Promise<void>((resolve) => {
        socket.send(encode({ op: 'ERROR', code: TftpErrorCode.NOT_DEFINED, message: reason }), client.port, client.address, () => resolve());
      });
    }
    await finish({ outcome: 'failed', bytes: bytesAcked(state), reason });
  };

  // finish and fail catch everything they await; this only keeps the promise accounted for.
  const settle = (p: Promise<void>): void => {
    p.catch((err: unknown) => log.error({ err, client }, 'tftp: ending a transfer failed'));
  };

  const sendBlock = (e: SendData, bytes: Buffer): void => {
    const header = Buffer.allocUnsafe(4);
    header.writeUInt16BE(Opcode.DATA, 0);
    header.writeUInt16BE(e.block, 2);
    stats.packetsOut.DATA++;
    stats.bytesSent += e.length;
    if (e.retransmit) stats.retransmits++;
    // No callback: node 20's dgram then drops a failed send silently, which is what a lost
    // DATA block is anyway (the timer resends it), and saves a process.nextTick per block.
    socket.send([header, bytes], client.port, client.address);
  };

  // Segmented sends: blocks per send, and whether they still work on this path.
  const segment = d.config.blksize + 4;
  const perSend = Math.min(GSO_MAX_SEGMENTS, Math.floor(GSO_MAX_BYTES / segment));
  let segmented = d.unsegment !== undefined && perSend >= 2;

  // A segmented send failed (EMSGSIZE: the route's MTU is below a block; EIO: the device
  // cannot segment): the socket stops segmenting and this transfer sends a datagram at a
  // time from now on, starting with the blocks that send carried. dgram reports the error
  // a tick later, before any ACK of those blocks can arrive.
  const onSegmentedFailed = (err: Error, packed: Buffer): void => {
    if (closed) return;
    if (segmented) {
      segmented = false;
      stats.segmentFallbacks++;
      const off = d.unsegment?.() ?? false;
      log.debug({ err, client, segment, off }, 'tftp: segmented send failed, sending a datagram at a time');
      // Still segmenting: every send fails the same way; the timer ends the transfer.
      if (!off) return;
    }
    // The buffer is dgram's until these sends are done: it is not used again.
    for (let o = 0; o < packed.length; o += segment) socket.send(packed.subarray(o, Math.min(o + segment, packed.length)), client.port, client.address);
  };

  /**
   * Blocks effects[first..last] (each a whole blksize but the file's last), packed, as one
   * segmented send per `perSend` of them. A packed buffer is used again once dgram reports
   * its send done (a send the kernel could not take at once stays queued in dgram holding
   * it); dgram reports before the ACK of those blocks can be read, so a transfer keeps
   * about one buffer per send of a window. A new buffer per send cost about a fifth of the
   * CPU of a windowed fetch (docs/benchmarks.md).
   */
  const packedBytes = perSend * segment;
  const spare: Buffer[] = [];
  const sendPacked = (effects: TransferEffect[], first: number, last: number, bytes: Buffer, base: number): void => {
    for (let k = first; k <= last; k += perSend) {
      const end = Math.min(last, k + perSend - 1);
      const lastOne = effects[end] as SendData;
      const whole = spare.pop() ?? Buffer.allocUnsafe(packedBytes);
      const packed = whole.subarray(0, (end - k) * segment + 4 + lastOne.length);
      let o = 0;
      for (let j = k; j <= end; j++) {
        const b = effects[j] as SendData;
        packed.writeUInt16BE(Opcode.DATA, o);
        packed.writeUInt16BE(b.block, o + 2);
        bytes.copy(packed, o + 4, b.offset - base, b.offset - base + b.length);
        o += 4 + b.length;
        stats.packetsOut.DATA++;
        stats.bytesSent += b.length;
        if (b.retransmit) stats.retransmits++;
      }
      stats.segmentedSends++;
      socket.send(packed, client.port, client.address, (err) => {
        if (err) onSegmentedFailed(err, packed);
        else spare.push(whole);
      });
    }
  };

  const arm = (at: number): void => {
    if (timer !== undefined && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(onTimer, Math.max(0, at - d.now()));
  };

  /** Runs effects[from..]; returns early (after starting a read) when bytes are not in memory. */
  const apply = (effects: TransferEffect[], from: number): void => {
    for (let i = from; i < effects.length && !closed; i++) {
      const e = effects[i] as TransferEffect;
      switch (e.type) {
        case 'send-data': {
          // A window's blocks come in a row: one peek (or one read) covers them all.
          let last = i;
          while (effects[last + 1]?.type === 'send-data') last++;
          const lastBlock = effects[last] as SendData;
          const base = e.offset;
          const span = lastBlock.offset + lastBlock.length - base;
          const bytes = source.peek(base, span);
          if (bytes === undefined) {
            loading = true;
            source.load(base, span).then(
              () => {
                loading = false;
                apply(effects, i);
                drain();
              },
              (err: unknown) => {
                loading = false;
                // A rejected read (file truncated, I/O error) ends the transfer.
                settle(fail(`read error: ${err instanceof Error ? err.message : String(err)}`, true));
              },
            );
            return;
          }
          if (segmented && last > i) sendPacked(effects, i, last, bytes, base);
          else {
            for (let k = i; k <= last; k++) {
              const b = effects[k] as SendData;
              sendBlock(b, bytes.subarray(b.offset - base, b.offset - base + b.length));
            }
          }
          i = last;
          break;
        }
        case 'send-oack':
          if (oacksSent++ > 0) stats.retransmits++;
          sendTo({ op: 'OACK', options: e.options }, client, 'OACK');
          break;
        case 'arm-timer':
          arm(e.at);
          break;
        case 'finish':
          settle(finish(e.result));
          return;
      }
    }
  };

  const handle = (e: TransferEvent): void => {
    if (closed) return;
    if (loading) {
      backlog.push(e);
      return;
    }
    const [next, effects] = step(state, e, d.now());
    state = next;
    apply(effects, 0);
  };

  const drain = (): void => {
    while (!loading && !closed && backlog.length > 0) handle(backlog.shift() as TransferEvent);
  };

  function onTimer(): void {
    timer = undefined;
    timerAt = Infinity;
    handle(TIMER);
  }

  const onMessage = (msg: Buffer, rinfo: TftpPeer): void => {
    if (rinfo.address !== client.address || rinfo.port !== client.port) {
      // RFC 1350 section 4: a packet from a foreign TID gets ERROR 5; the transfer goes on.
      stats.unknownTid++;
      sendTo({ op: 'ERROR', code: TftpErrorCode.UNKNOWN_TID, message: 'Unknown transfer ID' }, rinfo, 'ERROR');
      return;
    }
    const r = decode(msg);
    if (!r.ok) {
      stats.packetsIn.unknown += r.error.kind === 'unknown-opcode' ? 1 : 0;
      stats.malformed++;
      log.debug({ client, reason: r.error }, 'tftp: malformed packet dropped');
      d.onMalformed(`${r.error.kind}: ${r.error.detail}`);
      return;
    }
    const p = r.packet;
    stats.packetsIn[p.op]++;
    if (p.op === 'ACK') handle({ type: 'ack', block: p.block });
    else if (p.op === 'ERROR') handle({ type: 'error', code: p.code, message: p.message });
    else log.debug({ client, op: p.op }, 'tftp: unexpected packet on a read transfer dropped');
  };

  socket.on('message', onMessage);
  socket.on('error', (err) => {
    log.warn({ err, client }, 'tftp: transfer socket error');
    settle(fail(`socket error: ${err.message}`, false));
  });

  const [s0, effects] = start(d.config, d.now());
  state = s0;
  apply(effects, 0);

  return {
    requestRepeated() {
      if (closed || state.phase !== 'oack') return false;
      handle({ type: 'rrq' });
      return true;
    },
    abort(reason) {
      settle(fail(reason, true));
      return done;
    },
    done,
  };
}
