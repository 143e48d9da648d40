// A second measuring stick under our TFTP figures: what a node process can do
// when it batches its syscalls. Every transfer runs on the one port the RRQ
// came to (dnsmasq's tftp-single-port), so the ACKs of all transfers queue on
// one socket: node's dgram reads the first of a batch (and tells us the socket
// is readable), recvmmsg drains the rest in one call, and all the replies go
// out in one sendmmsg, through libc by koffi. Files in memory, blksize up to
// 1468, windowsize; no timers, retransmission, rollover, confinement or
// events, as bench/agent/tftp-floor.ts. Not a server.
//
//   node --import tsx bench/agent/tftp-floor-mmsg.ts DIR ADDRESS PORT
import { Buffer } from 'node:buffer';
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import koffi from 'koffi';

const [dir, address, port] = process.argv.slice(2);
if (!dir || !address || !port) throw new Error('usage: tftp-floor-mmsg.ts DIR ADDRESS PORT');
const files = new Map(
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => [d.name, readFileSync(join(dir, d.name))]),
);

const lib = koffi.load(null as unknown as string);
const socketFn = lib.func('int socket(int, int, int)') as (domain: number, type: number, protocol: number) => number;
const bindFn = lib.func('int bind(int, const void *, uint32_t)') as (fd: number, addr: Buffer, len: number) => number;
const recvmmsg = lib.func('int recvmmsg(int, void *, unsigned int, int, void *)') as (fd: number, vec: bigint, n: number, flags: number, timeout: null) => number;
const sendmmsg = lib.func('int sendmmsg(int, void *, unsigned int, int)') as (fd: number, vec: bigint, n: number, flags: number) => number;

// Slots for N datagrams each way, in one block of native memory: struct mmsghdr (64
// bytes on x86-64: msghdr of 56, msg_len, padding), struct iovec (16), sockaddr_in (16),
// and the bytes. Every pointer is written once; a call only changes lengths.
const N = 64;
const MAX_BLKSIZE = 1468;
const RECV_BYTES = 1500;
const SEND_BYTES = 4 + MAX_BLKSIZE;
const MMSG = 64;
const IOV = 16;
const SA = 16;
const at = { rmsg: 0, riov: 0, rname: 0, rbuf: 0, smsg: 0, siov: 0, sname: 0, sbuf: 0, end: 0 };
at.riov = at.rmsg + N * MMSG;
at.rname = at.riov + N * IOV;
at.rbuf = at.rname + N * SA;
at.smsg = at.rbuf + N * RECV_BYTES;
at.siov = at.smsg + N * MMSG;
at.sname = at.siov + N * IOV;
at.sbuf = at.sname + N * SA;
at.end = at.sbuf + N * SEND_BYTES;
const mem: unknown = koffi.alloc('uint8_t', at.end);
const base = koffi.address(mem);
const u8 = new Uint8Array(koffi.view(mem, at.end));
const dv = new DataView(u8.buffer);
const ptr = (offset: number): bigint => base + BigInt(offset);
for (let i = 0; i < N; i++) {
  for (const [msg, iov, name, buf, size] of [
    [at.rmsg, at.riov, at.rname, at.rbuf, RECV_BYTES],
    [at.smsg, at.siov, at.sname, at.sbuf, SEND_BYTES],
  ] as const) {
    const m = msg + i * MMSG;
    dv.setBigUint64(m, ptr(name + i * SA), true); // msg_name
    dv.setUint32(m + 8, SA, true); // msg_namelen
    dv.setBigUint64(m + 16, ptr(iov + i * IOV), true); // msg_iov
    dv.setBigUint64(m + 24, 1n, true); // msg_iovlen
    dv.setBigUint64(iov + i * IOV, ptr(buf + i * size), true); // iov_base
    dv.setBigUint64(iov + i * IOV + 8, BigInt(size), true); // iov_len
  }
}

interface Transfer {
  data: Buffer;
  blksize: number;
  windowsize: number;
  last: number;
  /** The client's sockaddr_in, as the kernel wrote it. */
  sa: Uint8Array;
}
const transfers = new Map<number, Transfer>();

let fd = -1;
let queued = 0;
const flush = (): void => {
  if (queued > 0) sendmmsg(fd, ptr(at.smsg), queued, 0);
  queued = 0;
};
const queue = (t: Transfer, bytes: Uint8Array | Buffer, header?: number): void => {
  if (queued === N) flush();
  const o = at.sbuf + queued * SEND_BYTES;
  let len = bytes.length;
  if (header !== undefined) {
    dv.setUint16(o, 3);
    dv.setUint16(o + 2, header & 0xffff);
    u8.set(bytes, o + 4);
    len += 4;
  } else u8.set(bytes, o);
  dv.setBigUint64(at.siov + queued * IOV + 8, BigInt(len), true);
  u8.set(t.sa, at.sname + queued * SA);
  queued++;
};
const sendFrom = (t: Transfer, first: number): void => {
  for (let n = first; n <= Math.min(first + t.windowsize - 1, t.last); n++) {
    queue(t, t.data.subarray((n - 1) * t.blksize, Math.min(n * t.blksize, t.data.length)), n);
  }
};

const onRrq = (msg: Buffer, key: number, sa: Uint8Array): void => {
  const fields = msg.toString('latin1', 2).split('\0');
  const data = files.get((fields[0] ?? '').replace(/^\/+/, ''));
  if (data === undefined) return;
  let blksize = 512;
  let windowsize = 1;
  const oack: string[] = [];
  for (let i = 2; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toLowerCase();
    if (name === 'blksize') blksize = Math.min(Number(fields[i + 1]), MAX_BLKSIZE);
    else if (name === 'windowsize') windowsize = Number(fields[i + 1]);
    else if (name !== 'tsize') continue;
    oack.push(name, name === 'tsize' ? String(data.length) : name === 'blksize' ? String(blksize) : fields[i + 1]!);
  }
  const t: Transfer = { data, blksize, windowsize, last: Math.floor(data.length / blksize) + 1, sa: Uint8Array.from(sa) };
  transfers.set(key, t);
  if (oack.length === 0) sendFrom(t, 1);
  else queue(t, Buffer.from(`\0\x06${oack.join('\0')}\0`, 'latin1'));
};

const handle = (msg: Buffer, key: number, sa: Uint8Array): void => {
  if (msg.length < 4) return;
  const op = msg.readUInt16BE(0);
  if (op === 1) return onRrq(msg, key, sa);
  const t = transfers.get(key);
  if (t === undefined) return;
  const block = msg.readUInt16BE(2);
  if (op !== 4 || block === t.last) transfers.delete(key); // an ERROR, or the last ACK
  else sendFrom(t, block + 1);
};

const listener = dgram.createSocket('udp4');
listener.on('message', (msg, rinfo) => {
  // The first datagram of a batch, read by node.
  const ip = rinfo.address.split('.').map(Number);
  const sa = Uint8Array.from([2, 0, rinfo.port >> 8, rinfo.port & 255, ...ip, 0, 0, 0, 0, 0, 0, 0, 0]);
  handle(msg, (((ip[0]! << 24) | (ip[1]! << 16) | (ip[2]! << 8) | ip[3]!) >>> 0) * 65536 + rinfo.port, sa);
  // The rest, drained in one call each time.
  for (;;) {
    for (let i = 0; i < N; i++) dv.setUint32(at.rmsg + i * MMSG + 8, SA, true);
    const n = recvmmsg(fd, ptr(at.rmsg), N, 0x40 /* MSG_DONTWAIT */, null);
    for (let i = 0; i < n; i++) {
      const name = at.rname + i * SA;
      const key = dv.getUint32(name + 4) * 65536 + dv.getUint16(name + 2);
      const len = dv.getUint32(at.rmsg + i * MMSG + 56, true);
      handle(Buffer.from(u8.buffer, at.rbuf + i * RECV_BYTES, len), key, u8.subarray(name, name + SA));
    }
    if (n < N) break;
  }
  flush();
});

fd = socketFn(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | 0o4000 /* NONBLOCK */ | 0o2000000 /* CLOEXEC */, 0);
const sa = Buffer.alloc(16);
sa.writeUInt16LE(2, 0);
sa.writeUInt16BE(Number(port), 2);
Buffer.from(address.split('.').map(Number)).copy(sa, 4);
if (fd < 0 || bindFn(fd, sa, 16) !== 0) throw new Error(`cannot bind ${address}:${port} (errno ${koffi.errno()})`);
listener.bind({ fd });
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
