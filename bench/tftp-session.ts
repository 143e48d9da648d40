// Our own CPU per TFTP block, without sockets: a transfer session (src/io/tftp/session.ts
// and transfer.ts) fed every ACK of a 16 MiB in-memory file by a loop, sending into a
// socket stand-in that drops what it is given. What it prints is the JavaScript a block
// costs us on top of node's send and receive (bench/udp-floor.mjs measures those), beside
// the least a server can do per block (a header, a view of the file, one send call).
//
//   taskset -c 0 node --import tsx bench/tftp-session.ts
import type { RemoteInfo, Socket } from 'node:dgram';
import { pino } from 'pino';
import { emptyStats } from '../src/io/tftp/events.ts';
import { startSession } from '../src/io/tftp/session.ts';
import { bufferSource } from '../src/io/tftp/source.ts';

const DATA = Buffer.alloc(16 * 1024 * 1024, 1);
const BLKSIZE = 1468;
const ROUNDS = 30;
const client = { address: '127.0.0.1', port: 1234 };
const rinfo: RemoteInfo = { address: client.address, port: client.port, family: 'IPv4', size: 4 };

/**
 * Enough of a dgram socket for a session: sends are counted and dropped. With `batched`,
 * a channel of the batched port as lock-step transfers get (src/io/udp-batch.ts): DATA
 * goes through sendPrefixed, which writes the header and copies the block into a send
 * slot, as Port.queuePrefixed does.
 */
function standIn(batched = false): { socket: Socket; deliver: (msg: Buffer) => void; sent: () => number } {
  let onMessage: ((msg: Buffer, r: RemoteInfo) => void) | undefined;
  let sent = 0;
  const slots = Buffer.alloc(64 * 1472);
  const view = new DataView(slots.buffer, slots.byteOffset, slots.length);
  const socket = {
    send: () => {
      sent++;
    },
    ...(batched
      ? {
          sendPrefixed(head: number, body: Uint8Array, from: number, to: number) {
            const o = (sent++ % 64) * 1472;
            view.setUint32(o, head, false);
            slots.set(body.subarray(from, to), o + 4);
          },
        }
      : {}),
    on(event: string, f: (msg: Buffer, r: RemoteInfo) => void) {
      if (event === 'message') onMessage = f;
      return socket;
    },
    removeAllListeners: () => socket,
    close: () => undefined,
  };
  return { socket: socket as unknown as Socket, deliver: (msg) => onMessage?.(msg, rinfo), sent: () => sent };
}

/** One whole transfer at `windowsize`, each window acknowledged at once; returns the blocks sent. */
function transfer(windowsize: number, batched = false): number {
  const s = standIn(batched);
  startSession({
    socket: s.socket,
    client,
    source: bufferSource(DATA),
    config: { size: DATA.length, blksize: BLKSIZE, windowsize, timeoutMs: 60_000, retries: 5, oack: [] },
    stats: emptyStats(),
    log: pino({ enabled: false }),
    now: () => performance.now(),
    onFinish: () => undefined,
    onMalformed: () => undefined,
  });
  const blocks = Math.floor(DATA.length / BLKSIZE) + 1;
  const ack = Buffer.alloc(4);
  ack.writeUInt16BE(4, 0);
  for (let n = windowsize; ; n += windowsize) {
    const b = Math.min(n, blocks);
    ack.writeUInt16BE(b & 0xffff, 2);
    s.deliver(ack);
    if (b === blocks) break;
  }
  if (s.sent() !== blocks) throw new Error(`transfer did not complete: ${s.sent()} of ${blocks} blocks sent`);
  return blocks;
}

function floor(blocks: number): number {
  const s = standIn();
  for (let i = 0; i < blocks; i++) {
    const n = i % 11_000;
    const header = Buffer.allocUnsafe(4);
    header.writeUInt16BE(3, 0);
    header.writeUInt16BE(n + 1, 2);
    s.socket.send([header, DATA.subarray(n * BLKSIZE, (n + 1) * BLKSIZE)], client.port, client.address);
  }
  return blocks;
}

function perBlockNs(f: () => number): number {
  for (let i = 0; i < 5; i++) f(); // warm-up: compiled before measured
  const t0 = process.cpuUsage();
  let blocks = 0;
  for (let i = 0; i < ROUNDS; i++) blocks += f();
  const c = process.cpuUsage(t0);
  return ((c.user + c.system) * 1000) / blocks;
}

console.log(`16 MiB at blksize ${BLKSIZE}, ${ROUNDS} transfers each, CPU per block (ns):`);
for (const w of (process.env.W ? [Number(process.env.W)] : [1, 16])) console.log(`  session, windowsize ${String(w).padStart(2)}: ${perBlockNs(() => transfer(w)).toFixed(0)}`);
console.log(`  session, windowsize  1, on a batched-port channel: ${perBlockNs(() => transfer(1, true)).toFixed(0)}`);
console.log(`  least per block (header, view, send call): ${perBlockNs(() => floor(11_430)).toFixed(0)}`);
