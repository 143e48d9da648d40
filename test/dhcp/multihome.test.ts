// A multi-homed agent: one server process with an interface in each of two
// subnets; each client must get its lease, broadcast out of its own link,
// with the agent's address in its subnet as server id and next-server.
// Needs root, iproute2, busybox.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostLease } from '../../src/io/dhcp/policy.ts';
import { Lab, type Proc, sh, until, setupOnce } from './support/lab.ts';
import { readEnv, startServer } from './support/server-proc.ts';

const A = { agent: '10.80.0.1', cidr: '10.80.0.0/24', mac: '52:54:00:80:00:0a', ip: '10.80.0.10' };
const B = { agent: '10.81.0.1', cidr: '10.81.0.0/24', mac: '52:54:00:81:00:0b', ip: '10.81.0.10' };
const lease = (s: typeof A): HostLease => ({
  ipv4: s.ip,
  ignoreDhcp: false,
  leaseSeconds: 900,
  subnet: { cidr: s.cidr, gateway: s.agent, dns: [], ntp: [], dhcpOptions: [] },
});

interface Ctx {
  lab: Lab;
  server: Proc;
  cliB: string;
  cliBIf: string;
}
const t = suite<Ctx>('multi-homed agent');

setupOnce(t, async (ctx) => {
  const lab = new Lab('m', `${A.agent}/24`);
  ctx.lab = lab;
  ctx.cliB = lab.addNamespace('mclib');
  ctx.cliBIf = `vqd${process.pid % 100000}mk`;
  lab.link({ ns: lab.srv, dev: `vqd${process.pid % 100000}mt`, cidr: `${B.agent}/24` }, { ns: ctx.cliB, dev: ctx.cliBIf });
  sh('ip', ['-n', lab.cli, 'link', 'set', lab.cliIf, 'address', A.mac]);
  sh('ip', ['-n', ctx.cliB, 'link', 'set', ctx.cliBIf, 'address', B.mac]);
  ctx.server = await startServer(lab, lab.srv, { mode: 'server', httpBase: `http://${A.agent}:24602`, hosts: { [A.mac]: lease(A), [B.mac]: lease(B) } });
});

t.after((ctx) => {
  ctx.lab?.cleanup();
});

async function udhcpc(lab: Lab, ns: string, dev: string, name: string): Promise<Record<string, string>> {
  const envFile = join(lab.dir, `${name}.env`);
  const script = join(lab.dir, `${name}.sh`);
  writeFileSync(script, `#!/bin/sh\n[ "$1" = bound ] && env > ${envFile}\nexit 0\n`);
  chmodSync(script, 0o755);
  const p = lab.spawnIn(ns, 'busybox', ['udhcpc', '-i', dev, '-n', '-q', '-f', '-t', '3', '-T', '2', '-s', script]);
  await until(`udhcpc ${name} to exit`, 15000, () => p.exited);
  assert.is(p.exited?.code, 0, p.err);
  const env = readEnv(envFile);
  return { ip: env.ip ?? '', serverid: env.serverid ?? '', siaddr: env.siaddr ?? '', router: env.router ?? '' };
}

t('each subnet hears the agent address on its own link', async ({ lab, cliB, cliBIf }) => {
  assert.equal(await udhcpc(lab, lab.cli, lab.cliIf, 'a'), { ip: A.ip, serverid: A.agent, siaddr: A.agent, router: A.agent });
  assert.equal(await udhcpc(lab, cliB, cliBIf, 'b'), { ip: B.ip, serverid: B.agent, siaddr: B.agent, router: B.agent });
});

t.run();
