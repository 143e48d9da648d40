// A minimal PXE ROM stand-in for the proxy tests, run inside a client namespace:
//   discover <mac> <arch> <want> [ipxe]          broadcast a PXE DISCOVER to 67
//   request  <mac> <arch> <want> <server> <ciaddr>  REQUEST to <server>:4011
// Prints every reply for this xid as a JSON line {from, hex}; exits after
// <want> replies or 5 s.
import { createSocket } from 'node:dgram';
import { type DhcpPacket, decode, encode } from '../../../src/io/dhcp/packet.ts';

const [mode, mac = '', archArg = '0', wantArg = '1', server = '', ciaddr = '0.0.0.0'] = process.argv.slice(2);
const arch = Number(archArg);
const want = Number(wantArg);
const ipxe = process.argv.includes('ipxe');
const xid = (Math.random() * 0xffffffff) >>> 0;
const vendor = `PXEClient:Arch:${String(arch).padStart(5, '0')}:UNDI:003000`;
const req: DhcpPacket = {
  op: 1, htype: 1, hlen: 6, hops: 0, xid, secs: 0, flags: mode === 'discover' ? 0x8000 : 0,
  ciaddr: mode === 'request' ? ciaddr : '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0',
  chaddr: mac, sname: '', file: '',
  options: {
    messageType: mode === 'request' ? 3 : 1,
    parameterRequestList: [1, 3, 6, 43, 60, 66, 67, 97],
    maxMessageSize: 1472,
    clientArch: [arch],
    clientNdi: { type: 1, major: 3, minor: 0 },
    vendorClassId: vendor,
    clientMachineId: { type: 0, id: '11111111-2222-3333-4444-555555555555' },
    ...(ipxe ? { userClass: { rfc3004: false, classes: ['iPXE'] } } : {}),
  },
};

const sock = createSocket({ type: 'udp4', reuseAddr: true });
let got = 0;
const done = (): void => {
  clearTimeout(timer);
  sock.close();
};
const timer = setTimeout(done, 5000);
sock.on('message', (msg, rinfo) => {
  const r = decode(msg);
  if (!r.ok || r.packet.xid !== xid || r.packet.op !== 2) return;
  process.stdout.write(`${JSON.stringify({ from: rinfo.address, hex: msg.toString('hex') })}\n`);
  if (++got >= want) done();
});
sock.bind(68, () => {
  sock.setBroadcast(true);
  const to = mode === 'request' ? { address: server, port: 4011 } : { address: '255.255.255.255', port: 67 };
  sock.send(encode(req), to.port, to.address);
});
