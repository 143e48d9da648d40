// Relayed DHCP with a real relay: udhcpc -> ISC dhcrelay (adding option 82)
// -> our server, across three namespaces made by the test. Needs root,
// iproute2, busybox, isc-dhcp-relay.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostLease } from '../../src/io/dhcp/policy.ts';
import { Lab, type Proc, sh, until, setupOnce } from './support/lab.ts';
import { events, readEnv, startServer, stats } from './support/server-proc.ts';

const SERVER_IP = '10.77.1.1';
const RELAY_UP = '10.77.1.2';
const RELAY_DOWN = '10.78.0.1';
const MAC = '52:54:00:78:00:14';
const subnet = { cidr: '10.78.0.0/24', gateway: RELAY_DOWN, dns: ['10.77.1.53'], ntp: [], domain: 'far.vaquero.test', dhcpOptions: [{ code: 26, type: 'uint16', value: 1400 }] };
const hosts: Record<string, HostLease> = { [MAC]: { ipv4: '10.78.0.20', hostname: 'far20', ignoreDhcp: false, subnet, leaseSeconds: 1800 } };

interface Ctx {
  lab: Lab;
  server: Proc;
  relay: Proc;
  client: string;
  clientIf: string;
}
const t = suite<Ctx>('relayed DHCP through ISC dhcrelay');

setupOnce(t, async (ctx) => {
  // lab.srv holds our server; lab.cli is the relay's namespace; a third holds the client.
  const lab = new Lab('r', `${SERVER_IP}/24`);
  ctx.lab = lab;
  sh('ip', ['-n', lab.cli, 'addr', 'add', `${RELAY_UP}/24`, 'dev', lab.cliIf]);
  sh('ip', ['-n', lab.srv, 'route', 'add', '10.78.0.0/24', 'via', RELAY_UP]);
  ctx.client = lab.addNamespace('rclient');
  ctx.clientIf = `vqd${process.pid % 100000}rk`;
  const relayDown = `vqd${process.pid % 100000}rd`;
  lab.link({ ns: lab.cli, dev: relayDown, cidr: `${RELAY_DOWN}/24` }, { ns: ctx.client, dev: ctx.clientIf });
  sh('ip', ['-n', ctx.client, 'link', 'set', ctx.clientIf, 'address', MAC]);
  ctx.server = await startServer(lab, lab.srv, { mode: 'server', httpBase: `http://${SERVER_IP}:24602`, hosts });
  ctx.relay = lab.spawnIn(lab.cli, 'dhcrelay', ['-4', '-d', '-a', '--no-pid', '-id', relayDown, '-iu', lab.cliIf, SERVER_IP]);
  await until('dhcrelay to start', 10000, () => {
    if (ctx.relay.exited) throw new Error(`dhcrelay exited: ${ctx.relay.err}`);
    return /Sending on +Socket/.test(ctx.relay.err + ctx.relay.out);
  });
});

t.after((ctx) => {
  ctx.lab?.cleanup();
});

t('udhcpc behind dhcrelay gets its reservation; the server answers the relay and echoes option 82', async ({ lab, server, relay, client, clientIf }) => {
  const envFile = join(lab.dir, 'relayed.env');
  const script = join(lab.dir, 'relayed.sh');
  writeFileSync(script, `#!/bin/sh\n[ "$1" = bound ] && env > ${envFile}\nexit 0\n`);
  chmodSync(script, 0o755);
  const p = lab.spawnIn(client, 'busybox', ['udhcpc', '-i', clientIf, '-n', '-q', '-f', '-t', '3', '-T', '2', '-O', 'mtu', '-s', script]);
  await until('udhcpc to exit', 20000, () => p.exited);
  assert.is(p.exited?.code, 0, p.err);
  const env = readEnv(envFile);
  assert.equal(
    { ip: env.ip, subnet: env.subnet, router: env.router, dns: env.dns, hostname: env.hostname, domain: env.domain, mtu: env.mtu, serverid: env.serverid, boot_file: env.boot_file },
    { ip: '10.78.0.20', subnet: '255.255.255.0', router: RELAY_DOWN, dns: '10.77.1.53', hostname: 'far20', domain: 'far.vaquero.test', mtu: '1400', serverid: SERVER_IP, boot_file: 'undionly.kpxe' },
  );
  const mine = events(server).filter((e) => e.mac === MAC);
  assert.equal(
    mine.map((e) => [e.type, e.relay]),
    [['dhcp.discover', RELAY_DOWN], ['dhcp.offer', RELAY_DOWN], ['dhcp.request', RELAY_DOWN], ['dhcp.ack', RELAY_DOWN]],
  );
  // dhcrelay -a added option 82; it forwards replies whatever their 82 (4.4.3 does not check),
  // so the echo itself is asserted byte for byte in policy.test.ts.
  assert.match(relay.err + relay.out, /Adding \d+-byte relay agent option/);
  const s = await stats(server);
  assert.equal([s.offers, s.acks, s.naks], [1, 1, 0]);
});

t.run();
