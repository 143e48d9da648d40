// A second measuring stick under our TFTP figures: what a node process can do
// when it batches its syscalls. Every transfer runs on the one port the RRQ
// came to (dnsmasq's tftp-single-port), through the agent's own batched port
// (src/io/udp-batch.ts): node's loop says when the port is readable, recvmmsg
// reads what waits, and the replies leave in one sendmmsg. Files in
// memory, blksize up to 1468, windowsize (a window's blocks in the batch); no
// timers, retransmission, confinement or events, as bench/agent/tftp-floor.ts.
// Not a server.
//
//   node --import tsx bench/agent/tftp-floor-mmsg.ts DIR ADDRESS PORT
import { openBatchedPort, type BatchedPort, type Peer } from '../../src/io/udp-batch.ts';
import { dataBlock, filesIn, parseRrq } from './floor-request.ts';

const [dir, address, port] = process.argv.slice(2);
if (!dir || !address || !port) throw new Error('usage: tftp-floor-mmsg.ts DIR ADDRESS PORT');
const files = filesIn(dir);

function onRequest(msg: Buffer, client: Peer): void {
  const r = parseRrq(msg, files, 1468);
  if (r === undefined || shared.hasChannel(client)) return;
  const ch = shared.channel(client);
  const sendFrom = (first: number): void => {
    for (let n = first; n <= Math.min(first + r.windowsize - 1, r.last); n++) ch.send(dataBlock(r, n), client.port, client.address);
  };
  ch.on('message', (ack) => {
    const block = ack.readUInt16BE(2);
    if (ack.readUInt16BE(0) !== 4 || block === (r.last & 0xffff)) ch.close(); // an ERROR, or the last ACK
    else sendFrom(block + 1);
  });
  if (r.oack === undefined) sendFrom(1);
  else ch.send(r.oack, client.port, client.address);
}

const opened = await openBatchedPort(address, Number(port), { onOther: onRequest });
if ('unavailable' in opened) throw new Error(`no batched port: ${opened.unavailable}`);
const shared: BatchedPort = opened;
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
