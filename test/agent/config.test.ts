// Agent configuration: the TFTP single-port switch from the config file and the
// command line, its default, and a bad value refused with VQ_ERR_CONFIG; the
// boot files offered per firmware (Agent.BootFiles), checked at start-up and
// offered by the agent's DHCP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { loadAgentConfig } from '../../src/agent/config.ts';
import { VaqueroError } from '../../src/errors.ts';
import { DEFAULT_BOOT_FILES } from '../../src/io/dhcp/boot-file.ts';
import { offeredBootFile, startTestAgent, until } from '../helpers/agent.ts';
import { REPO } from '../helpers/sot.ts';

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

const configError = (input: Parameters<typeof loadAgentConfig>[0]): string => {
  try {
    loadAgentConfig(input, {});
  } catch (err) {
    assert.instance(err, VaqueroError);
    assert.is((err as VaqueroError).code, 'VQ_ERR_CONFIG');
    return (err as Error).message;
  }
  return assert.unreachable('accepted') as never;
};

test('Agent.BootFiles: defaults, each firmware set on its own, HTTP boot by path or URL', () => {
  const base = { sot: '/srv/sot', site: 'lab' };
  assert.equal(loadAgentConfig(base, {}).bootFiles, DEFAULT_BOOT_FILES);
  const yaml = 'Agent:\n  BootFiles:\n    UEFI: ipxe.efi\n    BIOS: x86/vaquero.kpxe\n    HTTP: http://cdn.example/roms/ipxe.efi\n    HTTPArm64: /boot/arm64/snp.efi\n';
  assert.equal(loadAgentConfig({ ...base, file: withFile(yaml) }, {}).bootFiles, {
    ...DEFAULT_BOOT_FILES,
    efiX64: 'ipxe.efi',
    bios: 'x86/vaquero.kpxe',
    httpX64: 'http://cdn.example/roms/ipxe.efi',
    httpArm64: '/boot/arm64/snp.efi',
  });
});

test('config/agent.example.yml loads as it ships, with every default it shows', () => {
  const cfg = loadAgentConfig({ file: join(REPO, 'config', 'agent.example.yml') }, {});
  assert.equal([cfg.siteId, cfg.dhcpPort, cfg.tftpPort, cfg.httpPort, cfg.stallAfterMs, cfg.bootFiles], ['lab', 67, 69, 24602, 600_000, DEFAULT_BOOT_FILES]);
  // The commented BootFiles block shows the defaults: uncommented, it changes nothing.
  const text = readFileSync(join(REPO, 'config', 'agent.example.yml'), 'utf8');
  const uncommented = text.replace(/^ {2}# (BootFiles:.*)$/m, '  $1').replace(/^ {2}# ( {2}[A-Za-z0-9]+: .*)$/gm, '  $1');
  assert.ok(uncommented.includes('\n    UEFI: snponly.efi'), uncommented);
  assert.equal(loadAgentConfig({ file: withFile(uncommented) }, {}).bootFiles, DEFAULT_BOOT_FILES);
});

test('Agent.BootFiles: what no firmware could fetch is refused at start-up, with the key named', () => {
  const base = { sot: '/srv/sot', site: 'lab' };
  const cases: [string, string][] = [
    ['Agent:\n  BootFiles: ipxe.efi\n', 'Agent.BootFiles must be a mapping of BIOS, UEFI, UEFIArm64, HTTP, HTTPArm64'],
    ['Agent:\n  BootFiles:\n    EFI: ipxe.efi\n', 'Agent.BootFiles.EFI: not one of BIOS, UEFI, UEFIArm64, HTTP, HTTPArm64'],
    ['Agent:\n  BootFiles:\n    UEFI: ../../etc/passwd\n', "Agent.BootFiles.UEFI: '../../etc/passwd' has a '..' segment"],
    ['Agent:\n  BootFiles:\n    BIOS: 7\n', 'Agent.BootFiles.BIOS must be a file name'],
    ['Agent:\n  BootFiles:\n    BIOS: "un dionly.kpxe"\n', "Agent.BootFiles.BIOS: 'un dionly.kpxe' has whitespace or NUL in it"],
    ['Agent:\n  BootFiles:\n    BIOS: tftp://10.0.0.1/undionly.kpxe\n', "Agent.BootFiles.BIOS: 'tftp://10.0.0.1/undionly.kpxe' must be a file name in the TFTP folder, not a URL"],
    ['Agent:\n  BootFiles:\n    BIOS: /./\n', "Agent.BootFiles.BIOS: '/./' names no file"],
    ['Agent:\n  BootFiles:\n    HTTP: ipxe.efi\n', "Agent.BootFiles.HTTP: 'ipxe.efi' must be a path on the asset server (/boot/...) or an http(s) URL"],
    ['Agent:\n  BootFiles:\n    HTTP: http://cdn/a/../../b.efi\n', "Agent.BootFiles.HTTP: 'http://cdn/a/../../b.efi' has a '..' segment"],
    [`Agent:\n  BootFiles:\n    UEFI: ${'a'.repeat(256)}\n`, 'Agent.BootFiles.UEFI: longer than DHCP option 67 holds (255 bytes)'],
  ];
  for (const [yaml, message] of cases) assert.is(configError({ ...base, file: withFile(yaml) }), message, yaml);
});

test('the agent offers the configured boot files: UEFI PXE its TFTP name, UEFI HTTP boot a URL as it is', async () => {
  const t = await startTestAgent({ bootFiles: { ...DEFAULT_BOOT_FILES, efiX64: 'ipxe.efi', httpX64: 'http://roms.example/ipxe.efi' } });
  try {
    await until('model', 10_000, () => t.agent.status().ready);
    assert.is(await offeredBootFile(t, '52:54:00:00:10:01', 7), 'ipxe.efi');
    assert.is(await offeredBootFile(t, '52:54:00:00:10:02', 16), 'http://roms.example/ipxe.efi');
  } finally {
    await t.stop();
  }
});

test.run();
