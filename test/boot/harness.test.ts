// Proves the PXE boot harness against a peer server, dnsmasq: a qemu machine
// on a test LAN boots (SeaBIOS + iPXE ROM, or OVMF -> TFTP snponly.efi ->
// iPXE) over DHCP, TFTP and HTTP into the tiny Linux, which prints the config
// it was given and calls its checkpoint. The agent's boot tests replace
// dnsmasq with the agent and keep the rest.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBootLan, run, type BootLan, type Spawned, type VmPort } from '../helpers/netns.ts';
import { bootVm, type Vm } from '../helpers/qemu.ts';
import { REPO } from '../helpers/sot.ts';
import { configFromSerial, ensureTinyLinux, MARKERS } from '../helpers/tiny-linux.ts';
import type { BootHttpConfig, BootHttpRequest } from '../helpers/tiny-linux/boot-http.ts';

/** Bounds for one boot under TCG; measured about 10 s (BIOS) and 18 s (UEFI) to a shell, so these only catch hangs. */
const VM_TIMEOUT_MS = 240_000;
const MARKER_MS = 180_000;

interface BootResult {
  serial: string;
  requests: BootHttpRequest[];
  dnsmasqLog: string;
  /** ms from qemu start to VAQUERO-CHECKPOINT-DONE */
  bootMs: number;
  vm: VmPort;
}

function requestsOf(http: Spawned): BootHttpRequest[] {
  return http
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{"request"'))
    .map((l) => (JSON.parse(l) as { request: BootHttpRequest }).request);
}

async function bootThroughDnsmasq(firmware: 'bios' | 'uefi', configBody: string, nic: 'virtio' | 'e1000' = 'virtio'): Promise<BootResult> {
  const linux = await ensureTinyLinux();
  const dir = mkdtempSync(join(tmpdir(), `vqt-boot-${firmware}-`));
  // dnsmasq drops to nobody before it serves TFTP: everything it reads must be world-readable.
  chmodSync(dir, 0o755);
  let lan: BootLan | undefined;
  let qemu: Vm | undefined;
  try {
    lan = await createBootLan();
    const vm = await lan.addVm();

    const httpConfig: BootHttpConfig = {
      host: lan.serverIp,
      port: 0,
      files: { '/vmlinuz': linux.kernel, '/initramfs.cpio.gz': linux.initrd },
      texts: {
        // iPXE 1.0.0+git-20190125 under UEFI hands the kernel no initrd unless the command line names it.
        '/boot.ipxe': [
          '#!ipxe',
          'kernel {{base}}/vmlinuz console=ttyS0,115200 vaquero.config={{base}}/config vaquero.checkpoint={{base}}/checkpoint?host=vm1 initrd=initramfs.cpio.gz',
          'initrd {{base}}/initramfs.cpio.gz',
          'boot',
          '',
        ].join('\n'),
        '/config': configBody,
        '/checkpoint': 'ok\n',
      },
    };
    writeFileSync(join(dir, 'http.json'), JSON.stringify(httpConfig));
    const http = lan.net.spawn(lan.serverNs, process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/tiny-linux/boot-http.ts'), join(dir, 'http.json')], { cwd: REPO });
    const listening = JSON.parse(await http.waitForLine(/^\{"listening"/, 30_000)) as { listening: { base: string } };
    const base = listening.listening.base;

    const tftp = join(dir, 'tftp');
    mkdirSync(tftp, { mode: 0o755 });
    for (const f of ['undionly.kpxe', 'snponly.efi', 'ipxe.efi']) {
      copyFileSync(join('/usr/lib/ipxe', f), join(tftp, f));
      chmodSync(join(tftp, f), 0o644);
    }
    const conf = join(dir, 'dnsmasq.conf');
    writeFileSync(
      conf,
      [
        'port=0',
        `interface=${lan.serverIf}`,
        'bind-interfaces',
        'leasefile-ro',
        'log-dhcp',
        `dhcp-range=${lan.subnet.split('/')[0] ?? ''},static,${lan.netmask}`,
        `dhcp-host=${vm.mac},${vm.ip}`,
        'enable-tftp',
        `tftp-root=${tftp}`,
        'dhcp-match=set:efi64,option:client-arch,7',
        'dhcp-userclass=set:ipxe,iPXE',
        `dhcp-boot=tag:ipxe,${base}/boot.ipxe`,
        'dhcp-boot=tag:!ipxe,tag:efi64,snponly.efi',
        'dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe',
        // 175.176 no-pxedhcp: iPXE skips its ~3 s wait for a proxyDHCP offer.
        'dhcp-option=tag:ipxe,encap:175,176,1',
        '',
      ].join('\n'),
    );
    chmodSync(conf, 0o644);
    const dnsmasq = lan.net.spawn(lan.serverNs, 'dnsmasq', ['--keep-in-foreground', '--log-facility=-', '--pid-file=', `--conf-file=${conf}`]);
    await dnsmasq.waitForLine(/TFTP root is/, 30_000);

    qemu = bootVm({ ns: vm.ns, tap: vm.tap, mac: vm.mac, firmware, nic, serialLog: join(dir, 'serial.log'), timeoutMs: VM_TIMEOUT_MS, net: lan.net });
    await qemu.waitForSerial(new RegExp(MARKERS.up), MARKER_MS);
    await qemu.waitForSerial(new RegExp(`${MARKERS.checkpointDone}|${MARKERS.failed}.*`), MARKER_MS);
    const bootMs = Date.now() - qemu.startedAt;
    // init.sh powers off after the checkpoint; qemu exits (-no-reboot).
    await qemu.waitForExit(60_000);
    return { serial: qemu.serial(), requests: requestsOf(http), dnsmasqLog: dnsmasq.output(), bootMs, vm };
  } finally {
    await qemu?.kill();
    await lan?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The DHCP clients dnsmasq saw, one per DISCOVER transaction (xid), in order: vendor class (60) and user class (77). */
function clientsOf(log: string): { vendorClass: string; userClass: string }[] {
  const byXid = new Map<string, { vendorClass: string; userClass: string; discover: boolean }>();
  for (const line of log.split('\n')) {
    const m = /^dnsmasq-dhcp\[\d+\]: (\d+) (.*?)\s*$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const c = byXid.get(m[1]) ?? { vendorClass: '', userClass: '', discover: false };
    byXid.set(m[1], c);
    const v = /^vendor class: (.*)$/.exec(m[2]);
    const u = /^user class: (.*)$/.exec(m[2]);
    if (v?.[1] !== undefined && !c.discover) c.vendorClass = v[1];
    if (u?.[1] !== undefined && !c.discover) c.userClass = u[1];
    if (m[2].startsWith('DHCPDISCOVER')) c.discover = true;
  }
  return [...byXid.values()].filter((c) => c.discover).map(({ vendorClass, userClass }) => ({ vendorClass, userClass }));
}

function assertBooted(r: BootResult, configBody: string): void {
  assert.not.match(r.serial, MARKERS.failed);
  assert.match(r.serial, MARKERS.up);
  assert.is(configFromSerial(r.serial), configBody);
  assert.match(r.serial, MARKERS.checkpointDone);
  const checkpoints = r.requests.filter((q) => q.url.startsWith('/checkpoint'));
  assert.equal(checkpoints, [{ method: 'GET', url: '/checkpoint?host=vm1', remote: r.vm.ip, status: 200 }]);
  // iPXE and the tiny Linux both got the reserved address: every request came from it.
  assert.equal([...new Set(r.requests.map((q) => q.remote))], [r.vm.ip]);
  assert.equal(
    r.requests.map((q) => q.url),
    ['/boot.ipxe', '/vmlinuz', '/initramfs.cpio.gz', '/config', '/checkpoint?host=vm1'],
  );
}

test('configFromSerial reads back exactly what init.sh printed, CRLF console or not', () => {
  const printed = (body: string): string => `[ 2.1] Run /init\r\nVAQUERO-CONFIG-BEGIN\r\n${body.replace(/\n/g, '\r\n')}\r\nVAQUERO-CONFIG-END\r\nVAQUERO-CHECKPOINT-DONE\r\n`;
  for (const body of ['', 'x', 'x\n', 'a\n\nb\n\n', '{"k": "v"}']) assert.is(configFromSerial(printed(body)), body);
  assert.is(configFromSerial('VAQUERO-CONFIG-BEGIN\nhalf a conf'), undefined);
  assert.is(configFromSerial('no markers at all\n'), undefined);
});

test('cleanup kills by PID what the LAN started, deletes its namespaces, and can run twice', async () => {
  const lan = await createBootLan();
  let pids: number[] = [];
  try {
    await lan.addVm();
    const sleeper = lan.net.spawn(lan.serverNs, 'sleep', ['600']);
    pids = lan.net.pids();
    assert.ok(pids.includes(sleeper.pid));
    const before = await run('ip', ['netns', 'list']);
    assert.match(before.stdout, lan.lanNs);
    assert.match(before.stdout, lan.serverNs);
  } finally {
    await lan.cleanup();
  }
  await lan.cleanup();
  const after = await run('ip', ['netns', 'list']);
  assert.not.match(after.stdout, lan.lanNs);
  assert.not.match(after.stdout, lan.serverNs);
  assert.is(pids.length, 2, 'the RA sender and the sleeper');
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `pid ${pid} still alive`);
  assert.equal(lan.net.pids(), []);
});

test('BIOS: SeaBIOS + iPXE NIC ROM boots the tiny Linux from dnsmasq over DHCP and HTTP', async () => {
  const body = '#cloud-config\nhostname: vqt-bios\nruncmd:\n  - echo "two  spaces" $HOME\n';
  const r = await bootThroughDnsmasq('bios', body);
  console.log(`  BIOS boot: ${(r.bootMs / 1000).toFixed(1)} s from qemu start to checkpoint`);
  assertBooted(r, body);
  // qemu's NIC ROM is iPXE already: its first DISCOVER says iPXE and it never fetches undionly.kpxe.
  assert.equal(clientsOf(r.dnsmasqLog), [
    { vendorClass: 'PXEClient:Arch:00000:UNDI:002001', userClass: 'iPXE' },
    { vendorClass: 'udhcp 1.35.0', userClass: '' },
  ]);
  assert.not.match(r.dnsmasqLog, /dnsmasq-tftp.*sent /);
});

test('BIOS with an e1000 NIC: its iPXE ROM and the e1000 module in the tiny Linux', async () => {
  const body = 'plain text\n\nwith a blank line and no newline at the end';
  const r = await bootThroughDnsmasq('bios', body, 'e1000');
  console.log(`  BIOS e1000 boot: ${(r.bootMs / 1000).toFixed(1)} s from qemu start to checkpoint`);
  assertBooted(r, body);
});

test('UEFI: OVMF PXE -> TFTP snponly.efi -> iPXE -> HTTP boots the tiny Linux from dnsmasq', async () => {
  const body = '{"ignition":{"version":"2.2.0"},"storage":{}}';
  const r = await bootThroughDnsmasq('uefi', body);
  console.log(`  UEFI boot: ${(r.bootMs / 1000).toFixed(1)} s from qemu start to checkpoint`);
  assertBooted(r, body);
  // Firmware PXE first (arch 7, UNDI 3.0), then the iPXE it fetched over TFTP, then the tiny Linux.
  assert.equal(clientsOf(r.dnsmasqLog), [
    { vendorClass: 'PXEClient:Arch:00007:UNDI:003000', userClass: '' },
    { vendorClass: 'PXEClient:Arch:00007:UNDI:003010', userClass: 'iPXE' },
    { vendorClass: 'udhcp 1.35.0', userClass: '' },
  ]);
  assert.match(r.dnsmasqLog, new RegExp(`dnsmasq-tftp.*sent /.*/snponly\\.efi to ${r.vm.ip.replace(/\./g, '\\.')}`));
});

test.run();
