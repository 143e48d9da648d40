// Boot-storm load generator, run by bench/agent.ts in the client namespace
// (whose eth0 holds every host's reserved address): N simulated hosts, all
// queued at once, at most C in flight. Each host does what a BIOS PXE boot
// does: relayed DISCOVER/OFFER and REQUEST/ACK (we are the relay, socket on
// giaddr:67), TFTP of the ROM from its leased address (lock-step, blksize
// 1468), then GET /ipxe?mac= and GET /config/<mac>. Prints one JSON line.
//
//   node --import tsx bench/agent/storm-client.ts --server IP --giaddr IP --macs FILE --http-port N [--hosts 1000] [--concurrency 200] [--rom undionly.kpxe]
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { decode, encode, type DhcpPacket } from '../../src/io/dhcp/packet.ts';
import { adoptFd, loadLibc, udpFd } from '../../src/io/libc.ts';

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    giaddr: { type: 'string' },
    macs: { type: 'string' },
    'http-port': { type: 'string' },
    hosts: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '200' },
    rom: { type: 'string', default: 'undionly.kpxe' },
    'deadline-s': { type: 'string', default: '180' },
  },
});
const SERVER = values.server!;
const GIADDR = values.giaddr!;
const HTTP_PORT = Number(values['http-port']);
const MACS = readFileSync(values.macs!, 'utf8').trim().split('\n').slice(0, Number(values.hosts));
const CONCURRENCY = Number(values.concurrency);
const DEADLINE = Date.now() + Number(values['deadline-s']) * 1000;

type Step = 'dhcp' | 'tftp' | 'ipxe' | 'config';
const failures: Record<Step, number> = { dhcp: 0, tftp: 0, ipxe: 0, config: 0 };
const durations: Record<Step, number[]> = { dhcp: [], tftp: [], ipxe: [], config: [] };
const reasons = new Map<string, number>();
let retransmits = 0;

// DHCP as a relay: one socket on giaddr:67, replies matched by xid. It takes the replies
// of every host in flight while the process is busy with their TFTP and HTTP: given a
// 4 MiB receive buffer past net.core.rmem_max (SO_RCVBUFFORCE, as root), because with
// the kernel's default 208 KiB the generator dropped replies itself (0-55 a run) once
// the agent answered TFTP in batches, and those hosts waited 2 s to ask again.
const waiting = new Map<number, (p: DhcpPacket) => void>();
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_RCVBUFFORCE = 33;
const libc = await loadLibc();
let relay: Socket;
if ('unavailable' in libc) {
  relay = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((res) => relay.bind({ address: GIADDR, port: 67 }, res));
} else {
  const int = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return b;
  };
  const fd = udpFd(libc, GIADDR, 67, (f) => libc.setsockopt(f, SOL_SOCKET, SO_REUSEADDR, int(1), 4) === 0 && libc.setsockopt(f, SOL_SOCKET, SO_RCVBUFFORCE, int(4 << 20), 4) === 0);
  relay = await adoptFd(libc, fd, 'udp4', {});
}
relay.on('message', (msg) => {
  const r = decode(msg);
  if (r.ok) waiting.get(r.packet.xid)?.(r.packet);
});
relay.on('error', (err) => console.error(`relay socket: ${err.message}`));

function exchange(req: DhcpPacket, want: number, timeoutMs = 2000, tries = 4): Promise<DhcpPacket> {
  const bytes = encode(req);
  return new Promise((resolve, reject) => {
    let attempt = 0;
    let timer: NodeJS.Timeout;
    const send = (): void => {
      if (attempt++ >= tries || Date.now() > DEADLINE) {
        waiting.delete(req.xid);
        reject(new Error(`no ${want === 2 ? 'OFFER' : 'ACK'}`));
        return;
      }
      if (attempt > 1) retransmits++;
      relay.send(bytes, 67, SERVER);
      timer = setTimeout(send, timeoutMs);
    };
    waiting.set(req.xid, (p) => {
      if (p.options.messageType !== want) return;
      clearTimeout(timer);
      waiting.delete(req.xid);
      resolve(p);
    });
    send();
  });
}

let xidSeq = (Math.random() * 0x7fffffff) >>> 0;
function packet(mac: string, type: number, extra: DhcpPacket['options'] = {}): DhcpPacket {
  return {
    op: 1, htype: 1, hlen: 6, hops: 1, xid: (xidSeq = (xidSeq + 1) >>> 0), secs: 0, flags: 0,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: GIADDR,
    chaddr: mac, sname: '', file: '',
    options: { messageType: type, clientArch: [0], vendorClassId: 'PXEClient:Arch:00000:UNDI:002001', parameterRequestList: [1, 3, 6, 66, 67], ...extra },
  };
}

async function dora(mac: string): Promise<{ ip: string; file: string; next: string }> {
  const offer = await exchange(packet(mac, 1), 2);
  const xidReq = packet(mac, 3, { requestedAddress: offer.yiaddr, ...(offer.options.serverId ? { serverId: offer.options.serverId } : {}) });
  const ack = await exchange(xidReq, 5);
  return { ip: ack.yiaddr, file: ack.options.bootfileName ?? ack.file, next: ack.siaddr !== '0.0.0.0' ? ack.siaddr : SERVER };
}

/** A lock-step TFTP read from `local`, like a PXE ROM: RRQ with blksize 1468, ACK per block, retransmit after 1 s, 5 tries. */
function tftpGet(local: string, server: string, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock: Socket = createSocket('udp4');
    let peer: { address: string; port: number } | undefined;
    let blksize = 512;
    let expected = 1;
    let received = 0;
    let last: Buffer;
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (err?: Error): void => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(received);
    };
    const send = (b: Buffer, port: number, address: string): void => {
      last = b;
      tries = 0;
      sock.send(b, port, address);
      arm(port, address);
    };
    const arm = (port: number, address: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (++tries > 5 || Date.now() > DEADLINE) return done(new Error('tftp timeout'));
        retransmits++;
        sock.send(last, port, address);
        arm(port, address);
      }, 1000);
    };
    const ack = (block: number): Buffer => Buffer.from([0, 4, (block >> 8) & 255, block & 255]);
    sock.on('error', (e) => done(e));
    sock.on('message', (msg, rinfo) => {
      if (peer && (rinfo.address !== peer.address || rinfo.port !== peer.port)) {
        // RFC 1350: a second server TID (our retransmitted RRQ started another transfer) gets ERROR 5.
        sock.send(Buffer.concat([Buffer.from([0, 5, 0, 5]), Buffer.from('Unknown transfer ID\0', 'latin1')]), rinfo.port, rinfo.address);
        return;
      }
      peer ??= { address: rinfo.address, port: rinfo.port };
      const op = msg.readUInt16BE(0);
      if (op === 5) return done(new Error(`tftp error ${msg.readUInt16BE(2)}: ${msg.subarray(4, -1).toString()}`));
      if (op === 6) {
        const parts = msg.subarray(2).toString('latin1').split('\0');
        const i = parts.findIndex((p) => p.toLowerCase() === 'blksize');
        if (i >= 0) blksize = Number(parts[i + 1]);
        return send(ack(0), peer.port, peer.address);
      }
      if (op !== 3) return;
      const block = msg.readUInt16BE(2);
      if (block !== (expected & 0xffff)) return send(ack((expected - 1) & 0xffff), peer.port, peer.address);
      const n = msg.length - 4;
      received += n;
      expected++;
      if (n < blksize) {
        // Close only once the final ACK is out: closing first drops it, and the server would
        // hold the transfer, retransmitting the last block, until its retries run out.
        clearTimeout(timer);
        sock.send(ack(block), peer.port, peer.address, () => done());
        return;
      }
      send(ack(block), peer.port, peer.address);
    });
    sock.bind({ address: local, port: 0 }, () => {
      send(Buffer.concat([Buffer.from([0, 1]), Buffer.from(`${file}\0octet\0blksize\x001468\0`, 'latin1')]), 69, server);
    });
  });
}

function httpGet(local: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: SERVER, port: HTTP_PORT, path, localAddress: local, agent: false, timeout: 30_000 }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode} ${path}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('http timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function step<T>(name: Step, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    const v = await fn();
    durations[name].push(performance.now() - t0);
    return v;
  } catch (err) {
    failures[name]++;
    const k = `${name}: ${(err as Error).message}`;
    reasons.set(k, (reasons.get(k) ?? 0) + 1);
    throw err;
  }
}

async function boot(mac: string): Promise<void> {
  const lease = await step('dhcp', () => dora(mac));
  await step('tftp', () => tftpGet(lease.ip, lease.next, lease.file || values.rom!));
  await step('ipxe', () => httpGet(lease.ip, `/ipxe?mac=${mac}`));
  await step('config', () => httpGet(lease.ip, `/config/${mac}`));
}

const t0 = performance.now();
const queue = [...MACS];
let ok = 0;
let failed = 0;
const hostMs: number[] = [];
await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
  for (let mac = queue.shift(); mac !== undefined; mac = queue.shift()) {
    const h0 = performance.now();
    try {
      await boot(mac);
      ok++;
      hostMs.push(performance.now() - h0);
    } catch {
      failed++;
    }
  }
}));
const totalMs = performance.now() - t0;
relay.close();
const pct = (a: number[], p: number): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const perStep = Object.fromEntries((Object.keys(durations) as Step[]).map((k) => [k, { p50: pct(durations[k], 50), p99: pct(durations[k], 99) }]));
console.log(JSON.stringify({ hosts: MACS.length, ok, failed, totalMs, retransmits, failures, reasons: Object.fromEntries(reasons), perStep, hostP50: pct(hostMs, 50), hostP99: pct(hostMs, 99) }));
