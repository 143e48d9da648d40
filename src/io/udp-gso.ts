// UDP segmentation offload (Linux UDP_SEGMENT, kernel 4.18+) for node's dgram:
// one send of several equal-sized datagrams laid end to end goes out as that many
// datagrams, for one syscall. Node has no setsockopt, so the socket is made and
// bound through libc (koffi) and handed to dgram by its descriptor.

import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import { isIPv6 } from 'node:net';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_UDP = 17;
const UDP_SEGMENT = 103;

/**
 * Most segments the kernel takes in one send (UDP_MAX_SEGMENTS, 64 since 4.18), and most
 * bytes: a UDP datagram over IPv4 carries at most 65,507 (the send is one datagram until
 * the device splits it).
 */
export const GSO_MAX_SEGMENTS = 64;
export const GSO_MAX_BYTES = 65507;

export interface SegmentingSocket {
  socket: Socket;
  /**
   * Turns segmentation off for this socket (UDP_SEGMENT 0); false if the kernel refused.
   * Needed before sending alone what a failed segmented send carried: while the option is
   * set, the kernel refuses (EMSGSIZE) any send, one datagram or several, on a route whose
   * MTU is below the segment. Only while the socket is open (the descriptor is reused).
   */
  unsegment(): boolean;
}

export interface UdpGso {
  /**
   * A dgram socket bound to `address` on a free port whose sends are cut into datagrams of
   * `segment` bytes (the last may be shorter). A send no longer than `segment` is one
   * ordinary datagram. A send fails (EMSGSIZE, or EINVAL before Linux 6.x) where the route
   * cannot carry `segment` bytes unfragmented, or EIO where the device cannot segment:
   * the caller calls `unsegment` and sends the datagrams one by one instead.
   */
  bind(address: string, segment: number, options: Omit<SocketOptions, 'type'>): Promise<SegmentingSocket>;
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  inet_pton(af: number, src: string, dst: Buffer): number;
  close(fd: number): number;
  errno(): number;
}

function sockaddr(c: Libc, address: string): Buffer {
  const v6 = isIPv6(address);
  // sockaddr_in: family, port (0: any free one), 4-byte address, 8 zero bytes.
  // sockaddr_in6: family, port, flowinfo, 16-byte address, scope id.
  const sa = Buffer.alloc(v6 ? 28 : 16);
  sa.writeUInt16LE(v6 ? AF_INET6 : AF_INET, 0);
  if (c.inet_pton(v6 ? AF_INET6 : AF_INET, address, sa.subarray(v6 ? 8 : 4, v6 ? 24 : 8)) !== 1) {
    throw new Error(`not an IP address: ${address}`);
  }
  return sa;
}

function setSegment(c: Libc, fd: number, segment: number): boolean {
  const size = Buffer.alloc(4);
  size.writeInt32LE(segment);
  return c.setsockopt(fd, SOL_UDP, UDP_SEGMENT, size, 4) === 0;
}

function gsoFd(c: Libc, address: string, segment: number): number {
  const sa = sockaddr(c, address);
  const fd = c.socket(isIPv6(address) ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`socket() failed, errno ${c.errno()}`);
  if (!setSegment(c, fd, segment) || c.bind(fd, sa, sa.length) !== 0) {
    const errno = c.errno();
    c.close(fd);
    throw new Error(`UDP_SEGMENT socket on ${address} failed, errno ${errno}`);
  }
  return fd;
}

function adopt(fd: number, type: 'udp4' | 'udp6', options: Omit<SocketOptions, 'type'>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ ...options, type });
    s.once('error', reject);
    s.bind({ fd }, () => {
      s.removeListener('error', reject);
      resolve(s);
    });
  });
}

/**
 * Loads libc through koffi and proves UDP_SEGMENT on a throw-away socket bound to
 * `probeAddress`. Resolves to the reason instead where it cannot be had: koffi has no
 * build for this platform, not Linux, or a kernel without UDP GSO.
 */
export async function loadUdpGso(probeAddress: string): Promise<UdpGso | { unavailable: string }> {
  if (process.platform !== 'linux') return { unavailable: `UDP GSO is Linux only (this is ${process.platform})` };
  let c: Libc;
  try {
    const { default: koffi } = await import('koffi');
    // The running process: node links libc dynamically, glibc or musl alike.
    const lib = koffi.load(null as unknown as string);
    c = {
      socket: lib.func('int socket(int, int, int)') as Libc['socket'],
      bind: lib.func('int bind(int, const void *, uint32_t)') as Libc['bind'],
      setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)') as Libc['setsockopt'],
      inet_pton: lib.func('int inet_pton(int, const char *, _Out_ void *)') as Libc['inet_pton'],
      close: lib.func('int close(int)') as Libc['close'],
      errno: () => koffi.errno(),
    };
  } catch (err) {
    return { unavailable: `koffi cannot call libc here: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    const probe = gsoFd(c, probeAddress, 1472);
    c.close(probe);
  } catch (err) {
    return { unavailable: err instanceof Error ? err.message : String(err) };
  }
  return {
    async bind(address, segment, options) {
      const fd = gsoFd(c, address, segment);
      try {
        return { socket: await adopt(fd, isIPv6(address) ? 'udp6' : 'udp4', options), unsegment: () => setSegment(c, fd, 0) };
      } catch (err) {
        c.close(fd);
        throw err;
      }
    },
  };
}
