// The agent's read-only TFTP service: the listener socket, request policy
// (modes, paths, options, limits) and the set of running transfers.

import { createSocket, type Socket } from 'node:dgram';
import type { FileHandle } from 'node:fs/promises';
import { lookup as dnsLookup } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { pino, type Logger } from 'pino';
import { VaqueroError } from '../../errors.ts';
import { loadLibc } from '../libc.ts';
import { openBatchedPort, type BatchedPort, type DatagramChannel } from '../udp-batch.ts';
import { loadUdpGso, segmentsPerSend, type UdpGso } from '../udp-gso.ts';
import { createLocator, createQuickLocator, openConfined, splitRequestPath } from './confine.ts';
import { copyStats, emptyStats, type TftpEvent, type TftpPeer, type TftpStats } from './events.ts';
import { toNetascii } from './netascii.ts';
import { negotiate } from './options.ts';
import { decode, encode, Opcode, TftpErrorCode, type TftpRequest } from './packet.ts';
import { startSession, type Session } from './session.ts';
import { bufferSource, fileSource, READ_CHUNK, type BlockSource } from './source.ts';
import { DEFAULT_SMALL_FILE_LIMITS, SmallFileCache, type SmallFileLimits } from './small-files.ts';
import type { TransferOutcome } from './transfer.ts';

export interface TftpServerOptions {
  /** Folder served; every request resolves inside it. */
  baseDir: string;
  /** Searched in order when a file is not in baseDir (e.g. /usr/lib/ipxe), confined the same way. Default none. */
  fallbackDirs?: string[];
  /** Listen address. Default '0.0.0.0'. */
  host?: string;
  /** Listen port. Default 69; 0 picks a free port. */
  port?: number;
  /** Retransmission timeout in ms unless the client negotiates `timeout`. Default 1000. */
  timeoutMs?: number;
  /** Retransmissions without progress before a transfer fails. Default 5. */
  retries?: number;
  /** Transfers at once; one more RRQ gets ERROR 0. Default 512 (each holds a socket and a file). */
  maxTransfers?: number;
  /** Largest blksize granted. Default 65464 (RFC 2348). */
  maxBlksize?: number;
  /** Largest windowsize granted. Default 64 blocks. */
  maxWindowsize?: number;
  /** Largest file served in netascii mode, converted in memory. Default 16 MiB. */
  maxNetasciiBytes?: number;
  /**
   * Small files kept in memory between transfers (src/io/tftp/small-files.ts). Default
   * files up to 4 MiB, 64 MiB in all; `totalBytes: 0` reads every transfer from disk.
   */
  smallFiles?: Partial<SmallFileLimits>;
  /**
   * Look for a kept small file with openat2(2) on the event loop first (confine.ts,
   * createQuickLocator), where Linux (5.12) and koffi have it; the full checks on the
   * thread pool decide whatever that leaves open. Default true.
   */
  quickLookup?: boolean;
  /**
   * Send each window (windowsize > 1) in as few syscalls as the kernel takes, through UDP
   * segmentation offload (src/io/udp-gso.ts), where Linux and koffi have it; a transfer
   * whose segmented send fails goes on a datagram at a time. Default true.
   */
  udpGso?: boolean;
  /**
   * Run lock-step transfers on the listening port (their TID is the server's port, as
   * dnsmasq's tftp-single-port) and read and answer the datagrams of all of them in
   * batches (src/io/udp-batch.ts): IPv4, where Linux and koffi have it. A client port that
   * has a transfer there already, a windowed transfer, or `false` here: a port of its own
   * per transfer. Default true.
   */
  batchedPort?: boolean;
  /** Default: a disabled pino logger. */
  logger?: Logger;
  /** Called synchronously; an exception thrown here is logged and ignored. */
  onEvent?: (e: TftpEvent) => void;
  /**
   * The server takes no more requests: libuv stopped watching its batched port after a
   * socket error. Its owner restarts it (the agent: a crash for the TFTP supervisor).
   */
  onFailed?: (err: Error) => void;
  /** Monotonic clock in ms, for the transfer timers. Default performance.now. */
  now?: () => number;
}

export interface TftpServer {
  listen(): Promise<{ address: string; port: number }>;
  /** Stops listening, sends ERROR 0 to every running transfer and waits for them to end. */
  close(): Promise<void>;
  stats(): TftpStats;
}

/**
 * dgram resolves the address of every send through `lookup`, and node's default answers
 * even an IP literal on the next tick (a closure and a process.nextTick per DATA block).
 * A transfer only ever sends to the address a datagram came from, a literal: answered at
 * once here, so the send goes out synchronously; anything else goes to dns.lookup.
 * `taskset -c 0 node bench/udp-floor.mjs` compares the two.
 */
const literalLookup = ((hostname: string, options: unknown, callback: (err: Error | null, address: string, family: number) => void): void => {
  const family = isIP(hostname);
  if (family === 0) {
    dnsLookup(hostname, options as never, callback as never);
    return;
  }
  callback(null, hostname, family);
}) as unknown as typeof dnsLookup;

/** A transfer's socket: a port of its own (maybe segmenting), or a channel of the listener's. */
interface TransferSocket {
  socket: DatagramChannel;
  /** The server's TID: the listener's port, or the transfer's own. */
  port: number;
  unsegment?: () => boolean;
}

export function createTftpServer(opts: TftpServerOptions): TftpServer {
  const host = opts.host ?? '0.0.0.0';
  const type = isIPv6(host) ? 'udp6' : 'udp4';
  // Once each: the base folder may be a fallback too (the agent's default is /usr/lib/ipxe).
  const roots = [...new Set([opts.baseDir, ...(opts.fallbackDirs ?? [])])];
  const timeoutMs = opts.timeoutMs ?? 1000;
  const retries = opts.retries ?? 5;
  const maxTransfers = opts.maxTransfers ?? 512;
  const limits = { maxBlksize: opts.maxBlksize ?? 65464, maxWindowsize: opts.maxWindowsize ?? 64 };
  const maxNetasciiBytes = opts.maxNetasciiBytes ?? 16 * 1024 * 1024;
  const log = opts.logger ?? pino({ enabled: false });
  const now = opts.now ?? (() => performance.now());
  const stats = emptyStats();
  const smallFiles = new SmallFileCache({ ...DEFAULT_SMALL_FILE_LIMITS, ...opts.smallFiles });
  let quick: ReturnType<typeof createQuickLocator> | undefined;
  const locate = createLocator(roots, (segments) => {
    const st = quick?.(segments);
    if (st !== undefined) stats.quickLookups++;
    return st;
  });
  const running = new Set<Session>();
  // Running transfers by the request that started them (same key as `starting`).
  const byRequest = new Map<string, Session>();
  // Requests between RRQ and a running session (opening the file, binding the socket), keyed
  // by the client's address, port and the request's bytes, so a retransmitted RRQ is known.
  const starting = new Map<string, Promise<void>>();
  // What requests come to and refusals leave from: the batched port, or a dgram socket.
  let listener: Pick<DatagramChannel, 'send'> | undefined;
  // The listener when it is not the batched port.
  let socket: Socket | undefined;
  let listenCalled = false;
  // The listener's port when it is batched: lock-step transfers run on channels of it.
  let shared: BatchedPort | undefined;
  let sharedPort = 0;
  let gso: UdpGso | undefined;
  let closing = false;
  // Client ports whose transfer on the shared port ended lately, and until when they count.
  // A duplicate of the last ACK (or one the client repeats) comes after the end: dropped,
  // not answered with ERROR 5, which could land on the client's next transfer from the
  // same port (firmware reuses ports). As a closed transfer socket did (the kernel's ICMP).
  const ended = new Map<string, number>();
  const ENDED_MS = 30_000;
  const ENDED_MAX = 16_384;
  const peerKey = (c: TftpPeer): string => `${c.address}|${c.port}`;
  const markEnded = (c: TftpPeer): void => {
    const t = now();
    const k = peerKey(c);
    ended.delete(k);
    ended.set(k, t + ENDED_MS);
    // Oldest first (insertion order): drop the expired, and the oldest past the cap.
    for (const [key, until] of ended) {
      if (until > t && ended.size <= ENDED_MAX) break;
      ended.delete(key);
    }
  };
  const endedRecently = (c: TftpPeer): boolean => (ended.get(peerKey(c)) ?? 0) > now();

  const emit = (e: TftpEvent): void => {
    try {
      opts.onEvent?.(e);
    } catch (err) {
      log.error({ err, event: e.type }, 'tftp: onEvent handler threw');
    }
  };

  const refuse = (to: TftpPeer, file: string, code: number, reason: string, message = reason): void => {
    stats.transfers.refused++;
    stats.packetsOut.ERROR++;
    log.debug({ client: to, file, code, reason }, 'tftp: request refused');
    emit({ type: 'request-refused', client: to, file, code, reason });
    if (closing || !listener) return;
    listener.send(encode({ op: 'ERROR', code, message }), to.port, to.address, (err) => {
      if (err) log.debug({ err, client: to }, 'tftp: sending ERROR failed');
    });
  };

  /**
   * The transfer's socket: a channel of the listener's port for a lock-step transfer, else
   * a port of its own, segmenting when its windows fit (at least two DATA blocks of
   * blksize + 4 bytes per send).
   */
  const bindTransferSocket = async (client: TftpPeer, blksize: number, windowsize: number): Promise<TransferSocket> => {
    // One transfer per client port on the shared port: a second request from the same
    // port (UEFI fetching again after its size probe, a duplicate) gets a TID of its own.
    if (shared !== undefined && windowsize === 1 && !shared.hasChannel(client)) return { socket: shared.channel(client, () => markEnded(client)), port: sharedPort };
    if (gso !== undefined && windowsize > 1 && segmentsPerSend(blksize + 4) >= 2) {
      try {
        const g = await gso.bind(host, blksize + 4, { lookup: literalLookup });
        return { ...g, port: g.socket.address().port };
      } catch (err) {
        log.debug({ err }, 'tftp: no segmenting socket for this transfer, sending a datagram at a time');
      }
    }
    const own = await bindEphemeral();
    return { socket: own, port: own.address().port };
  };

  const bindEphemeral = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = createSocket({ type, lookup: literalLookup });
      s.once('error', reject);
      s.bind({ address: host, port: 0 }, () => {
        s.removeListener('error', reject);
        resolve(s);
      });
    });

  const startTransfer = async (p: TftpRequest, client: TftpPeer, key: string): Promise<void> => {
    const file = p.filename;
    const split = splitRequestPath(file);
    if (!split.ok) return refuse(client, file, split.code, split.reason, split.code === TftpErrorCode.ACCESS_VIOLATION ? 'Access violation' : 'File not found');
    // ROMs are fetched again and again: look for a kept copy before opening anything. A
    // small file is read whole, so a transfer serves one version even if it changes.
    const located = await locate(split.segments);
    let data = located !== undefined ? smallFiles.get(located.stat) : undefined;
    let source: BlockSource | undefined;
    // The open file, until it is read whole or becomes the transfer's source.
    let handle: FileHandle | undefined;
    let bound: TransferSocket;
    let n: ReturnType<typeof negotiate>;
    try {
      let size = data?.length ?? 0;
      if (data === undefined) {
        const opened = await openConfined(roots, split.segments);
        if (!opened.ok) return refuse(client, file, opened.code, opened.reason, opened.code === TftpErrorCode.ACCESS_VIOLATION ? 'Access violation' : 'File not found');
        handle = opened.handle;
        size = opened.size;
        if (smallFiles.fits(opened.size)) data = await smallFiles.read(opened.handle);
        else if (p.mode === 'netascii' && opened.size <= maxNetasciiBytes) data = await opened.handle.readFile();
        if (data !== undefined) {
          handle = undefined;
          await opened.handle.close();
        }
      }
      if (p.mode === 'netascii') {
        if (data === undefined || data.length > maxNetasciiBytes) {
          await handle?.close();
          return refuse(client, file, TftpErrorCode.NOT_DEFINED, `netascii limited to ${maxNetasciiBytes} bytes`, 'File too large for netascii; use octet');
        }
        data = toNetascii(data);
      }
      if (data !== undefined) size = data.length;
      n = negotiate(p.options, size, limits);
      if (data === undefined && handle === undefined) throw new Error('unreachable: neither bytes nor an open file for a started transfer');
      bound = await bindTransferSocket(client, n.blksize, n.windowsize);
      source = data !== undefined ? bufferSource(data) : fileSource(handle as FileHandle, size, READ_CHUNK, n.blksize * n.windowsize);
    } catch (err) {
      // bound is unset here: bindTransferSocket is the last step that can throw.
      await (source ?? handle)?.close().catch(() => undefined);
      log.warn({ err, client, file }, 'tftp: could not start transfer');
      return refuse(client, file, TftpErrorCode.NOT_DEFINED, `could not start: ${String(err)}`, 'Server error');
    }
    const { socket, unsegment } = bound;
    if (closing) {
      socket.close();
      await source.close();
      return;
    }
    if (n.ignored.length > 0) log.debug({ client, file, ignored: n.ignored }, 'tftp: options not granted');
    const started = now();
    stats.transfers.started++;
    stats.transfers.active++;
    emit({ type: 'transfer-started', client, file, size: source.size, blksize: n.blksize, windowsize: n.windowsize, mode: p.mode, serverPort: bound.port });
    const config = { size: source.size, blksize: n.blksize, windowsize: n.windowsize, timeoutMs: n.timeoutMs ?? timeoutMs, retries, oack: n.oack };
    // Methods rather than arrows: esbuild's keepNames (tsx) names an arrow function each
    // time it is created (see ReadSession in session.ts), a method once.
    const session = startSession({
      socket,
      unsegment,
      client,
      source,
      config,
      stats,
      log,
      now,
      onFinish(r: TransferOutcome) {
        running.delete(session);
        if (byRequest.get(key) === session) byRequest.delete(key);
        stats.transfers.active--;
        stats.transfers[r.outcome]++;
        const durationMs = Math.round(now() - started);
        if (log.isLevelEnabled('debug')) log.debug({ client, file, ...r, durationMs }, 'tftp: transfer ended');
        if (r.outcome === 'completed') emit({ type: 'transfer-completed', client, file, bytes: r.bytes, durationMs });
        else if (r.outcome === 'aborted') emit({ type: 'transfer-aborted', client, file, bytes: r.bytes, durationMs, code: r.code, message: r.message });
        else emit({ type: 'transfer-failed', client, file, bytes: r.bytes, durationMs, reason: r.reason });
      },
      onMalformed(reason: string) {
        emit({ type: 'malformed-dropped', client, reason });
      },
    });
    running.add(session);
    byRequest.set(key, session);
  };

  const onRequest = (p: TftpRequest, raw: Buffer, client: TftpPeer): void => {
    if (p.op === 'WRQ') return refuse(client, p.filename, TftpErrorCode.ACCESS_VIOLATION, 'write request to a read-only server', 'Read-only server');
    const key = `${client.address}|${client.port}|${raw.toString('hex')}`;
    if (starting.has(key)) {
      // Resent before we answered at all: one transfer is enough. Once a transfer runs, a
      // new RRQ from the same port starts another one, as in tftpd-hpa: it may be a real
      // new request (UEFI fetches again right after its size probe), and if it was a
      // duplicate the client answers the second TID with ERROR 5, which ends it.
      log.debug({ client, file: p.filename }, 'tftp: repeated RRQ ignored');
      return;
    }
    // Except while that transfer still waits for ACK 0: its OACK was lost, and it sends
    // the OACK again instead of leaving a transfer behind that nobody will answer.
    if (byRequest.get(key)?.requestRepeated()) {
      log.debug({ client, file: p.filename }, 'tftp: repeated RRQ answered with the OACK again');
      return;
    }
    if (p.mode !== 'octet' && p.mode !== 'netascii') {
      return refuse(client, p.filename, TftpErrorCode.ILLEGAL_OPERATION, `mode "${p.mode}" not supported`, 'Only octet and netascii modes');
    }
    if (running.size + starting.size >= maxTransfers) {
      return refuse(client, p.filename, TftpErrorCode.NOT_DEFINED, `${maxTransfers} transfers already running`, 'Server busy');
    }
    const pending = startTransfer(p, client, key).then(
      () => {
        starting.delete(key);
      },
      (err: unknown) => {
        log.error({ err, client, file: p.filename }, 'tftp: starting a transfer failed');
        starting.delete(key);
      },
    );
    starting.set(key, pending);
  };

  const onListenerMessage = (msg: Buffer, rinfo: TftpPeer): void => {
    const client = { address: rinfo.address, port: rinfo.port };
    const r = decode(msg);
    if (!r.ok) {
      if (r.error.kind === 'unknown-opcode') stats.packetsIn.unknown++;
      stats.malformed++;
      log.debug({ client, reason: r.error }, 'tftp: malformed packet dropped');
      emit({ type: 'malformed-dropped', client, reason: `${r.error.kind}: ${r.error.detail}` });
      return;
    }
    const p = r.packet;
    stats.packetsIn[p.op]++;
    if (closing) return;
    if (p.op === 'RRQ' || p.op === 'WRQ') onRequest(p, msg, client);
    else if (shared !== undefined && (p.op === 'ACK' || p.op === 'DATA') && !endedRecently(client)) {
      // On the shared port this is what a packet to a transfer socket that is not the
      // client's was: RFC 1350 section 4, ERROR 5.
      stats.unknownTid++;
      stats.packetsOut.ERROR++;
      shared.send(encode({ op: 'ERROR', code: TftpErrorCode.UNKNOWN_TID, message: 'Unknown transfer ID' }), client.port, client.address, (err) => {
        if (err) log.debug({ err, client }, 'tftp: sending ERROR 5 failed');
      });
    } else log.debug({ client, op: p.op }, 'tftp: non-request packet on the listener dropped');
  };

  return {
    async listen() {
      if (listenCalled) throw new Error('tftp: listen() called twice');
      listenCalled = true;
      const port = opts.port ?? 69;
      const cannot = (err: unknown): VaqueroError => {
        const message = err instanceof Error ? err.message : String(err);
        return new VaqueroError('VQ_ERR_IO', `tftp: cannot listen on ${host}:${port}: ${message}`, { cause: err });
      };
      if (opts.batchedPort !== false) {
        let p: BatchedPort | { unavailable: string };
        try {
          // A request (RRQ, WRQ) is the listener's even from a client port with a transfer.
          const isRequest = (msg: Buffer): boolean => msg.length >= 2 && msg[0] === 0 && (msg[1] === Opcode.RRQ || msg[1] === Opcode.WRQ);
          p = await openBatchedPort(host, port, {
            onOther: onListenerMessage,
            alwaysOther: isRequest,
            onOversize: (from, bytes) => {
              stats.malformed++;
              log.debug({ client: from, bytes }, 'tftp: datagram too long for a TFTP request or ACK, dropped');
            },
            onReadError: (err) => log.error({ err }, 'tftp: listener socket error'),
            onStopped: (err) => {
              log.error({ err }, 'tftp: listener stopped reading after a socket error');
              opts.onFailed?.(err);
            },
          });
        } catch (err) {
          throw cannot(err);
        }
        if ('unavailable' in p) log.info({ reason: p.unavailable }, 'tftp: no batched port; every transfer gets a port of its own');
        else shared = p;
      }
      let a: { address: string; port: number };
      if (shared !== undefined) {
        listener = shared;
        a = shared.address();
        sharedPort = a.port;
      } else {
        const s = createSocket({ type });
        s.on('message', onListenerMessage);
        await new Promise<void>((resolve, reject) => {
          const onBindError = (err: Error): void => {
            s.close();
            reject(cannot(err));
          };
          s.once('error', onBindError);
          s.bind({ address: host, port }, () => {
            s.removeListener('error', onBindError);
            resolve();
          });
        });
        s.on('error', (err) => log.error({ err }, 'tftp: listener socket error'));
        listener = socket = s;
        a = s.address();
      }
      log.info({ address: a.address, port: a.port, roots, batched: shared !== undefined }, 'tftp: listening');
      if (opts.udpGso !== false) {
        const g = await loadUdpGso(host);
        if ('unavailable' in g) log.info({ reason: g.unavailable }, 'tftp: no UDP segmentation offload; windows go out a datagram at a time');
        else gso = g;
      }
      if (opts.quickLookup !== false) {
        const c = await loadLibc();
        const slow = 'kept files are found through the thread pool only';
        if ('unavailable' in c) log.info({ reason: c.unavailable }, `tftp: no openat2; ${slow}`);
        else quick = createQuickLocator(roots, c, (reason) => log.info({ reason }, `tftp: openat2 refused; ${slow}`));
      }
      return { address: a.address, port: a.port };
    },
    async close() {
      if (closing) return;
      closing = true;
      // Requests are ignored from here on; transfers on the shared port still send through
      // it, so the listener closes last.
      await Promise.all([...starting.values()]);
      await Promise.all([...running].map((r) => r.abort('server shutting down')));
      if (shared) await shared.close();
      else if (socket) {
        const s = socket;
        await new Promise<void>((resolve) => {
          try {
            s.close(() => resolve());
          } catch {
            resolve(); // never bound
          }
        });
      }
    },
    stats: () => copyStats(stats),
  };
}
