// UDP segmentation offload (Linux UDP_SEGMENT, kernel 4.18+) for node's dgram:
// one send of several equal-sized datagrams laid end to end goes out as that many
// datagrams, for one syscall. Node has no setsockopt, so the socket is made and
// bound through libc (libc.ts) and handed to dgram by its descriptor.

import type { Socket, SocketOptions } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { adoptFd, loadLibc, udpFd, type Libc } from './libc.ts';

const SOL_UDP = 17;
const UDP_SEGMENT = 103;

/**
 * Most segments the kernel takes in one send (UDP_MAX_SEGMENTS, 64 since 4.18), and most
 * bytes: a UDP datagram over IPv4 carries at most 65,507 (the send is one datagram until
 * the device splits it).
 */
const GSO_MAX_SEGMENTS = 64;
const GSO_MAX_BYTES = 65507;

/** Datagrams of `segment` bytes one segmented send carries at most. */
export function segmentsPerSend(segment: number): number {
  return Math.min(GSO_MAX_SEGMENTS, Math.floor(GSO_MAX_BYTES / segment));
}

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

function setSegment(c: Libc, fd: number, segment: number): boolean {
  const size = Buffer.alloc(4);
  size.writeInt32LE(segment);
  return c.setsockopt(fd, SOL_UDP, UDP_SEGMENT, size, 4) === 0;
}

/**
 * Loads libc through koffi and proves UDP_SEGMENT on a throw-away socket bound to
 * `probeAddress`. Resolves to the reason instead where it cannot be had: koffi has no
 * build for this platform, not Linux, or a kernel without UDP GSO.
 */
export async function loadUdpGso(probeAddress: string): Promise<UdpGso | { unavailable: string }> {
  const c = await loadLibc();
  if ('unavailable' in c) return c;
  try {
    c.close(udpFd(c, probeAddress, 0, (fd) => setSegment(c, fd, 1472)));
  } catch (err) {
    return { unavailable: `UDP_SEGMENT: ${err instanceof Error ? err.message : String(err)}` };
  }
  return {
    async bind(address, segment, options) {
      const fd = udpFd(c, address, 0, (f) => setSegment(c, f, segment));
      const socket = await adoptFd(c, fd, isIPv6(address) ? 'udp6' : 'udp4', options);
      return { socket, unsegment: () => setSegment(c, fd, 0) };
    },
  };
}
