// Proxy mode beside a real address server (dnsmasq) on one bridged segment:
// the PXE client gets its address from dnsmasq and its boot file from us, on
// 67 and 4011; our rogue-server detector notices dnsmasq. Needs root,
// iproute2, dnsmasq-base.
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type DhcpPacket, decode } from '../../src/io/dhcp/packet.ts';
import type { HostLease } from '../../src/io/dhcp/policy.ts';
import { Lab, type Proc, sh, until, setupOnce } from './support/lab.ts';
import { events, startServer, stats } from './support/server-proc.ts';

const PROXY_IP = '10.79.0.1';
const DNSMASQ_IP = '10.79.0.2';
const MAC = '52:54:00:79:00:1e';
const LEASED = '10.79.0.30';
const HTTP = `http://${PROXY_IP}:24602`;
const subnet = { cidr: '10.79.0.0/24', dns: [], ntp: [], dhcpOptions: [] };
const hosts: Record<string, HostLease> = { [MAC]: { ipv4: LEASED, ignoreDhcp: false, subnet, leaseSeconds: 600 } };

interface Ctx {
  lab: Lab;
  server: Proc;
  dnsmasq: Proc;
  bridge: string;
}
const t = suite<Ctx>('proxy mode beside dnsmasq');

setupOnce(t, async (ctx) => {
  // lab.srv runs our proxy; lab.cli holds a bridge joining the proxy's link, dnsmasq's link and the client.
  const lab = new Lab('p', `${PROXY_IP}/24`);
  ctx.lab = lab;
  const dns = lab.addNamespace('pdnsmasq');
  const tag = `vqd${process.pid % 100000}p`;
  ctx.bridge = `${tag}b`;
  sh('ip', ['-n', lab.cli, 'link', 'add', ctx.bridge, 'type', 'bridge']);
  lab.link({ ns: dns, dev: `${tag}d`, cidr: `${DNSMASQ_IP}/24` }, { ns: lab.cli, dev: `${tag}e` });
  sh('ip', ['-n', lab.cli, 'link', 'set', `${tag}e`, 'master', ctx.bridge]);
  sh('ip', ['-n', lab.cli, 'link', 'set', lab.cliIf, 'master', ctx.bridge]);
  sh('ip', ['-n', lab.cli, 'link', 'set', ctx.bridge, 'address', MAC]);
  sh('ip', ['-n', lab.cli, 'link', 'set', ctx.bridge, 'up']);
  // A route for the client's limited broadcasts while it has no address (a ROM would send raw frames).
  sh('ip', ['-n', lab.cli, 'route', 'add', 'default', 'dev', ctx.bridge]);

  ctx.dnsmasq = lab.spawnIn(dns, 'dnsmasq', [
    '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--user=root', '--group=root', '--bind-interfaces',
    `--interface=${tag}d`, `--dhcp-range=10.79.0.0,static`, `--dhcp-host=${MAC},${LEASED}`,
    `--dhcp-leasefile=${join(lab.dir, 'dnsmasq.leases')}`, `--pid-file=${join(lab.dir, 'dnsmasq.pid')}`, '--log-dhcp', '--log-facility=-',
  ]);
  ctx.server = await startServer(lab, lab.srv, { mode: 'proxy', httpBase: HTTP, hosts, detectorOurs: [PROXY_IP] });
  await until('dnsmasq to start', 10000, () => {
    if (ctx.dnsmasq.exited) throw new Error(`dnsmasq exited: ${ctx.dnsmasq.err}`);
    return /DHCP, static leases only/.test(ctx.dnsmasq.err + ctx.dnsmasq.out);
  });
});

t.after((ctx) => {
  ctx.lab?.cleanup();
});

interface Reply {
  from: string;
  packet: DhcpPacket;
}

async function pxeClient(lab: Lab, args: string[]): Promise<Reply[]> {
  const p = lab.spawnIn(lab.cli, process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support', 'pxe-client.ts'), ...args]);
  await until('the PXE client to finish', 15000, () => p.exited);
  assert.is(p.exited?.code, 0, p.err);
  return p.out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      const { from, hex } = JSON.parse(l) as { from: string; hex: string };
      const r = decode(Buffer.from(hex, 'hex'));
      if (!r.ok) throw new Error(`undecodable reply from ${from}: ${r.error.message}`);
      return { from, packet: r.packet };
    })
    .sort((a, b) => a.from.localeCompare(b.from));
}

const uuid = { type: 0, id: '11111111-2222-3333-4444-555555555555' };

t('PXE DISCOVER: dnsmasq offers the address, our proxy offers only the boot file', async ({ lab, server }) => {
  const replies = await pxeClient(lab, ['discover', MAC, '7', '2']);
  assert.equal(replies.map((r) => [r.from, r.packet.yiaddr, r.packet.options.messageType]), [
    [PROXY_IP, '0.0.0.0', 2],
    [DNSMASQ_IP, LEASED, 2],
  ]);
  const ours = replies[0]?.packet;
  assert.equal(
    ours && { siaddr: ours.siaddr, file: ours.file, options: ours.options },
    {
      siaddr: PROXY_IP,
      file: 'snponly.efi',
      options: {
        messageType: 2, serverId: PROXY_IP, vendorClassId: 'PXEClient', vendorSpecific: Buffer.from([6, 1, 8, 255]),
        bootfileName: 'snponly.efi', clientMachineId: uuid,
      },
    },
  );
  // dnsmasq's broadcast OFFER reached port 68 on the proxy's segment: the detector names it.
  await until('a rogue-server event for dnsmasq', 5000, () => events(server).some((e) => e.type === 'dhcp.rogue-server' && e.serverId === DNSMASQ_IP));
  assert.not.ok(events(server).some((e) => e.type === 'dhcp.rogue-server' && e.serverId === PROXY_IP));
});

t('PXE REQUEST to 4011 from the leased address -> ACK unicast back with the boot file', async ({ lab, server, bridge }) => {
  sh('ip', ['-n', lab.cli, 'addr', 'add', `${LEASED}/24`, 'dev', bridge]);
  const replies = await pxeClient(lab, ['request', MAC, '0', '1', PROXY_IP, LEASED]);
  const ack = replies[0]?.packet;
  assert.equal(
    replies.length === 1 && ack && { from: replies[0]?.from, ciaddr: ack.ciaddr, yiaddr: ack.yiaddr, siaddr: ack.siaddr, file: ack.file, options: ack.options },
    {
      from: PROXY_IP, ciaddr: LEASED, yiaddr: '0.0.0.0', siaddr: PROXY_IP, file: 'undionly.kpxe',
      options: {
        messageType: 5, serverId: PROXY_IP, vendorClassId: 'PXEClient', vendorSpecific: Buffer.from([6, 1, 8, 255]),
        bootfileName: 'undionly.kpxe', clientMachineId: uuid,
      },
    },
  );
  const s = await stats(server);
  assert.is(s.acks, 1);
});

t('iPXE behind the proxy is sent the discovery script URL', async ({ lab }) => {
  const replies = await pxeClient(lab, ['discover', MAC, '0', '2', '', '', 'ipxe']);
  const ours = replies.find((r) => r.from === PROXY_IP)?.packet;
  assert.equal(ours && [ours.yiaddr, ours.file, ours.options.bootfileName, ours.options.vendorClassId], ['0.0.0.0', `${HTTP}/ipxe`, `${HTTP}/ipxe`, 'PXEClient']);
});

t.run();
