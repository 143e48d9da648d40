// Node's own cost per UDP datagram on this machine, the floor under our TFTP
// and DHCP figures. Two measures, each printed for three ways of sending:
// addressed sends with node's default lookup, addressed sends with a lookup
// that answers IP literals at once (what the TFTP transfers use), and
// connected sockets.
//  - lock-step: two sockets in one process bounce a 1,472-byte datagram on
//    loopback; CPU per round trip (two sends, two receives). A lock-step TFTP
//    block costs a server one send and one receive.
//  - windowed: one process sends windows of 16 datagrams of 1,472 bytes to a
//    receiver in another process, which answers each window with 4 bytes (a
//    TFTP windowsize 16 transfer at blksize 1468); the sender's CPU per
//    datagram sent.
// Run pinned to one core, as the TFTP benchmark runs: taskset -c 0 node bench/udp-floor.mjs
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROUND_TRIPS = 200_000;
const WINDOW = 16;
const WINDOWS = 15_000;
const MODES = ['default lookup', 'literal lookup', 'connected'];

if (process.argv[2] === 'receiver') {
  // Child: count datagrams, answer each window's last one.
  const s = dgram.createSocket('udp4');
  let n = 0;
  const ack = Buffer.from([0, 4, 0, 0]);
  s.on('message', (_m, ri) => {
    if (++n % WINDOW === 0) s.send(ack, ri.port, ri.address);
  });
  s.bind(0, '127.0.0.1', () => process.send?.(s.address().port));
  process.on('disconnect', () => s.close());
} else {
  const literalLookup = (hostname, options, callback) => {
    const family = isIP(hostname);
    if (family === 0) throw new Error(`not an IP literal: ${hostname}`);
    callback(null, hostname, family);
  };
  const socket = (mode) => dgram.createSocket(mode === 'literal lookup' ? { type: 'udp4', lookup: literalLookup } : 'udp4');
  const bound = (s) => new Promise((r) => s.bind(0, '127.0.0.1', r));
  const connected = (s, port) => new Promise((r) => s.connect(port, '127.0.0.1', r));

  const lockStep = async (mode) => {
    const a = socket(mode);
    const b = socket(mode);
    await bound(b);
    await bound(a);
    const ap = a.address().port;
    const bp = b.address().port;
    const conn = mode === 'connected';
    if (conn) {
      await connected(b, ap);
      await connected(a, bp);
    }
    const buf = Buffer.alloc(1472);
    const sendA = conn ? () => a.send(buf) : () => a.send(buf, bp, '127.0.0.1');
    b.on('message', (_m, ri) => (conn ? b.send(buf) : b.send(buf, ri.port, ri.address)));
    return new Promise((resolve) => {
      let n = 0;
      const t0 = process.cpuUsage();
      a.on('message', () => {
        if (++n < ROUND_TRIPS) return sendA();
        const c = process.cpuUsage(t0);
        a.close();
        b.close();
        resolve((c.user + c.system) / ROUND_TRIPS);
      });
      sendA();
    });
  };

  const windowed = async (mode) => {
    const child = fork(fileURLToPath(import.meta.url), ['receiver']);
    const port = await new Promise((r) => child.once('message', r));
    const s = socket(mode);
    await bound(s);
    const conn = mode === 'connected';
    if (conn) await connected(s, port);
    const bufs = Array.from({ length: WINDOW }, () => Buffer.alloc(1472));
    const sendWindow = () => {
      for (const b of bufs) {
        if (conn) s.send(b);
        else s.send(b, port, '127.0.0.1');
      }
    };
    const us = await new Promise((resolve) => {
      let w = 0;
      const t0 = process.cpuUsage();
      s.on('message', () => {
        if (++w < WINDOWS) return sendWindow();
        const c = process.cpuUsage(t0);
        resolve((c.user + c.system) / (WINDOWS * WINDOW));
      });
      sendWindow();
    });
    s.close();
    child.disconnect();
    return us;
  };

  for (const mode of MODES) console.log(`lock-step, ${mode.padEnd(14)}: ${(await lockStep(mode)).toFixed(1)} us CPU per round trip (${ROUND_TRIPS} round trips)`);
  for (const mode of MODES) console.log(`windowed,  ${mode.padEnd(14)}: ${(await windowed(mode)).toFixed(2)} us CPU per datagram sent (${WINDOWS} windows of ${WINDOW})`);
}
