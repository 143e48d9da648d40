// The protocol steps of a network boot, done for real over loopback sockets:
// a PXE DHCPDISCOVER (relayed, so the reply does not need a broadcast domain),
// a TFTP download with curl, HTTP requests with fetch.
import { createSocket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { encode, type DhcpPacket } from '../../src/io/dhcp/packet.ts';

/** A relayed DISCOVER as PXE firmware sends it (option 93 `arch`, PXEClient); `arch` null: a plain DHCP client (an OS), neither. */
export async function pxeDiscover(port: number, mac: string, arch: number | null = 0): Promise<void> {
  const firmware = arch === null ? {} : { clientArch: [arch], vendorClassId: `PXEClient:Arch:${String(arch).padStart(5, '0')}:UNDI:002001` };
  const p: DhcpPacket = {
    op: 1, htype: 1, hlen: 6, hops: 1, xid: (Math.random() * 0xffffffff) >>> 0, secs: 0, flags: 0,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '127.0.0.1',
    chaddr: mac, sname: '', file: '',
    options: { messageType: 1, ...firmware, parameterRequestList: [1, 3, 6, 66, 67] },
  };
  const sock = createSocket('udp4');
  try {
    await new Promise<void>((res, rej) => sock.send(encode(p), port, '127.0.0.1', (e) => (e ? rej(e) : res())));
  } finally {
    sock.close();
  }
}

/** Asynchronous on purpose: the agent under test serves from this same event loop. */
export function tftpGet(port: number, file: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    execFile('curl', ['-sS', '--max-time', '20', `tftp://127.0.0.1:${port}/${file}`], { encoding: 'buffer', maxBuffer: 1 << 26, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`curl tftp ${file}: ${stderr.toString() || err.message}`)) : resolve(stdout),
    ),
  );
}

export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}
