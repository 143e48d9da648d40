// The agent's model follows its SoT folder: a valid change replaces the model,
// a broken one is refused with its problems while the last good model keeps
// serving, an unreadable folder marks the model stale until it is back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renameSync } from 'node:fs';
import { startTestAgent, until } from '../helpers/agent.ts';
import { httpGet } from '../helpers/pxe-steps.ts';

const script = (port: number) => httpGet(port, '/ipxe?mac=52-54-00-00-10-21');

test('valid change -> model.updated; broken change -> model.rejected and the last good model serves; unreadable -> stale, then fresh', async () => {
  const t = await startTestAgent();
  try {
    const http = t.agent.addresses.http!.port;
    await until('model', 10_000, () => t.agent.status().ready);
    const first = t.agent.status().model!.version;
    assert.match((await script(http)).body, /console=ttyS0,115200n8/);

    t.sot.edit('os/rocky.yml', 'console: ttyS0,115200n8', 'console: ttyS1,115200n8');
    t.agent.pollNow();
    await until('updated', 10_000, () => t.agent.status().model!.version !== first);
    assert.match((await script(http)).body, /console=ttyS1,115200n8/);
    const second = t.agent.status().model!.version;

    t.sot.edit('boot/rocky-install.yml', 'operating_system: rocky-9', 'operating_system: rocky-10');
    t.agent.pollNow();
    const rejected = await until('rejected', 10_000, () => t.agent.events.since(0).find((e) => e.type === 'model.rejected'));
    assert.equal(rejected.serving, second);
    assert.equal(
      (rejected.problems as { file: string; message: string }[]).map((p) => `${p.file}: ${p.message}`),
      ["boot/rocky-install.yml: boot 'rocky-install': operating_system 'rocky-10' does not exist"],
    );
    assert.is(t.agent.status().model!.version, second);
    assert.match((await script(http)).body, /console=ttyS1,115200n8/);

    renameSync(t.sot.dir, `${t.sot.dir}.away`);
    try {
      t.agent.pollNow();
      await until('stale', 10_000, () => t.agent.status().model?.stale);
      assert.ok(t.agent.events.since(0).some((e) => e.type === 'model.stale'));
      assert.is((await script(http)).status, 200);
    } finally {
      renameSync(`${t.sot.dir}.away`, t.sot.dir);
    }
    t.sot.edit('boot/rocky-install.yml', 'operating_system: rocky-10', 'operating_system: rocky-9');
    t.agent.pollNow();
    await until('fresh', 10_000, () => t.agent.status().model?.stale === false);
    assert.ok(t.agent.events.since(0).some((e) => e.type === 'model.fresh'));
  } finally {
    await t.stop();
  }
});

test.run();
