// The agent's DHCP service adapter: UDP sockets on 67 (and 4011 in proxy
// mode), decode -> policy -> encode -> send, with stats and events.
//
// Multi-homing without SO_BINDTODEVICE (node has no way to set it): one socket
// on 0.0.0.0 receives broadcasts, and one socket per local address (SO_REUSEADDR
// lets them share the port) sends. A reply leaves from the socket bound to its
// server id, the address of the interface in the host's subnet (or facing its
// relay); Linux routes a limited broadcast (255.255.255.255) from a socket bound
// to a local address out of that address's interface, so each subnet hears its
// own agent address. Unicast requests (renewals, relays) arrive on the
// per-address sockets and are handled the same way.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { pino, type Logger } from 'pino';
import { type BootFiles, DEFAULT_BOOT_FILES } from './boot-file.ts';
import type { DhcpEvent } from './events.ts';
import { createFastReplies, fastEvents } from './fast-reply.ts';
import { type LocalAddress, localIPv4Addresses, pickServerAddress } from './local-addresses.ts';
import { messageTypeName } from './options.ts';
import { decode } from './packet.ts';
import { type Decision, type HostLease, PXE_PORT, SERVER_PORT, decide } from './policy.ts';

export interface DhcpServerOptions {
  mode: 'server' | 'proxy';
  /**
   * Local IPv4 addresses (with their subnets) the service answers from. Default: every
   * non-loopback IPv4 address of the host, read at listen().
   */
  interfaces?: LocalAddress[];
  /** Address of the receiving (broadcast) socket. Default '0.0.0.0'. */
  listenAddress?: string;
  /** DHCP server port. Default 67. */
  port?: number;
  /** PXE boot-server port, proxy mode only. Default 4011. */
  proxyPort?: number;
  /** Reservation by MAC (lower-case, colon-separated). */
  lookup(mac: string): HostLease | undefined;
  /**
   * Default: pickServerAddress over `interfaces`. Must give the same answer for the same
   * arguments while the server runs: replies cache it per reservation and giaddr.
   */
  serverAddressFor?(subnetCidr: string, giaddr?: string): string | undefined;
  /** Default DEFAULT_BOOT_FILES. */
  bootFiles?: BootFiles;
  /** Asset server base URL, e.g. `http://10.0.0.1:24602`. */
  httpBase: string;
  /** Default: a disabled pino logger. */
  logger?: Logger;
  /** Called synchronously; an exception thrown here is logged and ignored. */
  onEvent?(e: DhcpEvent): void;
  /** Clock for events, ms since the epoch. Default Date.now. */
  now?(): number;
  /**
   * SO_RCVBUF of each socket, bytes. Default 4 MiB. Linux caps it at net.core.rmem_max
   * (the agent never changes sysctls): a boot storm's first burst of 200 relayed
   * DISCOVERs overflowed the 208 KiB default (74 drops in bench:agent).
   */
  recvBufferSize?: number;
}

export interface DhcpStats {
  /** Decoded requests by message type name (DISCOVER, REQUEST, ...; UNKNOWN for others). */
  received: Record<string, number>;
  offers: number;
  acks: number;
  naks: number;
  /** Requests answered with silence, by policy reason, plus `malformed` and `send-error`. */
  drops: Record<string, number>;
  /** Malformed datagrams by decode error kind. */
  malformed: Record<string, number>;
  unknownMacs: number;
}

export interface DhcpServer {
  listen(): Promise<void>;
  close(): Promise<void>;
  stats(): DhcpStats;
  /** Bound sockets as `address:port`, for logs and tests. */
  bound(): string[];
}

interface Bound {
  address: string;
  port: number;
  socket: Socket;
}

function bump(r: Record<string, number>, key: string): void {
  r[key] = (r[key] ?? 0) + 1;
}

/**
 * dgram resolves every destination through this lookup; dns.lookup answers an
 * address literal on the next tick, which put each send behind a nextTick.
 * Our destinations are always IPv4 literals.
 */
function literalLookup(address: string, _family: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  cb(null, address, 4);
}

const DEFAULT_RECV_BUFFER = 4 * 1024 * 1024;

export function createDhcpServer(opts: DhcpServerOptions): DhcpServer {
  const log = opts.logger ?? pino({ enabled: false });
  const now = opts.now ?? Date.now;
  const port = opts.port ?? SERVER_PORT;
  const proxyPort = opts.proxyPort ?? PXE_PORT;
  const bootFiles = opts.bootFiles ?? DEFAULT_BOOT_FILES;
  const stats: DhcpStats = { received: {}, offers: 0, acks: 0, naks: 0, drops: {}, malformed: {}, unknownMacs: 0 };
  let sockets: Bound[] = [];
  let locals: LocalAddress[] = [];

  const emit = (e: DhcpEvent): void => {
    try {
      opts.onEvent?.(e);
    } catch (err) {
      log.error({ err, event: e.type }, 'dhcp event handler threw');
    }
  };

  const serverAddressFor = (cidr: string, giaddr?: string): string | undefined =>
    opts.serverAddressFor ? opts.serverAddressFor(cidr, giaddr) : pickServerAddress(locals, cidr, giaddr);

  /** The socket bound to the reply's server address on that port, else the wildcard one, else any; no allocation (per packet). */
  function sendSocket(localPort: number, serverId: string | undefined): Socket | undefined {
    const wildcard = opts.listenAddress ?? '0.0.0.0';
    let wild: Bound | undefined;
    let first: Bound | undefined;
    for (const s of sockets) {
      if (s.port !== localPort) continue;
      if (s.address === serverId) return s.socket;
      first ??= s;
      if (s.address === wildcard) wild ??= s;
    }
    return (wild ?? first)?.socket;
  }

  /** One callback for every send (no closure per packet). */
  const afterSend = (err: Error | null): void => {
    if (err) {
      bump(stats.drops, 'send-error');
      log.warn({ err }, 'dhcp: send failed');
    }
  };

  // Server mode's DISCOVER/REQUEST -> OFFER/ACK from prepared reply material (fast-reply.ts);
  // everything else, and proxy mode, takes the general path below.
  const fast =
    opts.mode === 'server'
      ? createFastReplies({ lookup: opts.lookup, serverAddressFor: (cidr, giaddr) => serverAddressFor(cidr, giaddr), bootFiles, httpBase: opts.httpBase })
      : undefined;

  function count(d: Decision): void {
    if (d.kind === 'silence') {
      bump(stats.drops, d.reason);
      if (d.reason === 'unknown-mac') stats.unknownMacs += 1;
      return;
    }
    if (d.event.type === 'dhcp.offer') stats.offers += 1;
    else if (d.event.type === 'dhcp.nak') stats.naks += 1;
    else if (d.event.type === 'dhcp.ack') stats.acks += 1;
  }

  function handle(msg: Buffer, rinfo: RemoteInfo, localPort: number): void {
    if (fast !== undefined && localPort === port) {
      const f = fast.answer(msg);
      if (f !== undefined) {
        const sock = sendSocket(localPort, f.serverId);
        bump(stats.received, f.request);
        if (f.request === 'DISCOVER') stats.offers += 1;
        else stats.acks += 1;
        if (opts.onEvent) {
          const [seen, reply] = fastEvents(f, now());
          emit(seen);
          emit(reply);
        }
        if (!sock) {
          bump(stats.drops, 'send-error');
          return;
        }
        sock.send(f.wire, f.port, f.address, afterSend);
        if (log.isLevelEnabled('debug')) log.debug({ mac: f.mac, xid: f.xid, reply: f.request === 'DISCOVER' ? 'OFFER' : 'ACK', to: { address: f.address, port: f.port } }, 'dhcp: reply sent');
        return;
      }
    }
    const r = decode(msg);
    if (!r.ok) {
      bump(stats.malformed, r.error.kind);
      bump(stats.drops, 'malformed');
      log.debug({ from: `${rinfo.address}:${rinfo.port}`, kind: r.error.kind, reason: r.error.message }, 'dhcp: malformed packet dropped');
      emit({ type: 'dhcp.malformed', at: now(), from: `${rinfo.address}:${rinfo.port}`, reason: `${r.error.kind}: ${r.error.message}` });
      return;
    }
    const req = r.packet;
    if (req.op !== 1) {
      // Our own or another server's replies seen on a shared segment: not ours to answer.
      bump(stats.drops, 'not-a-request');
      return;
    }
    const typeName = messageTypeName(req.options.messageType) ?? 'UNKNOWN';
    bump(stats.received, typeName);
    const seen = typeName === 'DISCOVER' ? 'dhcp.discover' : typeName === 'REQUEST' ? 'dhcp.request' : typeName === 'INFORM' ? 'dhcp.inform' : undefined;
    if (seen) emit({ type: seen, at: now(), mac: req.chaddr, xid: req.xid, ...(req.giaddr !== '0.0.0.0' ? { relay: req.giaddr } : {}) });

    const d = decide(req, {
      mode: opts.mode,
      port: opts.mode === 'proxy' && localPort === proxyPort ? PXE_PORT : SERVER_PORT,
      source: { address: rinfo.address, port: rinfo.port },
      lookup: opts.lookup,
      serverAddressFor,
      bootFiles,
      httpBase: opts.httpBase,
      now: now(),
    });
    count(d);
    if (d.event) emit(d.event);
    if (d.kind === 'silence') {
      log.debug({ mac: req.chaddr, xid: req.xid, type: typeName, reason: d.reason }, 'dhcp: no reply');
      return;
    }
    const bytes = d.wire;
    const sock = sendSocket(localPort, d.packet.options.serverId);
    if (!sock) {
      bump(stats.drops, 'send-error');
      return;
    }
    sock.send(bytes, d.to.port, d.to.address, afterSend);
    if (log.isLevelEnabled('debug')) log.debug({ mac: req.chaddr, xid: req.xid, reply: messageTypeName(d.packet.options.messageType), to: d.to }, 'dhcp: reply sent');
  }

  function bindOne(address: string, localPort: number): Promise<Bound> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: 'udp4', reuseAddr: true, lookup: literalLookup, recvBufferSize: opts.recvBufferSize ?? DEFAULT_RECV_BUFFER });
      const onBindError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', onBindError);
      socket.on('message', (msg, rinfo) => {
        try {
          handle(msg, rinfo, localPort);
        } catch (err) {
          // A bug must not take the service down; the packet is dropped and counted.
          bump(stats.drops, 'internal-error');
          log.error({ err, from: rinfo.address }, 'dhcp: handler failed');
        }
      });
      socket.bind({ address, port: localPort }, () => {
        socket.off('error', onBindError);
        socket.on('error', (err) => log.error({ err, address, port: localPort }, 'dhcp: socket error'));
        socket.setBroadcast(true);
        resolve({ address, port: localPort, socket });
      });
    });
  }

  return {
    async listen() {
      locals = opts.interfaces ?? localIPv4Addresses();
      const ports = opts.mode === 'proxy' ? [port, proxyPort] : [port];
      const wildcard = opts.listenAddress ?? '0.0.0.0';
      try {
        for (const p of ports) {
          sockets.push(await bindOne(wildcard, p));
          if (wildcard !== '0.0.0.0') continue;
          for (const l of locals) {
            try {
              sockets.push(await bindOne(l.address, p));
            } catch (err) {
              // The address may have gone; the wildcard socket still serves (replies leave by routing).
              log.warn({ err, address: l.address, port: p }, 'dhcp: cannot bind a per-address socket');
            }
          }
        }
      } catch (err) {
        await closeAll();
        throw err;
      }
      // Reply material names server addresses picked from the interfaces as they are now.
      fast?.reset();
      log.info({ mode: opts.mode, sockets: sockets.map((s) => `${s.address}:${s.port}`) }, 'dhcp: listening');
    },
    close: closeAll,
    stats: () => structuredClone(stats),
    bound: () => sockets.map((s) => `${s.address}:${s.socket.address().port}`),
  };

  async function closeAll(): Promise<void> {
    const all = sockets;
    sockets = [];
    await Promise.all(all.map((s) => new Promise<void>((resolve) => s.socket.close(() => resolve()))));
  }
}
