// Runs one read transfer: its own ephemeral UDP socket (RFC 1350 section 4,
// the server's TID), the timer, and the file reads, driven by transfer.ts.

import type { Socket, RemoteInfo } from 'node:dgram';
import type { Logger } from 'pino';
import { decode, encode, Opcode, TftpErrorCode, type TftpPacket } from './packet.ts';
import type { BlockSource } from './source.ts';
import type { TftpPeer, TftpStats } from './events.ts';
import { start, step, bytesAcked, type TransferConfig, type TransferEffect, type TransferEvent, type TransferOutcome, type TransferState } from './transfer.ts';

export interface SessionDeps {
  /** Bound, with no listeners yet; the session owns and closes it. */
  socket: Socket;
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

export function startSession(d: SessionDeps): Session {
  const { socket, client, stats, log } = d;
  let state: TransferState | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let oacksSent = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  // Every step runs after the previous one's reads and sends were issued, in order.
  let chain: Promise<void> = Promise.resolve();

  const enqueue = (work: () => Promise<void>): void => {
    // A rejected read (file truncated, I/O error) ends the transfer; nothing escapes the chain.
    chain = chain.then(work).catch((err: unknown) => fail(`read error: ${err instanceof Error ? err.message : String(err)}`, true));
  };

  const sendTo = (packet: TftpPacket | Buffer[], to: TftpPeer, op: keyof typeof Opcode): void => {
    const bytes = Array.isArray(packet) ? packet : encode(packet);
    stats.packetsOut[op]++;
    socket.send(bytes, to.port, to.address, (err) => {
      // A failed send is like a lost packet: the timer retransmits or gives up.
      if (err) log.debug({ err, client }, 'tftp: send failed');
    });
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
      await d.source.close();
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
    await finish({ outcome: 'failed', bytes: state ? bytesAcked(state) : 0, reason });
  };

  const sendData = async (batch: Extract<TransferEffect, { type: 'send-data' }>[]): Promise<void> => {
    const first = batch[0];
    const last = batch[batch.length - 1];
    if (first === undefined || last === undefined) return;
    // One read for the whole window; each DATA goes out as header + slice (no copy).
    const span = last.offset + last.length - first.offset;
    const buf = Buffer.allocUnsafe(span);
    await d.source.readInto(buf, 0, first.offset, span);
    if (closed) return;
    for (const e of batch) {
      const header = Buffer.allocUnsafe(4);
      header.writeUInt16BE(Opcode.DATA, 0);
      header.writeUInt16BE(e.block, 2);
      sendTo([header, buf.subarray(e.offset - first.offset, e.offset - first.offset + e.length)], client, 'DATA');
      stats.bytesSent += e.length;
      if (e.retransmit) stats.retransmits++;
    }
  };

  const run = async (effects: TransferEffect[]): Promise<void> => {
    let batch: Extract<TransferEffect, { type: 'send-data' }>[] = [];
    for (const e of effects) {
      if (closed) return;
      if (e.type === 'send-data') {
        batch.push(e);
        continue;
      }
      await sendData(batch);
      batch = [];
      switch (e.type) {
        case 'send-oack':
          if (oacksSent++ > 0) stats.retransmits++;
          sendTo({ op: 'OACK', options: e.options }, client, 'OACK');
          break;
        case 'arm-timer':
          clearTimeout(timer);
          timer = setTimeout(() => post({ type: 'timer' }), Math.max(0, e.at - d.now()));
          break;
        case 'finish':
          await finish(e.result);
          break;
      }
    }
    await sendData(batch);
  };

  const post = (e: TransferEvent): void => {
    enqueue(async () => {
      if (closed || state === undefined) return;
      const [next, effects] = step(state, e, d.now());
      state = next;
      await run(effects);
    });
  };

  const onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
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
    if (p.op === 'ACK') post({ type: 'ack', block: p.block });
    else if (p.op === 'ERROR') post({ type: 'error', code: p.code, message: p.message });
    else log.debug({ client, op: p.op }, 'tftp: unexpected packet on a read transfer dropped');
  };

  socket.on('message', onMessage);
  socket.on('error', (err) => {
    log.warn({ err, client }, 'tftp: transfer socket error');
    enqueue(() => fail(`socket error: ${err.message}`, false));
  });

  enqueue(async () => {
    const [s0, effects] = start(d.config, d.now());
    state = s0;
    await run(effects);
  });

  return {
    requestRepeated() {
      if (closed || state?.phase !== 'oack') return false;
      post({ type: 'rrq' });
      return true;
    },
    abort(reason) {
      enqueue(() => fail(reason, true));
      return done;
    },
    done,
  };
}
