// The floor under our TFTP figures: the least a node process can do to serve
// the benchmark's fetches. Files read into memory at start; RRQ with blksize,
// windowsize and tsize answered with an OACK; each ACK answered with the next
// window, sent as node's dgram sends it (our transfers do the same per block).
// No timers, no retransmission, no block-number rollover, no confinement, no
// events: a measuring stick for loopback, not a server. bench:agent runs it
// beside ours and the C servers, pinned the same way.
//
//   node bench/agent/tftp-floor.mjs DIR ADDRESS PORT
import { Buffer } from 'node:buffer';
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, address, port] = process.argv.slice(2);
if (!dir || !address || !port) throw new Error('usage: tftp-floor.mjs DIR ADDRESS PORT');
const files = new Map(
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => [d.name, readFileSync(join(dir, d.name))]),
);

const listener = dgram.createSocket('udp4');
listener.on('message', (msg, client) => {
  if (msg.readUInt16BE(0) !== 1) return; // RRQ only
  const fields = msg.toString('latin1', 2).split('\0');
  const data = files.get(fields[0].replace(/^\/+/, ''));
  if (data === undefined) return;
  let blksize = 512;
  let windowsize = 1;
  const oack = [];
  for (let i = 2; i + 1 < fields.length; i += 2) {
    const name = fields[i].toLowerCase();
    if (name === 'blksize') blksize = Number(fields[i + 1]);
    else if (name === 'windowsize') windowsize = Number(fields[i + 1]);
    else if (name !== 'tsize') continue;
    oack.push(name, name === 'tsize' ? String(data.length) : fields[i + 1]);
  }
  const last = Math.floor(data.length / blksize) + 1;
  const socket = dgram.createSocket('udp4');
  const sendFrom = (first) => {
    for (let n = first; n <= Math.min(first + windowsize - 1, last); n++) {
      const header = Buffer.allocUnsafe(4);
      header.writeUInt16BE(3, 0);
      header.writeUInt16BE(n, 2);
      socket.send([header, data.subarray((n - 1) * blksize, Math.min(n * blksize, data.length))], client.port, client.address);
    }
  };
  socket.on('message', (ack) => {
    const block = ack.readUInt16BE(2);
    if (ack.readUInt16BE(0) !== 4 || block === last) socket.close(); // an ERROR, or the last ACK
    else sendFrom(block + 1);
  });
  socket.bind(0, address, () => {
    if (oack.length === 0) sendFrom(1);
    else socket.send(Buffer.concat([Buffer.from([0, 6]), Buffer.from(`${oack.join('\0')}\0`, 'latin1')]), client.port, client.address);
  });
});
listener.bind(Number(port), address);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
