// Settings read from the model (asset server port and folder, TFTP folder, DHCP
// mode) follow the model while the agent runs: a change restarts just the
// service that reads it; a setting the service cannot start with (a port in
// use) is reported and the service goes on with the settings it had.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdPort, offeredBootFile, startTestAgent, until, type TestAgent } from '../helpers/agent.ts';
import { httpGet, tftpGet } from '../helpers/pxe-steps.ts';

const ENV = 'sites/lab/env.yml';

const changed = (t: TestAgent, service: string): Record<string, unknown>[] =>
  t.agent.events.since(0).filter((e) => e.type === 'agent.settings-changed' && e.service === service);

test('asset server port: a change moves the HTTP service alone; a port in use is reported and the old one keeps serving', async () => {
  const first = await holdPort();
  await first.close();
  const busy = await holdPort();
  // Port and files folder from the model, not the command line.
  const t = await startTestAgent({ httpPort: undefined }, (sot) => sot.edit(ENV, 'port: 24602', `port: ${first.port}`));
  try {
    await until('model loaded', 10_000, () => t.agent.status().ready);
    assert.is((t.agent.addresses.http as { port: number }).port, first.port);
    assert.is((await httpGet(first.port, '/health')).status, 200);

    t.sot.edit(ENV, `port: ${first.port}`, `port: ${busy.port}`);
    t.agent.pollNow();
    const failed = await until('settings-failed', 10_000, () => t.agent.events.since(0).find((e) => e.type === 'agent.settings-failed'));
    assert.equal({ service: failed.service, changes: failed.changes, runningWith: failed.runningWith }, {
      service: 'http',
      changes: [{ setting: 'httpPort', from: first.port, to: busy.port }],
      runningWith: 'previous settings',
    });
    assert.match(String(failed.reason), /EADDRINUSE/);
    await until('ready again', 10_000, () => t.agent.status().ready);
    assert.equal(t.agent.status().settings?.http, { running: { httpPort: first.port, filesDir: t.files }, heldBack: true });
    assert.is((await httpGet(first.port, '/health')).status, 200);

    // The model goes back to the port HTTP runs on: nothing restarts, nothing is held back.
    t.sot.edit(ENV, `port: ${busy.port}`, `port: ${first.port}`);
    t.agent.pollNow();
    await until('model updated', 10_000, () => t.agent.events.since(0).filter((e) => e.type === 'model.updated').length === 3);
    await until('not held back', 10_000, () => t.agent.status().settings?.http?.heldBack === false);
    assert.is(t.agent.starts().http, 3);
    t.sot.edit(ENV, `port: ${first.port}`, `port: ${busy.port}`);

    await busy.close();
    const next = await holdPort();
    await next.close();
    t.sot.edit(ENV, `port: ${busy.port}`, `port: ${next.port}`);
    t.agent.pollNow();
    await until('http on the new port', 10_000, () => (t.agent.addresses.http as { port: number }).port === next.port && t.agent.status().ready);
    assert.is((await httpGet(next.port, '/health')).status, 200);
    assert.equal(t.agent.status().settings?.http, { running: { httpPort: next.port, filesDir: t.files }, heldBack: false });
    const old = await httpGet(first.port, '/health').catch((e: Error) => e);
    assert.ok(old instanceof Error, 'the old port is closed');
    // DHCP replies name the asset server's port: DHCP followed HTTP to the port it really
    // serves on (not to the busy one it never got); TFTP did not move.
    assert.equal(changed(t, 'dhcp').map((e) => e.changes), [[{ setting: 'httpPort', from: first.port, to: next.port }]]);
    assert.equal(changed(t, 'tftp'), []);
    // http: the first start, the refused one, back on the old port, the new port.
    assert.equal(t.agent.starts(), { 'sot-source': 1, dhcp: 2, tftp: 1, http: 4 });
    assert.equal(t.agent.events.since(0).filter((e) => e.type === 'agent.child-restarted'), []);
    assert.equal(t.fatal, []);
  } finally {
    await t.stop();
  }
});

test('TFTP folder and DHCP mode: each change restarts the one service that reads it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vaquero-tftp-'));
  writeFileSync(join(dir, 'only-here.bin'), Buffer.alloc(1234, 5));
  const t = await startTestAgent({ tftpDir: undefined });
  try {
    await until('model loaded', 10_000, () => t.agent.status().ready);
    t.sot.edit(ENV, '    dhcp_mode: server\n', `    dhcp_mode: server\n    tftp_server:\n      base_dir: ${dir}\n`);
    t.agent.pollNow();
    await until('tftp restarted', 10_000, () => t.agent.starts().tftp === 2 && t.agent.status().ready);
    const tftp = t.agent.addresses.tftp as { port: number };
    assert.equal(await tftpGet(tftp.port, 'only-here.bin'), Buffer.alloc(1234, 5));
    assert.equal(changed(t, 'tftp').map((e) => e.changes), [[{ setting: 'tftpDir', from: '/usr/lib/ipxe', to: dir }]]);

    t.sot.edit(ENV, 'dhcp_mode: server', 'dhcp_mode: proxy');
    t.agent.pollNow();
    await until('dhcp restarted', 10_000, () => t.agent.starts().dhcp === 2 && t.agent.status().ready);
    assert.equal(changed(t, 'dhcp').map((e) => e.changes), [[{ setting: 'dhcpMode', from: 'server', to: 'proxy' }]]);
    assert.equal(t.agent.starts(), { 'sot-source': 1, dhcp: 2, tftp: 2, http: 1 });

    // A model that changes nothing these services read restarts nothing.
    t.sot.edit(ENV, 'name: Lab rack', 'name: Lab rack 2');
    t.agent.pollNow();
    await until('model updated', 10_000, () => t.agent.events.since(0).filter((e) => e.type === 'model.updated').length === 4);
    assert.equal(t.agent.starts(), { 'sot-source': 1, dhcp: 2, tftp: 2, http: 1 });
  } finally {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('asset server on port 0 (tests): DHCP replies name the port HTTP bound, and the new one after HTTP restarts', async () => {
  const t = await startTestAgent();
  try {
    await until('model loaded', 10_000, () => t.agent.status().ready);
    // An HTTP-boot client (arch 16) is offered a URL on the asset server.
    let n = 0;
    const offered = async (): Promise<string> => String(await offeredBootFile(t, `52:54:00:00:20:0${++n}`, 16));
    const first = t.agent.addresses.http!.port;
    assert.ok(first > 0);
    // The host part is the agent's address in the host's subnet (the model's); the port is HTTP's.
    const url = (u: string): string => {
      const p = new URL(u);
      return `${p.port} ${p.pathname}`;
    };
    assert.is(url(await offered()), `${first} /boot/snponly.efi`);

    t.agent.injectCrash('http');
    await until('http and dhcp restarted', 10_000, () => t.agent.starts().http === 2 && t.agent.starts().dhcp === 2 && t.agent.status().ready);
    const second = t.agent.addresses.http!.port;
    assert.is.not(second, first);
    assert.is(url(await offered()), `${second} /boot/snponly.efi`);
    assert.equal(changed(t, 'dhcp').map((e) => e.changes), [[{ setting: 'httpPort', from: first, to: second }]]);
    assert.is((await httpGet(second, '/health')).status, 200);
  } finally {
    await t.stop();
  }
});

test.run();
