// Real firmware boots from the agent: qemu on a test LAN (SeaBIOS with its
// iPXE NIC ROM, and OVMF doing PXE -> TFTP snponly.efi -> iPXE -> HTTP) gets
// its address from our DHCP, iPXE from our TFTP, its script, kernel, initrd
// and config from our HTTP server, all rendered from a model; the tiny Linux
// prints the config and calls the checkpoint, and the agent's boot actor for
// that MAC walks every stage to boot.done. A third boot has iPXE fetch the
// initrd by tftp://: real firmware on the TFTP listening port (lock-step). A
// fourth is OVMF's UEFI HTTP boot: the ROM from /boot, no TFTP at all. Then
// the agent in proxy mode beside a dnsmasq that hands out the addresses: OVMF
// PXE, and OVMF HTTP boot taking the ROM's URL from a proxy offer. Last, ARM64
// UEFI firmware (AAVMF) fetches its boot file by PXE and by HTTP boot. And the
// fault outage row va-to-host names, for real: the agent's traffic to a VM
// dropped mid-boot stalls that boot into boot.stalled, nothing else.
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBootLan, run, type BootLan, type Spawned, type VmPort } from '../helpers/netns.ts';
import { bootVm, type Vm } from '../helpers/qemu.ts';
import { REPO } from '../helpers/sot.ts';
import { OUTAGE_TABLE } from '../../src/outage/table.ts';
import { configFromSerial, ensureTinyLinux, MARKERS } from '../helpers/tiny-linux.ts';
import { until } from '../helpers/until.ts';

const VM_TIMEOUT_MS = 240_000;
const MARKER_MS = 180_000;

interface BootOptions {
  /** iPXE fetches the initrd by tftp:// from the agent. */
  initrdOverTftp?: boolean;
  /** OVMF's PXE (default) or its UEFI HTTP boot. */
  uefiBoot?: 'pxe' | 'http';
  /** The agent in proxy mode beside a dnsmasq that hands out the addresses. */
  proxy?: boolean;
}

function writeModel(dir: string, lan: BootLan, vm: { mac: string; ip: string }, { initrdOverTftp = false, proxy = false }: BootOptions): void {
  // iPXE's own TFTP client (lock-step, blksize and tsize) fetches the initrd from the
  // agent's TFTP folder when asked to: real firmware on the batched listening port.
  const initrd = initrdOverTftp ? `tftp://${lan.serverIp}/initramfs.cpio.gz` : '{{ .env.agentURL }}/files/initramfs.cpio.gz';
  const files: Record<string, string> = {
    'os/tiny.yml': [
      'id: tiny-linux',
      'boot:',
      '  kernel: "{{ .env.agentURL }}/files/vmlinuz"',
      '  initrd:',
      `    - "${initrd}"`,
      'cmdline:',
      '  - console: ttyS0,115200',
      '  - vaquero.config: "{{ .boot.configURL }}"',
      '  - vaquero.checkpoint: "{{ Checkpoint }}"',
      '',
    ].join('\n'),
    'boot/tiny.yml': 'id: tiny\noperating_system: tiny-linux\nunattended:\n  type: untyped\n  use: hello.txt\n',
    'workflows/tiny.yml': 'id: tiny\nworkflow:\n  - boot: tiny\n',
    'assets/untyped/hello.txt': 'hello {{ .host.name }} at {{ .interface.ipv4 }}/{{ .interface.subnet.netmask }} via {{ .env.agentURL }}\n',
    'sites/vqt/env.yml': [
      'id: vqt',
      'subnets:',
      `  - id: lan`,
      `    cidr: ${lan.subnet}`,
      `    gateway: ${lan.serverIp}`,
      `    dns: [${lan.serverIp}]`,
      `    ntp: [${lan.serverIp}]`,
      'agents:',
      '  - asset_server:',
      `      addr: ${lan.serverIp}`,
      '      port: 24602',
      ...(proxy ? ['    dhcp_mode: proxy'] : []),
      '',
    ].join('\n'),
    'sites/vqt/hosts.yml': `name: vm1\ninterfaces:\n  - type: physical\n    subnet: lan\n    mac: ${vm.mac}\n    ipv4: ${vm.ip}\nworkflow: tiny\n`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

interface Ev {
  type: string;
  seq?: number;
  mac?: string;
  stage?: string;
  file?: string;
  windowsize?: number;
  serverPort?: number;
  client?: { address: string };
  ipv4?: string;
  arch?: number;
  bootFile?: string;
  path?: string;
  status?: number;
  bytes?: number;
  via?: string;
}

interface Booted {
  serial: string;
  events: Ev[];
  tftp: Ev[];
  dhcp: Ev[];
  /** What the address server printed (proxy mode). */
  dnsmasqLog: string;
  bootMs: number;
  expectedConfig: string;
  mac: string;
  ip: string;
}

async function eventsOf(lan: BootLan, type: string): Promise<Ev[]> {
  const r = await run('ip', ['netns', 'exec', lan.serverNs, 'curl', '-s', `http://127.0.0.1:24604/events?type=${type}`]);
  return (JSON.parse(r.stdout) as { events: Ev[] }).events;
}

/** A second DHCP server on the LAN, the one that hands out addresses (dnsmasq, static leases), for proxy mode. */
async function addressServer(lan: BootLan, vm: { mac: string; ip: string }, dir: string): Promise<Spawned> {
  const ns = await lan.net.namespace('dhcp');
  await lan.net.veth({ ns, ifname: 'eth0' }, { ns: lan.lanNs, ifname: 'dhcp0' });
  await lan.net.attach(lan.lanNs, 'dhcp0', lan.bridge);
  const prefix = lan.serverIp.replace(/\.\d+$/, '');
  await lan.net.address(ns, 'eth0', `${prefix}.2/${lan.prefixLen}`);
  const dnsmasq = lan.net.spawn(ns, 'dnsmasq', [
    '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--pid-file=', '--port=0', '--user=root', '--group=root',
    '--interface=eth0', '--bind-interfaces', `--dhcp-range=${prefix}.0,static`, `--dhcp-host=${vm.mac},${vm.ip}`,
    `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`, '--log-dhcp',
  ]);
  await dnsmasq.waitForLine(/DHCP, static leases only/, 10_000);
  return dnsmasq;
}

/** What a test runs on: the boot LAN, one VM's port on it, and the agent serving the VM's model. */
interface AgentLan {
  lan: BootLan;
  vm: VmPort;
  /** The SoT folder the agent watches. */
  sot: string;
  /** Starts the VM (killed when the test's LAN goes away). */
  startVm(firmware: 'bios' | 'uefi' | 'uefi-arm64', uefiBoot: 'pxe' | 'http'): Vm;
}

/**
 * A boot LAN with one VM's port and the agent in the server namespace, serving a model of
 * that VM (writeModel with `model`); `prepare` lays out its folders under `dir` and returns
 * the agent's arguments for them (--files, --tftp-dir). Runs `body`, then kills the VM and
 * the agent and removes everything, whatever happened; on failure prints the agent's output.
 */
async function onAgentLan<T>(name: string, model: BootOptions, prepare: (dir: string, lan: BootLan, vm: VmPort) => Promise<string[]>, body: (l: AgentLan) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `vqt-agent-${name}-`));
  let lan: BootLan | undefined;
  let agent: Spawned | undefined;
  let qemu: Vm | undefined;
  try {
    lan = await createBootLan();
    const vm = await lan.addVm();
    const sot = join(dir, 'sot');
    writeModel(sot, lan, vm, model);
    const args = await prepare(dir, lan, vm);
    agent = lan.net.spawn(lan.serverNs, process.execPath, [join(REPO, 'bin', 'vaquero.js'), 'agent', '--sot', sot, '--site', 'vqt', '--admin', '127.0.0.1:24604', ...args], { cwd: REPO });
    await agent.waitForLine(/model \w+ loaded/, 60_000);
    const net = lan.net;
    return await body({
      lan,
      vm,
      sot,
      startVm: (firmware, uefiBoot) => (qemu = bootVm({ ns: vm.ns, tap: vm.tap, mac: vm.mac, firmware, uefiBoot, serialLog: join(dir, 'serial.log'), timeoutMs: VM_TIMEOUT_MS, net })),
    });
  } catch (e) {
    if (agent) console.log(agent.output().slice(-4000));
    throw e;
  } finally {
    await qemu?.kill();
    await agent?.kill();
    await lan?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tiny Linux's kernel and initrd in `dir`/files, as the model names them; returns that folder. */
async function tinyLinuxFiles(dir: string): Promise<string> {
  const linux = await ensureTinyLinux();
  const files = join(dir, 'files');
  mkdirSync(files);
  copyFileSync(linux.kernel, join(files, 'vmlinuz'));
  copyFileSync(linux.initrd, join(files, 'initramfs.cpio.gz'));
  return files;
}

async function bootFromAgent(firmware: 'bios' | 'uefi', opts: BootOptions = {}): Promise<Booted> {
  let dnsmasq: Spawned | undefined;
  const prepare = async (dir: string, lan: BootLan, vm: VmPort): Promise<string[]> => {
    if (opts.proxy) dnsmasq = await addressServer(lan, vm, dir);
    const files = await tinyLinuxFiles(dir);
    return ['--files', files, ...(opts.initrdOverTftp ? ['--tftp-dir', files] : [])];
  };
  return onAgentLan(`boot-${firmware}`, opts, prepare, async ({ lan, vm, startVm }) => {
    const qemu = startVm(firmware, opts.uefiBoot ?? 'pxe');
    await qemu.waitForSerial(new RegExp(`${MARKERS.checkpointDone}|${MARKERS.failed}.*`), MARKER_MS);
    const bootMs = Date.now() - qemu.startedAt;
    await qemu.waitForExit(60_000);
    // The checkpoint's boot.done is reported right after the VM's last request; assertBooted checks it.
    const events = await until('boot.done', 10_000, async () => {
      const boot = await eventsOf(lan, 'boot');
      return boot.some((e) => e.type === 'boot.done') && boot;
    });
    const tftp = [...(await eventsOf(lan, 'transfer-started')), ...(await eventsOf(lan, 'transfer-completed'))];
    const dhcp = await eventsOf(lan, 'dhcp');
    return { serial: qemu.serial(), events, tftp, dhcp, dnsmasqLog: dnsmasq?.output() ?? '', bootMs, expectedConfig: `hello vm1 at ${vm.ip}/${lan.netmask} via http://${lan.serverIp}:24602\n`, mac: vm.mac, ip: vm.ip };
  });
}

function assertBooted(r: Booted, stages: string[]): void {
  assert.not.match(r.serial, MARKERS.failed);
  // The agent rendered the config for this host from the model, and the VM printed it unchanged.
  assert.is(configFromSerial(r.serial), r.expectedConfig.replace(/\n$/, '') + '\n');
  assert.match(r.serial, MARKERS.checkpointDone);
  const mine = r.events.filter((e) => e.mac === r.mac);
  assert.equal(mine.filter((e) => e.type === 'boot.stage').map((e) => e.stage), stages);
  assert.ok(mine.some((e) => e.type === 'boot.done'), 'boot.done');
  assert.not.ok(mine.some((e) => e.type === 'boot.stalled'), 'no stall');
}

test('BIOS: SeaBIOS + iPXE ROM boots from the agent: DHCP, script, kernel, initrd, config, checkpoint', async () => {
  const r = await bootFromAgent('bios');
  console.log(`  BIOS boot from the agent: ${(r.bootMs / 1000).toFixed(1)} s from qemu start to checkpoint`);
  // qemu's NIC ROM is iPXE already: no TFTP step.
  assertBooted(r, ['dhcp', 'ipxe', 'kernel', 'initrd', 'config', 'checkpoint']);
});

test('BIOS: iPXE fetches the initrd over TFTP, lock-step, on the agent\'s listening port (69)', async () => {
  const r = await bootFromAgent('bios', { initrdOverTftp: true });
  console.log(`  BIOS boot with the initrd over TFTP: ${(r.bootMs / 1000).toFixed(1)} s from qemu start to checkpoint`);
  // The kernel came by HTTP and the initrd by TFTP, after the iPXE script: the initrd stage
  // all the same (a TFTP download after the script is not the firmware's boot file).
  assertBooted(r, ['dhcp', 'ipxe', 'kernel', 'initrd', 'config', 'checkpoint']);
  const mine = r.tftp.filter((e) => e.client?.address === r.ip && e.file?.replace(/^\//, '') === 'initramfs.cpio.gz');
  assert.equal(
    mine.map((e) => (e.type === 'transfer-started' ? { type: e.type, windowsize: e.windowsize, serverPort: e.serverPort } : { type: e.type })),
    [{ type: 'transfer-started', windowsize: 1, serverPort: 69 }, { type: 'transfer-completed' }],
  );
});

test('UEFI HTTP boot: OVMF (PXE off) fetches snponly.efi from /boot over HTTP, then iPXE -> HTTP boots from the agent', async () => {
  const r = await bootFromAgent('uefi', { uefiBoot: 'http' });
  console.log(`  UEFI HTTP boot from the agent: ${(r.bootMs / 1000).toFixed(1)} s from qemu start to checkpoint`);
  // The ROM's download from /boot is the tftp stage (the firmware's boot file), not the kernel.
  assertBooted(r, ['dhcp', 'tftp', 'ipxe', 'kernel', 'initrd', 'config', 'checkpoint']);
  assert.equal(r.tftp.filter((e) => e.client?.address === r.ip), [], 'no TFTP at all');
});

test('UEFI: OVMF PXE -> TFTP snponly.efi -> iPXE -> HTTP boots from the agent', async () => {
  const r = await bootFromAgent('uefi');
  console.log(`  UEFI boot from the agent: ${(r.bootMs / 1000).toFixed(1)} s from qemu start to checkpoint`);
  assertBooted(r, ['dhcp', 'tftp', 'ipxe', 'kernel', 'initrd', 'config', 'checkpoint']);
});

test('outage row va-to-host: the agent\'s traffic to a VM dropped mid-boot stalls that boot into boot.stalled; the agent stays ready and models keep updating', async () => {
  const row = OUTAGE_TABLE.find((r) => r.id === 'va-to-host')!;
  const prepare = async (dir: string): Promise<string[]> => {
    const config = join(dir, 'agent.yml');
    // Above the longest quiet spell of a healthy boot here (the tiny Linux starting under
    // TCG between the initrd and its config: about 5 s; 4 s stalled boots that were fine).
    writeFileSync(config, 'Agent:\n  StallTimeout: 20s\n');
    return ['--files', await tinyLinuxFiles(dir), '--config', config];
  };
  await onAgentLan('stall', {}, prepare, async ({ lan, vm, sot, startVm }) => {
    const stages = async (): Promise<Ev[]> => (await eventsOf(lan, 'boot')).filter((e) => e.mac === vm.mac);
    const qemu = startVm('bios', 'pxe');
    // iPXE has its script: from here on it fetches everything from the agent through this port.
    await until('the ipxe stage', MARKER_MS, async () => (await stages()).some((e) => e.type === 'boot.stage' && e.stage === 'ipxe'));
    // The row's fault: every frame the LAN bridge would hand this host is dropped (nftables
    // in the bridge family, on the way out of the VM's port; no sch_netem needed).
    const nft = (...args: string[]): Promise<unknown> => run('ip', ['netns', 'exec', vm.ns, 'nft', ...args]);
    await nft('add', 'table', 'bridge', 'vqtcut');
    await nft('add', 'chain', 'bridge', 'vqtcut', 'cut', '{ type filter hook forward priority 0; }');
    await nft('add', 'rule', 'bridge', 'vqtcut', 'cut', 'oifname', vm.tap, 'drop');
    const stalled = await until('boot.stalled', 60_000, async () => (await stages()).find((e) => e.type === 'boot.stalled'));
    const mine = await stages();
    // The stages of the boot that stalled: should the firmware give up later and start over
    // (a new DHCP, a new boot actor), those steps come after the stall.
    const reached = mine.filter((e) => e.type === 'boot.stage' && (e.seq ?? 0) < (stalled.seq ?? 0)).map((e) => e.stage);
    console.log(`  va-to-host: traffic cut after ${reached.join(' -> ')}; boot.stalled at ${stalled.stage}`);
    // The boot stops where the host last got to, and goes no further.
    assert.is(stalled.stage, reached.at(-1));
    assert.not.ok(reached.includes('checkpoint'));
    assert.not.ok(mine.some((e) => e.type === 'boot.done'), 'no boot.done');
    assert.not.match(qemu.serial(), MARKERS.checkpointDone);
    for (const type of row.userSees.events) assert.ok(mine.some((e) => e.type === type), `${row.id}: event ${type}`);
    // Readiness unchanged, as the row says; and a model change is still taken up.
    assert.is(row.userSees.readiness, 'unchanged');
    const ready = await run('ip', ['netns', 'exec', lan.serverNs, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:24604/ready']);
    assert.is(ready.stdout, '200');
    const updates = async (): Promise<number> => (await eventsOf(lan, 'model')).filter((e) => e.type === 'model.updated').length;
    const before = await updates();
    appendFileSync(join(sot, 'sites', 'vqt', 'hosts.yml'), '# touched after the cut\n');
    await until('model.updated', 30_000, async () => (await updates()) > before);
  });
});

/** The address came from dnsmasq; the agent's DHCP answers (proxy offers) carried none. */
function assertProxied(r: Booted): void {
  assert.match(r.dnsmasqLog, new RegExp(`DHCPACK\\(eth0\\) ${r.ip.replace(/\./g, '\\.')} ${r.mac}`));
  const answers = r.dhcp.filter((e) => e.mac === r.mac && (e.type === 'dhcp.offer' || e.type === 'dhcp.ack'));
  assert.ok(answers.length > 0, 'the agent answered');
  assert.equal(answers.filter((e) => e.ipv4 !== undefined), [], 'no address from the agent');
}

test('proxy mode beside dnsmasq: OVMF PXE takes its address from dnsmasq and its boot file from the agent, then boots from it', async () => {
  const r = await bootFromAgent('uefi', { proxy: true });
  console.log(`  UEFI PXE through the agent in proxy mode: ${(r.bootMs / 1000).toFixed(1)} s from qemu start to checkpoint`);
  assertBooted(r, ['dhcp', 'tftp', 'ipxe', 'kernel', 'initrd', 'config', 'checkpoint']);
  assertProxied(r);
});

test('proxy mode beside dnsmasq: OVMF UEFI HTTP boot takes the ROM URL from the agent\'s proxy offer', async () => {
  const r = await bootFromAgent('uefi', { uefiBoot: 'http', proxy: true });
  console.log(`  UEFI HTTP boot through the agent in proxy mode: ${(r.bootMs / 1000).toFixed(1)} s from qemu start to checkpoint`);
  assertBooted(r, ['dhcp', 'tftp', 'ipxe', 'kernel', 'initrd', 'config', 'checkpoint']);
  assertProxied(r);
  assert.equal(r.tftp.filter((e) => e.client?.address === r.ip), [], 'no TFTP at all');
});

/**
 * ARM64 UEFI firmware (AAVMF) against the agent, as far as Debian's packages go: there is no
 * arm64 iPXE to chain to, so the boot file is a stand-in of random bytes that the firmware
 * fetches whole and then cannot start. What it proves with real ARM64 firmware: option 93
 * arch 11 (PXE) and 19 (HTTP boot) get the ARM64 boot file, by TFTP or from /boot, and the
 * boot actor counts the download as the tftp stage.
 */
async function arm64Fetch(uefiBoot: 'pxe' | 'http'): Promise<{ events: Ev[]; mac: string; ip: string; size: number; ms: number }> {
  const size = 200_000;
  const prepare = async (dir: string): Promise<string[]> => {
    const roms = join(dir, 'roms');
    mkdirSync(roms);
    writeFileSync(join(roms, 'snponly-arm64.efi'), randomBytes(size));
    return ['--files', dir, '--tftp-dir', roms];
  };
  return onAgentLan(`arm64-${uefiBoot}`, {}, prepare, async ({ lan, vm, startVm }) => {
    const qemu = startVm('uefi-arm64', uefiBoot);
    // AAVMF says so on the console when the download is done (PXE, then HTTP boot's progress).
    await qemu.waitForSerial(/NBP file downloaded successfully|Downloading\.\.\.100%/, MARKER_MS);
    const ms = Date.now() - qemu.startedAt;
    await until('the boot actor at the tftp stage', 10_000, async () => (await eventsOf(lan, 'boot')).some((e) => e.type === 'boot.stage' && e.mac === vm.mac && e.stage === 'tftp'));
    const events = [...(await eventsOf(lan, 'dhcp')), ...(await eventsOf(lan, 'transfer-completed')), ...(await eventsOf(lan, 'http.file')), ...(await eventsOf(lan, 'boot'))];
    return { events, mac: vm.mac, ip: vm.ip, size, ms };
  });
}

test('ARM64 UEFI (AAVMF) PXE: arch 11 is offered snponly-arm64.efi and fetches it whole by TFTP', async () => {
  const r = await arm64Fetch('pxe');
  console.log(`  ARM64 UEFI PXE: boot file fetched ${(r.ms / 1000).toFixed(1)} s after qemu start`);
  const offer = r.events.find((e) => e.type === 'dhcp.offer' && e.mac === r.mac);
  assert.equal([offer?.arch, offer?.bootFile], [11, 'snponly-arm64.efi']);
  const done = r.events.filter((e) => e.type === 'transfer-completed' && e.client?.address === r.ip);
  assert.ok(done.some((e) => e.file?.replace(/^\//, '') === 'snponly-arm64.efi' && e.bytes === r.size), JSON.stringify(done));
  assert.equal(r.events.filter((e) => e.type === 'boot.stage' && e.mac === r.mac).map((e) => e.stage), ['dhcp', 'tftp']);
});

test('ARM64 UEFI (AAVMF) HTTP boot: arch 19 is offered /boot/snponly-arm64.efi and fetches it whole by HTTP', async () => {
  const r = await arm64Fetch('http');
  console.log(`  ARM64 UEFI HTTP boot: boot file fetched ${(r.ms / 1000).toFixed(1)} s after qemu start`);
  const offer = r.events.find((e) => e.type === 'dhcp.offer' && e.mac === r.mac);
  assert.is(offer?.arch, 19);
  assert.match(offer?.bootFile ?? '', /^http:\/\/[\d.]+:24602\/boot\/snponly-arm64\.efi$/);
  const got = r.events.filter((e) => e.type === 'http.file' && e.status === 200);
  assert.ok(got.some((e) => e.path === 'snponly-arm64.efi' && e.via === 'boot' && e.bytes === r.size), JSON.stringify(got));
  assert.equal(r.events.filter((e) => e.type === 'transfer-completed'), [], 'no TFTP at all');
  assert.equal(r.events.filter((e) => e.type === 'boot.stage' && e.mac === r.mac).map((e) => e.stage), ['dhcp', 'tftp']);
});

test.run();
