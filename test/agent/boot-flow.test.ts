// One host's whole network boot through the agent's real DHCP, TFTP and HTTP
// sockets: its boot actor reports every stage once and finishes at the
// checkpoint (PXE, and UEFI HTTP boot with its ROM from /boot); a host that stops answering stalls into an event; an unknown
// MAC gets silence and an event, never a boot actor.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestAgent, until, type TestAgent } from '../helpers/agent.ts';
import { httpGet, pxeDiscover, tftpGet } from '../helpers/pxe-steps.ts';

const MAC = '52:54:00:00:10:01';

interface Ev {
  type: string;
  mac?: string;
  stage?: string;
  detail?: string;
  host?: string;
  bootFile?: string;
}

async function events(adminPort: number, type: string): Promise<Ev[]> {
  const r = await fetch(`http://127.0.0.1:${adminPort}/events?type=${type}`);
  return ((await r.json()) as { events: Ev[] }).events;
}

/**
 * The test's requests come from 127.0.0.1: give worker-1 that address (in a loopback subnet, or DHCP
 * rightly refuses the reservation) so TFTP and /files map to it.
 */
async function onLoopback(t: TestAgent): Promise<void> {
  t.sot.edit('sites/lab/env.yml', 'cidr: 10.100.0.0/24\n    gateway: 10.100.0.1', 'cidr: 127.0.0.0/8\n    gateway: 127.0.0.254');
  t.sot.edit('sites/lab/cluster-workers.yml', 'ipv4: 10.100.0.11', 'ipv4: 127.0.0.1');
  t.agent.pollNow();
  await until('model with the loopback address', 10_000, () => t.agent.events.since(0).some((e) => e.type === 'model.updated' && e.previous !== undefined));
}

/** The iPXE script's kernel and initrd, fetched, then the config and the checkpoint: the stages after the ROM. */
async function bootAfterRom(httpPort: number): Promise<{ kernel: string; initrd: string }> {
  const script = await httpGet(httpPort, `/ipxe?mac=${MAC.replace(/:/g, '-')}&boot=flatcar-worker`);
  assert.is(script.status, 200);
  const kernel = /^kernel http:\/\/[^/]+(\/files\/\S+)/m.exec(script.body)![1]!;
  const initrd = /^initrd http:\/\/[^/]+(\/files\/\S+)/m.exec(script.body)![1]!;
  assert.is((await httpGet(httpPort, kernel)).status, 200);
  assert.is((await httpGet(httpPort, initrd)).status, 200);
  assert.is((await httpGet(httpPort, `/config/${MAC}?boot=flatcar-worker`)).status, 200);
  assert.is((await httpGet(httpPort, `/checkpoint/${MAC}?boot=flatcar-worker`)).status, 200);
  return { kernel: kernel.replace('/files/', ''), initrd: initrd.replace('/files/', '') };
}

test('a boot goes dhcp -> tftp -> ipxe -> kernel -> initrd -> config -> checkpoint, each reported once', async () => {
  const t = await startTestAgent();
  try {
    await onLoopback(t);
    const { dhcp, tftp, http, admin } = t.agent.addresses as Record<string, { port: number }>;
    await pxeDiscover(dhcp!.port, MAC);
    await until('boot actor', 10_000, () => t.agent.status().boots.some((b) => b.mac === MAC && b.stage === 'dhcp'));
    assert.is((await tftpGet(tftp!.port, 'undionly.kpxe')).length, 70_000);
    const { kernel, initrd } = await bootAfterRom(http!.port);
    const done = await until('boot.done', 10_000, async () => (await events(admin!.port, 'boot')).find((e) => e.type === 'boot.done'));
    assert.equal(done.mac, MAC);
    const stages = (await events(admin!.port, 'boot')).filter((e) => e.type === 'boot.stage').map((e) => [e.stage, e.detail]);
    assert.equal(stages, [
      ['dhcp', 'undionly.kpxe'],
      ['tftp', 'undionly.kpxe'],
      ['ipxe', 'flatcar-worker'],
      ['kernel', kernel],
      ['initrd', initrd],
      ['config', 'flatcar-worker'],
      ['checkpoint', 'flatcar-worker'],
    ]);
    await until('boot actor gone', 10_000, () => t.agent.status().boots.length === 0);
    const metrics = await (await fetch(`http://127.0.0.1:${admin!.port}/metrics`)).text();
    for (const line of [
      'vaquero_dhcp_events_total{type="dhcp.discover"} 1',
      'vaquero_dhcp_events_total{type="dhcp.offer"} 1',
      'vaquero_tftp_transfers_total{outcome="completed"} 1',
      'vaquero_tftp_bytes_total 70000',
      'vaquero_boot_stages_total{stage="kernel"} 1',
      'vaquero_boot_stages_total{stage="checkpoint"} 1',
      'vaquero_boots_total{outcome="done"} 1',
    ]) {
      assert.ok(metrics.split('\n').includes(line), `metrics lack: ${line}`);
    }
  } finally {
    await t.stop();
  }
});

test('UEFI HTTP boot: the offer names /boot/snponly.efi, served from the TFTP folder; that download is the tftp stage', async () => {
  const t = await startTestAgent();
  try {
    await onLoopback(t);
    writeFileSync(join(t.tftp, 'snponly.efi'), Buffer.alloc(4321, 3));
    const { dhcp, http, admin } = t.agent.addresses as Record<string, { port: number }>;
    await pxeDiscover(dhcp!.port, MAC, 16);
    const offer = await until('dhcp.offer', 10_000, async () => (await events(admin!.port, 'dhcp')).find((e) => e.type === 'dhcp.offer'));
    const rom = new URL(offer.bootFile!);
    assert.is(rom.pathname, '/boot/snponly.efi');
    const got = await fetch(`http://127.0.0.1:${http!.port}${rom.pathname}`);
    assert.equal([got.status, (await got.arrayBuffer()).byteLength], [200, 4321]);
    const { kernel, initrd } = await bootAfterRom(http!.port);
    await until('boot.done', 10_000, async () => (await events(admin!.port, 'boot')).find((e) => e.type === 'boot.done'));
    const stages = (await events(admin!.port, 'boot')).filter((e) => e.type === 'boot.stage').map((e) => [e.stage, e.detail]);
    assert.equal(stages, [
      ['dhcp', offer.bootFile],
      ['tftp', 'snponly.efi'],
      ['ipxe', 'flatcar-worker'],
      ['kernel', kernel],
      ['initrd', initrd],
      ['config', 'flatcar-worker'],
      ['checkpoint', 'flatcar-worker'],
    ]);
  } finally {
    await t.stop();
  }
});

test('a known host asking for an address without option 93 (its OS, not firmware) is answered but starts no boot actor', async () => {
  const t = await startTestAgent({ stallAfterMs: 300 });
  try {
    await until('model', 10_000, () => t.agent.status().ready);
    const { dhcp, admin } = t.agent.addresses as Record<string, { port: number }>;
    await pxeDiscover(dhcp!.port, '52:54:00:00:10:21', null);
    const offer = await until('dhcp.offer', 10_000, async () => (await events(admin!.port, 'dhcp')).find((e) => e.type === 'dhcp.offer'));
    assert.equal([offer.mac, 'arch' in offer], ['52:54:00:00:10:21', false]);
    // A firmware DISCOVER after it does start one: the difference is option 93 alone.
    await pxeDiscover(dhcp!.port, '52:54:00:00:10:02', 0);
    await until('the firmware host tracked', 10_000, () => t.agent.status().boots.some((b) => b.mac === '52:54:00:00:10:02'));
    assert.equal(t.agent.status().boots.map((b) => b.mac), ['52:54:00:00:10:02']);
    assert.not.ok((await events(admin!.port, 'boot')).some((e) => e.mac === '52:54:00:00:10:21'));
  } finally {
    await t.stop();
  }
});

test('a host that stops after DHCP stalls into boot.stalled; an unknown MAC gets no boot actor', async () => {
  const t = await startTestAgent({ stallAfterMs: 300 });
  try {
    await until('model', 10_000, () => t.agent.status().ready);
    const { dhcp, admin } = t.agent.addresses as Record<string, { port: number }>;
    await pxeDiscover(dhcp!.port, '52:54:00:00:10:02', 7);
    await pxeDiscover(dhcp!.port, '52:54:00:99:99:99', 0);
    const stalled = await until('boot.stalled', 10_000, async () => (await events(admin!.port, 'boot')).find((e) => e.type === 'boot.stalled'));
    assert.equal([stalled.mac, stalled.host, stalled.stage], ['52:54:00:00:10:02', 'worker-2', 'dhcp']);
    const unknown = await until('dhcp.unknown-mac', 10_000, async () => (await events(admin!.port, 'dhcp')).find((e) => e.type === 'dhcp.unknown-mac'));
    assert.is(unknown.mac, '52:54:00:99:99:99');
    assert.not.ok((await events(admin!.port, 'boot')).some((e) => e.mac === '52:54:00:99:99:99'));
    assert.equal(t.agent.status().boots, []);
  } finally {
    await t.stop();
  }
});

test.run();
