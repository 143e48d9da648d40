// Node's own cost per UDP datagram on this machine, the floor under our TFTP
// and DHCP figures: two sockets in one process bounce a 1,472-byte datagram
// 200,000 times on loopback; prints CPU microseconds per round trip (two
// sends, two receives), with addressed sends and with connected sockets.
// Run pinned to one core, as the TFTP benchmark runs: taskset -c 0 node bench/udp-floor.mjs
import { Buffer } from 'node:buffer';
import dgram from 'node:dgram';

const ROUND_TRIPS = 200_000;

async function run(connected) {
  const a = dgram.createSocket('udp4');
  const b = dgram.createSocket('udp4');
  await new Promise((r) => b.bind(0, '127.0.0.1', r));
  await new Promise((r) => a.bind(0, '127.0.0.1', r));
  const ap = a.address().port;
  const bp = b.address().port;
  if (connected) {
    await new Promise((r) => b.connect(ap, '127.0.0.1', r));
    await new Promise((r) => a.connect(bp, '127.0.0.1', r));
  }
  const buf = Buffer.alloc(1472);
  const sendA = connected ? () => a.send(buf) : () => a.send(buf, bp, '127.0.0.1');
  b.on('message', (_m, ri) => (connected ? b.send(buf) : b.send(buf, ri.port, ri.address)));
  return new Promise((resolve) => {
    let n = 0;
    const t0 = process.cpuUsage();
    const w0 = Date.now();
    a.on('message', () => {
      if (++n < ROUND_TRIPS) return sendA();
      const c = process.cpuUsage(t0);
      a.close();
      b.close();
      resolve({ usPerRoundTrip: (c.user + c.system) / ROUND_TRIPS, wallMs: Date.now() - w0 });
    });
    sendA();
  });
}

for (const connected of [false, true]) {
  const r = await run(connected);
  console.log(`${connected ? 'connected sockets' : 'addressed sends  '}: ${r.usPerRoundTrip.toFixed(1)} us CPU per round trip (${ROUND_TRIPS} round trips in ${r.wallMs} ms)`);
}
