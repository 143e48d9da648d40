// One UDP port shared by many peers, read and answered in batches: node's loop
// says when the socket is readable (a libuv poll handle, uv-poll.ts),
// recvmmsg reads what waits in one call, and what the handlers send meanwhile
// leaves in one sendmmsg. Peers with a channel get their datagrams on it; the
// others go to `onOther`. IPv4, through libc (libc.ts); the port's descriptor
// is its own, not dgram's.

import { isIPv4 } from 'node:net';
import { constants as osConstants } from 'node:os';
import { errnoName, loadLibc, sockaddr, udpFd, type Libc } from './libc.ts';
import { loadUvPoll, type FdWatch, type UvPoll } from './uv-poll.ts';

export interface Peer {
  address: string;
  port: number;
}

/** The part of a dgram socket a channel offers: sends to any peer, datagrams from its own. */
export interface DatagramChannel {
  send(msg: Buffer | readonly Buffer[], port: number, address: string, callback?: (err: Error | null) => void): void;
  on(event: 'message', listener: (msg: Buffer, from: Peer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  removeAllListeners(event: 'message'): this;
  close(): void;
  /**
   * Sends `head` (4 bytes, big-endian) and then body[from..to) as one datagram to the
   * channel's peer, copied before it returns: nothing is allocated to build it, nothing of
   * the caller's is kept. A channel of a batched port has it; a dgram socket does not.
   */
  sendPrefixed?(head: number, body: Uint8Array, from: number, to: number): void;
}

export interface BatchedPort {
  /** The address and port bound. */
  address(): Peer;
  /**
   * One datagram to any peer, as dgram's send (an IPv4 literal address): with the batch
   * when it fits a send slot, else at once. A send the kernel refuses is reported to
   * `callback` (a lost datagram otherwise).
   */
  send(msg: Buffer | readonly Buffer[], port: number, address: string, callback?: (err: Error | null) => void): void;
  /**
   * Datagrams from `peer` come to the channel instead of `onOther`, and what it sends
   * during a batch leaves with the batch. Throws if `peer` has one already (hasChannel).
   * A message handed to a channel's listener is valid only during the call. `onClose` runs
   * when the channel closes, before anything else can arrive from the peer.
   */
  channel(peer: Peer, onClose?: () => void): DatagramChannel;
  hasChannel(peer: Peer): boolean;
  /** Times the port was found readable, datagrams read, datagrams over RECV_BYTES dropped, sends the kernel refused. */
  stats(): PortStats;
  close(): Promise<void>;
}

export interface PortStats {
  bursts: number;
  drained: number;
  oversize: number;
  sendFailures: number;
}

export interface BatchedPortHandlers {
  /** Datagrams from peers without a channel; `msg` is the handler's to keep. */
  onOther: (msg: Buffer, from: Peer) => void;
  /** Datagrams that go to `onOther` even from a peer with a channel (a server's new requests). */
  alwaysOther?: (msg: Buffer) => boolean;
  /** A datagram over RECV_BYTES, dropped (no TFTP packet we take is that long). */
  onOversize?: (from: Peer, bytes: number) => void;
  /** A read that fails other than by running dry (the port reads on). */
  onReadError?: (err: Error) => void;
  /**
   * libuv reported an error for the socket and stopped watching it: the port reads nothing
   * more (dgram would have read on; close it and open another).
   */
  onStopped?: (err: Error) => void;
}

/** Datagrams one call reads or sends at most; a burst beyond it takes more calls. */
const SLOTS = 64;
/** Largest datagram taken (RFC 2347 keeps a request with options within 512 bytes); longer ones are dropped. */
export const RECV_BYTES = 2048;
/** Largest datagram a channel sends with the batch (DATA of blksize 1468); longer ones go alone. */
export const SEND_BYTES = 1472;
// struct mmsghdr on 64-bit Linux: msghdr (msg_name, msg_namelen, msg_iov, msg_iovlen,
// msg_control, msg_controllen, msg_flags: 56 bytes), then msg_len, padded to 64.
const MMSG = 64;
const IOV = 16;
const SA = 16;
const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
const { EAGAIN, EINTR } = osConstants.errno;

function ipOf(address: string): number {
  let ip = 0;
  for (const part of address.split('.')) ip = ip * 256 + Number(part);
  return ip;
}

function ipString(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** ip * 65536 + port: exact in a double, and no string per datagram. */
function keyOf(address: string, port: number): number {
  return ipOf(address) * 65536 + port;
}

interface Queued {
  callback: (err: Error | null) => void;
  slot: number;
}

class Channel implements DatagramChannel {
  onMessage: ((msg: Buffer, from: Peer) => void) | undefined;
  onError: ((err: Error) => void) | undefined;
  closed = false;
  constructor(
    private readonly port: Port,
    readonly key: number,
    readonly peer: Peer,
    /** The peer's sockaddr_in, copied into each send slot. */
    readonly sa: Uint8Array,
    private readonly onClose?: () => void,
  ) {}

  send(msg: Buffer | readonly Buffer[], port: number, address: string, callback?: (err: Error | null) => void): void {
    if (this.closed) throw new Error('send on a closed channel');
    if (port === this.peer.port && address === this.peer.address) this.port.enqueue(this.sa, msg, callback);
    else this.port.send(msg, port, address, callback);
  }

  sendPrefixed(head: number, body: Uint8Array, from: number, to: number): void {
    if (this.closed) throw new Error('send on a closed channel');
    this.port.queuePrefixed(this, head, body, from, to);
  }

  on(event: 'message', listener: (msg: Buffer, from: Peer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'message' | 'error', listener: ((msg: Buffer, from: Peer) => void) | ((err: Error) => void)): this {
    if (event === 'message') this.onMessage = listener as (msg: Buffer, from: Peer) => void;
    else this.onError = listener as (err: Error) => void;
    return this;
  }

  removeAllListeners(event: 'message'): this {
    if (event === 'message') this.onMessage = undefined;
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.release(this);
    this.onClose?.();
  }
}

class Port implements BatchedPort {
  private readonly channels = new Map<number, Channel>();
  private readonly mem: ReturnType<Libc['alloc']>;
  private readonly view: DataView;
  private readonly at: { rmsg: number; rname: number; rbuf: number; smsg: number; siov: number; sname: number; sbuf: number };
  private readonly watch: FdWatch;
  private inBatch = false;
  private flushScheduled = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private queued = 0;
  private readonly callbacks: Queued[] = [];
  private readonly counts: PortStats = { bursts: 0, drained: 0, oversize: 0, sendFailures: 0 };

  constructor(
    private readonly c: Libc,
    uv: UvPoll,
    private readonly fd: number,
    private readonly bound: Peer,
    private readonly h: BatchedPortHandlers,
  ) {
    // First, so that nothing is allocated when libuv refuses the descriptor.
    this.watch = uv.watch(fd, (err) => this.onReadable(err));
    const at = { rmsg: 0, riov: 0, rname: 0, rbuf: 0, smsg: 0, siov: 0, sname: 0, sbuf: 0, end: 0 };
    at.riov = at.rmsg + SLOTS * MMSG;
    at.rname = at.riov + SLOTS * IOV;
    at.rbuf = at.rname + SLOTS * SA;
    at.smsg = at.rbuf + SLOTS * RECV_BYTES;
    at.siov = at.smsg + SLOTS * MMSG;
    at.sname = at.siov + SLOTS * IOV;
    at.sbuf = at.sname + SLOTS * SA;
    at.end = at.sbuf + SLOTS * SEND_BYTES;
    this.at = at;
    this.mem = c.alloc(at.end);
    this.view = new DataView(this.mem.bytes.buffer, this.mem.bytes.byteOffset, at.end);
    const ptr = (offset: number): bigint => this.mem.address + BigInt(offset);
    // Every pointer is written once; a call only changes lengths.
    for (let i = 0; i < SLOTS; i++) {
      for (const [msg, iov, name, buf, size] of [
        [at.rmsg, at.riov, at.rname, at.rbuf, RECV_BYTES],
        [at.smsg, at.siov, at.sname, at.sbuf, SEND_BYTES],
      ] as const) {
        const m = msg + i * MMSG;
        this.view.setBigUint64(m, ptr(name + i * SA), true); // msg_name
        this.view.setUint32(m + 8, SA, true); // msg_namelen
        this.view.setBigUint64(m + 16, ptr(iov + i * IOV), true); // msg_iov
        this.view.setBigUint64(m + 24, 1n, true); // msg_iovlen
        this.view.setBigUint64(iov + i * IOV, ptr(buf + i * size), true); // iov_base
        this.view.setBigUint64(iov + i * IOV + 8, BigInt(size), true); // iov_len
      }
    }
  }

  address(): Peer {
    return { address: this.bound.address, port: this.bound.port };
  }

  channel(peer: Peer, onClose?: () => void): DatagramChannel {
    const key = keyOf(peer.address, peer.port);
    if (this.channels.has(key)) throw new Error(`${peer.address}:${peer.port} has a channel already`);
    const ch = new Channel(this, key, { address: peer.address, port: peer.port }, sockaddr(this.c, peer.address, peer.port), onClose);
    this.channels.set(key, ch);
    return ch;
  }

  hasChannel(peer: Peer): boolean {
    return this.channels.has(keyOf(peer.address, peer.port));
  }

  stats(): PortStats {
    return { ...this.counts };
  }

  release(ch: Channel): void {
    if (this.channels.get(ch.key) === ch) this.channels.delete(ch.key);
  }

  send(msg: Buffer | readonly Buffer[], port: number, address: string, callback?: (err: Error | null) => void): void {
    if (!isIPv4(address)) {
      const err = new Error(`send to ${address}: the port sends to IPv4 addresses only`);
      if (callback) process.nextTick(callback, err);
      return;
    }
    this.enqueue(sockaddr(this.c, address, port), msg, callback);
  }

  /** `msg` to the sockaddr `sa`: into the batch, or at once when it cannot join it. */
  enqueue(sa: Uint8Array, msg: Buffer | readonly Buffer[], callback?: (err: Error | null) => void): void {
    const one = Buffer.isBuffer(msg);
    let length = 0;
    if (one) length = msg.length;
    else for (let i = 0; i < msg.length; i++) length += (msg[i] as Buffer).length;
    let o = this.slot(sa, length);
    if (o < 0) return this.sendNow(sa, one ? msg : Buffer.concat(msg), callback);
    const bytes = this.mem.bytes;
    if (one) bytes.set(msg, o);
    else {
      for (let i = 0; i < msg.length; i++) {
        const p = msg[i] as Buffer;
        bytes.set(p, o);
        o += p.length;
      }
    }
    if (callback) this.callbacks.push({ callback, slot: this.queued - 1 });
  }

  queuePrefixed(ch: Channel, head: number, body: Uint8Array, from: number, to: number): void {
    const o = this.slot(ch.sa, 4 + to - from);
    if (o < 0) {
      const datagram = Buffer.allocUnsafe(4 + to - from);
      datagram.writeUInt32BE(head >>> 0, 0);
      datagram.set(body.subarray(from, to), 4);
      return this.sendNow(ch.sa, datagram);
    }
    this.view.setUint32(o, head, false);
    this.mem.bytes.set(body.subarray(from, to), o + 4);
  }

  /**
   * A datagram that cannot join the batch (too long, the port closed), sent now: what is
   * queued went first (slot), so a peer gets its datagrams in order. Refused: counted, and
   * reported to the callback.
   */
  private sendNow(sa: Uint8Array, bytes: Buffer, callback?: (err: Error | null) => void): void {
    let err: Error | null = null;
    if (this.closed) err = new Error('send on a closed port');
    else if (this.c.sendto(this.fd, bytes, bytes.length, 0, sa, sa.length) < 0) {
      err = new Error(`sendto: ${errnoName(this.c.errno())}`);
      this.counts.sendFailures++;
    }
    if (callback) process.nextTick(callback, err);
  }

  /**
   * The next send slot, set up for `length` bytes to the sockaddr `sa`: where its bytes go
   * in native memory, or -1 when the datagram cannot join the batch (too long, the port
   * closing; what is queued is flushed first, so the peer gets its datagrams in order).
   */
  private slot(sa: Uint8Array, length: number): number {
    if (length > SEND_BYTES || this.closed) {
      this.flush();
      return -1;
    }
    // Outside a burst (a transfer that finished opening its file, a timer) the send waits
    // for the end of this turn of the event loop, where the others of the turn join it.
    if (!this.inBatch && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushLater);
    }
    if (this.queued === SLOTS) this.flush();
    const slot = this.queued++;
    // iov_len, a 64-bit length below 2^32: two 32-bit halves, no BigInt per datagram.
    const iov = this.at.siov + slot * IOV + 8;
    this.view.setUint32(iov, length, true);
    this.view.setUint32(iov + 4, 0, true);
    this.mem.bytes.set(sa, this.at.sname + slot * SA);
    return this.at.sbuf + slot * SEND_BYTES;
  }

  private readonly flushLater = (): void => {
    this.flushScheduled = false;
    if (!this.closed) this.flush();
  };

  private flush(): void {
    if (this.queued === 0) return;
    const n = this.queued;
    this.queued = 0;
    let sent = this.c.sendmmsg(this.fd, this.mem.address + BigInt(this.at.smsg), n, 0);
    let err: Error | null = null;
    if (sent < n) {
      // The first refused datagram has the errno; the rest were not tried. Like a lost
      // datagram (the sender's timer covers it), counted and reported to any callback.
      err = new Error(`sendmmsg: ${errnoName(this.c.errno())}`);
      sent = Math.max(0, sent);
      this.counts.sendFailures += n - sent;
    }
    for (const q of this.callbacks.splice(0)) process.nextTick(q.callback, q.slot < sent ? null : err);
  }

  private dispatch(msg: Buffer, ip: number, port: number): void {
    const ch = this.channels.get(ip * 65536 + port);
    if (ch !== undefined && !(this.h.alwaysOther?.(msg) ?? false)) ch.onMessage?.(msg, ch.peer);
    else this.h.onOther(Buffer.from(msg), { address: ipString(ip), port });
  }

  private oversize(from: Peer, bytes: number): void {
    this.counts.oversize++;
    this.h.onOversize?.(from, bytes);
  }

  /** The port is readable: everything waiting is read (SLOTS at a time) and answered in one batch. */
  private onReadable(err?: Error): void {
    if (err !== undefined) {
      this.h.onStopped?.(err);
      return;
    }
    if (this.closed) return;
    this.counts.bursts++;
    this.inBatch = true;
    try {
      const { at, view } = this;
      for (;;) {
        for (let i = 0; i < SLOTS; i++) view.setUint32(at.rmsg + i * MMSG + 8, SA, true);
        const n = this.c.recvmmsg(this.fd, this.mem.address + BigInt(at.rmsg), SLOTS, MSG_DONTWAIT, null);
        if (n < 0) {
          // EAGAIN: drained (or another reader was first); anything else is the socket's error.
          const errno = this.c.errno();
          if (errno !== EAGAIN && errno !== EINTR) this.h.onReadError?.(new Error(`recvmmsg: ${errnoName(errno)}`));
          break;
        }
        this.counts.drained += n;
        for (let i = 0; i < n; i++) {
          const m = at.rmsg + i * MMSG;
          const name = at.rname + i * SA;
          const port = view.getUint16(name + 2);
          const ip = view.getUint32(name + 4);
          // MSG_TRUNC: the datagram was longer than its slot (msg_len is the slot's size).
          if (view.getInt32(m + 48, true) & MSG_TRUNC) {
            this.oversize({ address: ipString(ip), port }, view.getUint32(m + 56, true));
            continue;
          }
          const bytes = Buffer.from(this.mem.bytes.buffer, this.mem.bytes.byteOffset + at.rbuf + i * RECV_BYTES, view.getUint32(m + 56, true));
          this.dispatch(bytes, ip, port);
        }
        if (n < SLOTS) break;
      }
    } finally {
      this.inBatch = false;
      this.flush();
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.flush();
      this.closed = true;
      await this.watch.close();
      this.c.close(this.fd);
      this.mem.free();
    })();
    return this.closing;
  }
}

/**
 * Binds `address`:`port` (IPv4) for batched reading and sending. Resolves to why not
 * where it cannot be had (koffi, libc or node's libuv out of reach, an IPv6 address);
 * rejects when the bind itself fails (EADDRINUSE, EACCES), as a dgram bind would.
 */
export async function openBatchedPort(
  address: string,
  port: number,
  handlers: BatchedPortHandlers,
  /** Applied to the socket before the bind (setsockopt), as udpFd's `configure`. */
  configure?: (c: Libc, fd: number) => boolean,
): Promise<BatchedPort | { unavailable: string }> {
  if (!isIPv4(address)) return { unavailable: `batched UDP is IPv4 only (${address})` };
  const c = await loadLibc();
  if ('unavailable' in c) return c;
  const uv = await loadUvPoll();
  if ('unavailable' in uv) return uv;
  const fd = udpFd(c, address, port, configure && ((f) => configure(c, f)));
  try {
    // The port bound (port 0 picks one): sockaddr_in's port, big-endian at offset 2.
    const sa = Buffer.alloc(SA);
    if (c.getsockname(fd, sa, new Uint32Array([SA])) !== 0) throw new Error(`getsockname: ${errnoName(c.errno())}`);
    return new Port(c, uv, fd, { address, port: sa.readUInt16BE(2) }, handlers);
  } catch (err) {
    c.close(fd);
    throw err;
  }
}
