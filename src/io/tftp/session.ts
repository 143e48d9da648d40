// Runs one read transfer: its socket (a port of its own or a channel of the
// listener's: RFC 1350 section 4, the TID), the timer and the file reads, driven by transfer.ts.

import type { Logger } from 'pino';
import type { DatagramChannel } from '../udp-batch.ts';
import { segmentsPerSend } from '../udp-gso.ts';
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
  return new ReadSession(d);
}

/**
 * A class rather than closures made per transfer: tsx compiles with esbuild's keepNames,
 * which redefines `name` on every named closure as it is created (a property definition
 * and a map change each, about 15 per transfer here); methods are named once per class.
 * Measured with 50 concurrent fetches (docs/benchmarks.md).
 */
class ReadSession implements Session {
  readonly done: Promise<void>;
  private readonly socket: DatagramChannel;
  private readonly client: TftpPeer;
  private readonly stats: TftpStats;
  private readonly log: Logger;
  private readonly source: BlockSource;
  private state: TransferState;
  // One timer per transfer: a later deadline leaves it armed (the state machine re-arms
  // when it fires early), so lock-step progress does not re-create a timer per block.
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private loading = false;
  private closed = false;
  private oacksSent = 0;
  private readonly backlog: TransferEvent[] = [];
  private resolveDone!: () => void;
  // Segmented sends: bytes per block on the wire, blocks per send, and whether they still
  // work on this path.
  private readonly segment: number;
  private readonly perSend: number;
  private segmented: boolean;
  // Packed buffers whose sends are done, for the next window (see sendPacked).
  private readonly spare: Buffer[] = [];

  constructor(private readonly d: SessionDeps) {
    this.socket = d.socket;
    this.client = d.client;
    this.stats = d.stats;
    this.log = d.log;
    this.source = d.source;
    this.done = new Promise<void>((r) => (this.resolveDone = r));
    this.segment = d.config.blksize + 4;
    this.perSend = segmentsPerSend(this.segment);
    this.segmented = d.unsegment !== undefined && this.perSend >= 2;
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', (err) => {
      this.log.warn({ err, client: this.client }, 'tftp: transfer socket error');
      this.settle(this.fail(`socket error: ${err.message}`, false));
    });
    const [s0, effects] = start(d.config, d.now());
    this.state = s0;
    this.apply(effects, 0);
  }

  requestRepeated(): boolean {
    if (this.closed || this.state.phase !== 'oack') return false;
    this.handle({ type: 'rrq' });
    return true;
  }

  abort(reason: string): Promise<void> {
    this.settle(this.fail(reason, true));
    return this.done;
  }

  // OACK and ERROR sends.
  private sendTo(packet: TftpPacket, to: TftpPeer, op: keyof typeof Opcode): void {
    this.stats.packetsOut[op]++;
    this.socket.send(encode(packet), to.port, to.address, (err) => {
      // A failed send is like a lost packet: the timer retransmits or gives up.
      if (err) this.log.debug({ err, client: this.client }, 'tftp: send failed');
    });
  }

  private async finish(result: TransferOutcome): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.socket.removeAllListeners('message');
    try {
      this.socket.close();
    } catch (err) {
      this.log.debug({ err }, 'tftp: transfer socket already closed');
    }
    try {
      await this.source.close();
    } catch (err) {
      this.log.warn({ err }, 'tftp: closing the file failed');
    }
    this.d.onFinish(result);
    this.resolveDone();
  }

  private async fail(reason: string, tellClient: boolean): Promise<void> {
    if (this.closed) return;
    if (tellClient) {
      // dgram sends complete asynchronously; closing the socket first would drop the ERROR.
      this.stats.packetsOut.ERROR++;
      const packet = encode({ op: 'ERROR', code: TftpErrorCode.NOT_DEFINED, message: reason });
      await new Promise<void>((resolve) => this.socket.send(packet, this.client.port, this.client.address, () => resolve()));
    }
    await this.finish({ outcome: 'failed', bytes: bytesAcked(this.state), reason });
  }

  // finish and fail catch everything they await; this only keeps the promise accounted for.
  private settle(p: Promise<void>): void {
    p.catch((err: unknown) => this.log.error({ err, client: this.client }, 'tftp: ending a transfer failed'));
  }

  /** DATA blocks effects[first..last], whose bytes are bytes[offset - base..]. */
  private sendBlocks(effects: TransferEffect[], first: number, last: number, bytes: Buffer, base: number): void {
    const { stats, socket, client } = this;
    const stable = this.source.stable;
    for (let k = first; k <= last; k++) {
      const b = effects[k] as SendData;
      stats.packetsOut.DATA++;
      stats.bytesSent += b.length;
      if (b.retransmit) stats.retransmits++;
      const from = b.offset - base;
      if (socket.sendPrefixed !== undefined) socket.sendPrefixed((Opcode.DATA << 16) | b.block, bytes, from, from + b.length);
      else if (stable) {
        const header = Buffer.allocUnsafe(4);
        header.writeUInt16BE(Opcode.DATA, 0);
        header.writeUInt16BE(b.block, 2);
        // No callback: node 20's dgram then drops a failed send silently, which is what a
        // lost DATA block is anyway (the timer resends it), and saves a process.nextTick per block.
        socket.send([header, bytes.subarray(from, from + b.length)], client.port, client.address);
      } else {
        // A file's chunk is read over at the next load, and dgram keeps a send the kernel
        // could not take at once: the datagram is a copy (source.ts).
        const datagram = Buffer.allocUnsafe(4 + b.length);
        datagram.writeUInt16BE(Opcode.DATA, 0);
        datagram.writeUInt16BE(b.block, 2);
        bytes.copy(datagram, 4, from, from + b.length);
        socket.send(datagram, client.port, client.address);
      }
    }
  }

  // A segmented send failed (EMSGSIZE: the route's MTU is below a block; EIO: the device
  // cannot segment): the socket stops segmenting and this transfer sends a datagram at a
  // time from now on, starting with the blocks that send carried. dgram reports the error
  // a tick later, before any ACK of those blocks can arrive.
  private onSegmentedFailed(err: Error, packed: Buffer): void {
    if (this.closed) return;
    const { segment, socket, client } = this;
    if (this.segmented) {
      this.segmented = false;
      this.stats.segmentFallbacks++;
      const off = this.d.unsegment?.() ?? false;
      this.log.debug({ err, client, segment, off }, 'tftp: segmented send failed, sending a datagram at a time');
      // Still segmenting: every send fails the same way; the timer ends the transfer.
      if (!off) return;
    }
    // The buffer is dgram's until these sends are done: it is not used again.
    for (let o = 0; o < packed.length; o += segment) socket.send(packed.subarray(o, Math.min(o + segment, packed.length)), client.port, client.address);
  }

  /**
   * Blocks effects[first..last] (each a whole blksize but the file's last), packed, as one
   * segmented send per `perSend` of them. A packed buffer is used again once dgram reports
   * its send done (a send the kernel could not take at once stays queued in dgram holding
   * it); dgram reports before the ACK of those blocks can be read, so a transfer keeps
   * about one buffer per send of a window. A new buffer per send cost about a fifth of the
   * CPU of a windowed fetch (docs/benchmarks.md).
   */
  private sendPacked(effects: TransferEffect[], first: number, last: number, bytes: Buffer, base: number): void {
    const { stats, segment, perSend, spare } = this;
    for (let k = first; k <= last; k += perSend) {
      const end = Math.min(last, k + perSend - 1);
      const lastOne = effects[end] as SendData;
      const whole = spare.pop() ?? Buffer.allocUnsafe(perSend * segment);
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
      this.socket.send(packed, this.client.port, this.client.address, (err) => {
        if (err) this.onSegmentedFailed(err, packed);
        else spare.push(whole);
      });
    }
  }

  private arm(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(fire, Math.max(0, at - this.d.now()), this);
  }

  onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    this.handle(TIMER);
  }

  /** Runs effects[from..]; returns early (after starting a read) when bytes are not in memory. */
  private apply(effects: TransferEffect[], from: number): void {
    for (let i = from; i < effects.length && !this.closed; i++) {
      const e = effects[i] as TransferEffect;
      switch (e.type) {
        case 'send-data': {
          // A window's blocks come in a row: one peek (or one read) covers them all.
          let last = i;
          while (effects[last + 1]?.type === 'send-data') last++;
          const lastBlock = effects[last] as SendData;
          const base = e.offset;
          const span = lastBlock.offset + lastBlock.length - base;
          const bytes = this.source.peek(base, span);
          if (bytes === undefined) {
            this.load(effects, i, base, span);
            return;
          }
          if (this.segmented && last > i) this.sendPacked(effects, i, last, bytes, base);
          else this.sendBlocks(effects, i, last, bytes, base);
          i = last;
          break;
        }
        case 'send-oack':
          if (this.oacksSent++ > 0) this.stats.retransmits++;
          this.sendTo({ op: 'OACK', options: e.options }, this.client, 'OACK');
          break;
        case 'arm-timer':
          this.arm(e.at);
          break;
        case 'finish':
          this.settle(this.finish(e.result));
          return;
      }
    }
  }

  /** Reads base..base + span, then goes on with effects[i..] and what arrived meanwhile. */
  private load(effects: TransferEffect[], i: number, base: number, span: number): void {
    this.loading = true;
    this.source.load(base, span).then(
      () => {
        this.loading = false;
        this.apply(effects, i);
        this.drain();
      },
      (err: unknown) => {
        this.loading = false;
        // A rejected read (file truncated, I/O error) ends the transfer.
        this.settle(this.fail(`read error: ${err instanceof Error ? err.message : String(err)}`, true));
      },
    );
  }

  private handle(e: TransferEvent): void {
    if (this.closed) return;
    if (this.loading) {
      this.backlog.push(e);
      return;
    }
    const [next, effects] = step(this.state, e, this.d.now());
    this.state = next;
    this.apply(effects, 0);
  }

  private drain(): void {
    while (!this.loading && !this.closed && this.backlog.length > 0) this.handle(this.backlog.shift() as TransferEvent);
  }

  private onMessage(msg: Buffer, rinfo: TftpPeer): void {
    const { client, stats } = this;
    if (rinfo.address !== client.address || rinfo.port !== client.port) {
      // RFC 1350 section 4: a packet from a foreign TID gets ERROR 5; the transfer goes on.
      stats.unknownTid++;
      this.sendTo({ op: 'ERROR', code: TftpErrorCode.UNKNOWN_TID, message: 'Unknown transfer ID' }, rinfo, 'ERROR');
      return;
    }
    // The common case first, by decode's own rule for an ACK (4 bytes or more), without
    // the objects decode makes.
    if (msg.length >= 4 && msg[0] === 0 && msg[1] === Opcode.ACK) {
      stats.packetsIn.ACK++;
      this.handle({ type: 'ack', block: msg.readUInt16BE(2) });
      return;
    }
    const r = decode(msg);
    if (!r.ok) {
      stats.packetsIn.unknown += r.error.kind === 'unknown-opcode' ? 1 : 0;
      stats.malformed++;
      this.log.debug({ client, reason: r.error }, 'tftp: malformed packet dropped');
      this.d.onMalformed(`${r.error.kind}: ${r.error.detail}`);
      return;
    }
    const p = r.packet;
    stats.packetsIn[p.op]++;
    if (p.op === 'ACK') this.handle({ type: 'ack', block: p.block });
    else if (p.op === 'ERROR') this.handle({ type: 'error', code: p.code, message: p.message });
    else this.log.debug({ client, op: p.op }, 'tftp: unexpected packet on a read transfer dropped');
  }
}

// The timer's callback, shared by every transfer (setTimeout hands it the session).
function fire(s: ReadSession): void {
  s.onTimer();
}
