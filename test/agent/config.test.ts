// Agent configuration: the TFTP single-port switch from the config file and the
// command line, its default, and a bad value refused with VQ_ERR_CONFIG.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { loadAgentConfig } from '../../src/agent/config.ts';
import { VaqueroError } from '../../src/errors.ts';
import { startTestAgent } from '../helpers/agent.ts';

const dir = mkdtempSync(join(tmpdir(), 'vaquero-config-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const withFile = (yaml: string): string => {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, yaml);
  return path;
};

test('tftpSinglePort: on by default; Agent.TFTPSinglePort false turns it off; the command line wins over the file', () => {
  const base = { sot: '/srv/sot', site: 'lab' };
  assert.is(loadAgentConfig(base, {}).tftpSinglePort, true);
  assert.is(loadAgentConfig({ ...base, file: withFile('Agent:\n  TFTPSinglePort: false\n') }, {}).tftpSinglePort, false);
  assert.is(loadAgentConfig({ ...base, file: withFile('Agent:\n  TFTPSinglePort: off\n') }, {}).tftpSinglePort, false);
  assert.is(loadAgentConfig({ ...base, file: withFile('Agent:\n  TFTPSinglePort: false\n'), tftpSinglePort: 'on' }, {}).tftpSinglePort, true);
  assert.is(loadAgentConfig({ ...base, tftpSinglePort: 'off' }, {}).tftpSinglePort, false);
});

test('tftpSinglePort: anything but on/off (true/false, yes/no) is a configuration error', () => {
  try {
    loadAgentConfig({ sot: '/srv/sot', site: 'lab', tftpSinglePort: 'sometimes' }, {});
    assert.unreachable('accepted');
  } catch (err) {
    assert.instance(err, VaqueroError);
    assert.equal({ code: (err as VaqueroError).code, message: (err as Error).message }, { code: 'VQ_ERR_CONFIG', message: "tftp single port: 'sometimes' is not on or off" });
  }
});

/** The source port of the agent's first reply to an RRQ for undionly.kpxe (its DATA 1). */
async function replyPort(tftpPort: number): Promise<number> {
  const s = createSocket('udp4');
  try {
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const reply = new Promise<{ port: number; op: number }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no reply')), 5000);
      s.once('message', (m, r) => {
        clearTimeout(t);
        resolve({ port: r.port, op: m.readUInt16BE(0) });
      });
    });
    s.send(Buffer.from('\x00\x01undionly.kpxe\x00octet\x00', 'latin1'), tftpPort, '127.0.0.1');
    const r = await reply;
    assert.is(r.op, 3);
    return r.port;
  } finally {
    s.close();
  }
}

test('the agent passes the switch to its TFTP service: replies from its port when on, from a port of their own when off', async () => {
  for (const tftpSinglePort of [true, false]) {
    const t = await startTestAgent({ tftpSinglePort });
    try {
      const port = t.agent.addresses.tftp!.port;
      assert.is((await replyPort(port)) === port, tftpSinglePort);
    } finally {
      await t.stop();
    }
  }
});

test.run();
