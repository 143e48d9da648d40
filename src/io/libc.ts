// The few libc calls node lacks (setsockopt, recvmmsg, sendmmsg, openat2, ...), through
// koffi, and UDP sockets made with them and handed to dgram by descriptor. Used by
// udp-gso.ts, udp-batch.ts and tftp/confine.ts; loaded once, lazily, and only on Linux.

import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { constants } from 'node:os';

export const AF_INET = 2;
export const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  inet_pton(af: number, src: string, dst: Buffer): number;
  close(fd: number): number;
  /** `vec` is the address of `n` struct mmsghdr; returns how many arrived, or -1 (see errno). */
  recvmmsg(fd: number, vec: bigint, n: number, flags: number, timeout: null): number;
  sendmmsg(fd: number, vec: bigint, n: number, flags: number): number;
  /** One datagram of `len` bytes to the sockaddr `to`: bytes sent, or -1 (see errno). */
  sendto(fd: number, buf: Uint8Array, len: number, flags: number, to: Uint8Array, tolen: number): number;
  /** The bound address into `addr` (a sockaddr of len[0] bytes); 0, or -1 (see errno). */
  getsockname(fd: number, addr: Buffer, len: Uint32Array): number;
  /**
   * openat2(2) with `flags` and `resolve` (Linux 5.6; RESOLVE_CACHED 5.12): a descriptor,
   * or minus the errno (-ENOSYS where this build does not know the call's number).
   */
  openat2(dirfd: number, path: string, flags: number, resolve: number): number;
  errno(): number;
  /** Native memory of `bytes` that never moves: its address, a view of it, and how to give it back. */
  alloc(bytes: number): { address: bigint; bytes: Uint8Array; free(): void };
}

let loaded: Promise<Libc | { unavailable: string }> | undefined;

/** libc through koffi, or why it cannot be had here (not Linux, no koffi build). */
export function loadLibc(): Promise<Libc | { unavailable: string }> {
  loaded ??= (async () => {
    if (process.platform !== 'linux') return { unavailable: `Linux only (this is ${process.platform})` };
    try {
      const { default: koffi } = await import('koffi');
      // The running process: node links libc dynamically, glibc or musl alike.
      const lib = koffi.load(null as unknown as string);
      // syscall(2) is variadic; declared with the five arguments openat2 takes, which the
      // x86-64 and arm64 calling conventions pass alike. 437 is openat2 on both.
      const syscall = lib.func('long syscall(long, int, const char *, void *, size_t)') as (n: number, dirfd: number, path: string, how: Buffer, size: number) => number;
      const SYS_openat2 = process.arch === 'x64' || process.arch === 'arm64' ? 437 : undefined;
      // struct open_how: u64 flags, u64 mode (always 0 here), u64 resolve; both below 2^32.
      const how = Buffer.alloc(24);
      return {
        socket: lib.func('int socket(int, int, int)') as Libc['socket'],
        bind: lib.func('int bind(int, const void *, uint32_t)') as Libc['bind'],
        setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)') as Libc['setsockopt'],
        inet_pton: lib.func('int inet_pton(int, const char *, _Out_ void *)') as Libc['inet_pton'],
        close: lib.func('int close(int)') as Libc['close'],
        recvmmsg: lib.func('int recvmmsg(int, void *, unsigned int, int, void *)') as Libc['recvmmsg'],
        sendmmsg: lib.func('int sendmmsg(int, void *, unsigned int, int)') as Libc['sendmmsg'],
        sendto: lib.func('long sendto(int, const void *, size_t, int, const void *, uint32_t)') as Libc['sendto'],
        getsockname: lib.func('int getsockname(int, _Out_ void *, _Inout_ uint32_t *)') as Libc['getsockname'],
        openat2(dirfd, path, flags, resolve) {
          if (SYS_openat2 === undefined) return -constants.errno.ENOSYS;
          how.writeUInt32LE(flags, 0);
          how.writeUInt32LE(resolve, 16);
          const fd = syscall(SYS_openat2, dirfd, path, how, how.length);
          return fd < 0 ? -koffi.errno() : fd;
        },
        errno: () => koffi.errno(),
        alloc(bytes) {
          const mem: unknown = koffi.alloc('uint8_t', bytes);
          return { address: koffi.address(mem), bytes: new Uint8Array(koffi.view(mem, bytes)), free: () => koffi.free(mem) };
        },
      };
    } catch (err) {
      return { unavailable: `koffi cannot call libc here: ${err instanceof Error ? err.message : String(err)}` };
    }
  })();
  return loaded;
}

// The platform's own table (os.constants.errno: name -> number), turned around; of two
// names for one number (EAGAIN, EWOULDBLOCK) the first stays.
const ERRNO_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.errno)) if (!ERRNO_NAMES.has(n)) ERRNO_NAMES.set(n, name);

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

/** sockaddr_in or sockaddr_in6 for `address`:`port`. */
export function sockaddr(c: Libc, address: string, port: number): Buffer {
  const v6 = isIPv6(address);
  // sockaddr_in: family, port, 4-byte address, 8 zero bytes.
  // sockaddr_in6: family, port, flowinfo, 16-byte address, scope id.
  const sa = Buffer.alloc(v6 ? 28 : 16);
  sa.writeUInt16LE(v6 ? AF_INET6 : AF_INET, 0);
  sa.writeUInt16BE(port, 2);
  if (c.inet_pton(v6 ? AF_INET6 : AF_INET, address, sa.subarray(v6 ? 8 : 4, v6 ? 24 : 8)) !== 1) {
    throw new Error(`not an IP address: ${address}`);
  }
  return sa;
}

/**
 * A non-blocking UDP socket bound to `address`:`port` (0: a free one) with `configure`
 * applied before the bind; closed again if anything fails. Throws with the errno's name.
 */
export function udpFd(c: Libc, address: string, port: number, configure?: (fd: number) => boolean): number {
  const sa = sockaddr(c, address, port);
  const fd = c.socket(isIPv6(address) ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`socket(): ${errnoName(c.errno())}`);
  if (configure !== undefined && !configure(fd)) {
    const errno = c.errno();
    c.close(fd);
    throw new Error(`setsockopt on ${address}: ${errnoName(errno)}`);
  }
  if (c.bind(fd, sa, sa.length) !== 0) {
    const errno = c.errno();
    c.close(fd);
    throw new Error(`bind ${address}:${port}: ${errnoName(errno)}`);
  }
  return fd;
}

/** Hands a bound descriptor to node's dgram, which then owns (and closes) it. */
export function adoptFd(c: Libc, fd: number, type: 'udp4' | 'udp6', options: Omit<SocketOptions, 'type'>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ ...options, type });
    const onError = (err: Error): void => {
      c.close(fd);
      reject(err);
    };
    s.once('error', onError);
    s.bind({ fd }, () => {
      s.removeListener('error', onError);
      resolve(s);
    });
  });
}
