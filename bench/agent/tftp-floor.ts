// The floor under our TFTP figures: the least a node process can do to serve
// the benchmark's fetches. Files read into memory at start; RRQ with blksize,
// windowsize and tsize answered with an OACK; each ACK answered with the next
// window, a block per send, or all of it in one segmented send (UDP GSO, as
// ours does: src/io/udp-gso.ts) when windowsize > 1 and the kernel has it.
// No timers, no retransmission, no block-number rollover, no confinement, no
// events: a measuring stick for loopback, not a server. bench:agent runs it
// beside ours and the C servers, pinned the same way.
//
//   node --import tsx bench/agent/tftp-floor.ts DIR ADDRESS PORT
import { Buffer } from 'node:buffer';
import dgram from 'node:dgram';
import { loadUdpGso } from '../../src/io/udp-gso.ts';
import { dataBlock, filesIn, parseRrq } from './floor-request.ts';

const [dir, address, port] = process.argv.slice(2);
if (!dir || !address || !port) throw new Error('usage: tftp-floor.ts DIR ADDRESS PORT');
const files = filesIn(dir);

const loaded = await loadUdpGso(address);
const gso = 'unavailable' in loaded ? undefined : loaded;

const listener = dgram.createSocket('udp4');
listener.on('message', (msg, client) => {
  const r = parseRrq(msg, files);
  if (r === undefined) return;
  const { data, blksize, windowsize, last } = r;
  const segmented = gso !== undefined && windowsize > 1 && windowsize * (blksize + 4) <= 65507;
  const sendFrom = (first: number): void => {
    const to = Math.min(first + windowsize - 1, last);
    if (segmented && to > first) {
      const packed = Buffer.allocUnsafe((to - first) * (blksize + 4) + 4 + Math.min(blksize, data.length - (to - 1) * blksize));
      for (let n = first, o = 0; n <= to; n++, o += blksize + 4) {
        packed.writeUInt16BE(3, o);
        packed.writeUInt16BE(n & 0xffff, o + 2);
        data.copy(packed, o + 4, (n - 1) * blksize, Math.min(n * blksize, data.length));
      }
      socket.send(packed, client.port, client.address);
      return;
    }
    for (let n = first; n <= to; n++) socket.send(dataBlock(r, n), client.port, client.address);
  };
  const onAck = (ack: Buffer): void => {
    const block = ack.readUInt16BE(2);
    if (ack.readUInt16BE(0) !== 4 || block === last) socket.close(); // an ERROR, or the last ACK
    else sendFrom(block + 1);
  };
  const begin = (): void => {
    if (r.oack === undefined) sendFrom(1);
    else socket.send(r.oack, client.port, client.address);
  };
  let socket: dgram.Socket;
  if (segmented) {
    void gso.bind(address, blksize + 4, {}).then((s) => {
      socket = s.socket;
      socket.on('message', onAck);
      begin();
    });
  } else {
    socket = dgram.createSocket('udp4');
    socket.on('message', onAck);
    socket.bind(0, address, begin);
  }
});
listener.bind(Number(port), address);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
