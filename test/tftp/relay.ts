// A UDP relay on loopback that loses, delays and reorders packets with a seeded
// generator, for TFTP (a new relay port per server TID, so clients see TIDs change
// as they would). Works on kernels without sch_netem, and repeats exactly.

import { createSocket, type Socket } from 'node:dgram';

export interface RelayOptions {
  /** Where requests go (the server's listener). */
  target: { address: string; port: number };
  /** Share of packets dropped, 0..1. */
  loss: number;
  /** Share of packets sent at once; the rest wait `delayMs`, so they fall behind (netem's reorder). */
  immediate: number;
  delayMs: number;
  seed: number;
}

export interface Relay {
  port: number;
  close(): Promise<void>;
}

export async function startRelay(o: RelayOptions): Promise<Relay> {
  let seed = o.seed;
  // Park-Miller LCG: enough randomness for loss patterns, and reproducible.
  const random = (): number => {
    seed = (seed * 48271) % 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const sockets: Socket[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const bound = async (): Promise<Socket> => {
    const s = createSocket('udp4');
    s.on('error', () => undefined); // a send to a client that already left is not a test failure
    sockets.push(s);
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    return s;
  };
  const forward = (via: Socket, msg: Buffer, port: number, address: string): void => {
    if (random() < o.loss) return;
    const send = (): void => via.send(msg, port, address);
    if (random() < o.immediate) return send();
    const t = setTimeout(() => {
      timers.delete(t);
      send();
    }, o.delayMs);
    timers.add(t);
  };

  const front = await bound();
  // Per client: the socket that talks to the server for it; per server TID: the socket
  // the client talks to.
  const upstream = new Map<string, Promise<Socket>>();
  const downstream = new Map<string, Promise<Socket>>();
  front.on('message', (msg, client) => {
    const ck = `${client.address}:${client.port}`;
    let up = upstream.get(ck);
    if (!up) {
      up = bound().then((u) => {
        u.on('message', (reply, server) => {
          const dk = `${ck}|${server.port}`;
          let down = downstream.get(dk);
          if (!down) {
            down = bound().then((d) => {
              d.on('message', (m) => forward(u, m, server.port, server.address));
              return d;
            });
            downstream.set(dk, down);
          }
          void down.then((d) => forward(d, reply, client.port, client.address));
        });
        return u;
      });
      upstream.set(ck, up);
    }
    void up.then((u) => forward(u, msg, o.target.port, o.target.address));
  });
  return {
    port: front.address().port,
    async close() {
      for (const t of timers) clearTimeout(t);
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
