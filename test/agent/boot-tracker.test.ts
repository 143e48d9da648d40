// The boot tracker's repeat coalescing, seen in how many steps each boot actor
// was told: a repeated stage within the window is not told; a new stage and a
// repeat after the window are; an unknown host gets no actor. And where a
// download goes: the firmware's boot file, the kernel, the initrds, by TFTP or
// HTTP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BootStep } from '../../src/agent/boot-steps.ts';
import { BootTracker } from '../../src/agent/boot-tracker.ts';
import type { AgentEvent } from '../../src/agent/event-log.ts';
import { startRoot } from '../../src/supervisors/root.ts';
import { supervisorSpec } from '../../src/supervisors/supervisor.ts';
import { until } from '../helpers/until.ts';
import { captureLogger } from '../supervisors/support.ts';

const MAC = '52:54:00:00:10:01';

async function setup(stallAfterMs: number, macOf: (ip: string) => string | undefined = () => undefined): Promise<{ tracker: BootTracker; events: AgentEvent[]; stop(): Promise<void> }> {
  const root = await startRoot(supervisorSpec({ name: 'boot-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [] }), {
    logger: captureLogger().logger,
    onFatal: (e) => assert.unreachable(`unexpected fatal: ${e.message}`),
  });
  const events: AgentEvent[] = [];
  const tracker = new BootTracker({
    sup: root,
    hostOf: (mac) => (mac === MAC ? 'worker-1' : undefined),
    macOf,
    emit: (e) => events.push(e),
    stallAfterMs,
  });
  return { tracker, events, stop: () => root.stop() };
}

const dhcp = { mac: MAC, stage: 'dhcp' as const, starts: true, detail: 'undionly.kpxe' };

test('a repeat within the window is not told; a new stage is; an unknown host or an address with no MAC gets nothing', async () => {
  const t = await setup(600_000);
  try {
    await t.tracker.observe(dhcp);
    assert.equal(t.tracker.active(), [{ mac: MAC, stage: 'dhcp', steps: 1 }]);
    await t.tracker.observe(dhcp);
    await t.tracker.observe({ ...dhcp, detail: 'other' });
    assert.equal(t.tracker.active(), [{ mac: MAC, stage: 'dhcp', steps: 1 }]);
    await t.tracker.observe({ mac: MAC, stage: 'tftp', starts: true, detail: 'undionly.kpxe' });
    assert.equal(t.tracker.active(), [{ mac: MAC, stage: 'tftp', steps: 2 }]);
    // An earlier stage is a repeat too.
    await t.tracker.observe(dhcp);
    await t.tracker.observe({ ip: '10.0.0.11', stage: 'file', starts: false });
    await t.tracker.observe({ ...dhcp, mac: '52:54:00:99:99:99' });
    assert.equal(t.tracker.active(), [{ mac: MAC, stage: 'tftp', steps: 2 }]);
    await until('both stages reported', 5_000, () => t.events.filter((e) => e.type === 'boot.stage').length === 2);
    assert.equal(t.events.map((e) => [e.type, e.stage]), [['boot.stage', 'dhcp'], ['boot.stage', 'tftp']]);
  } finally {
    await t.stop();
  }
});

test('the window is a tenth of the stall timeout when that is shorter: a repeat after it is told again', async () => {
  const t = await setup(1000);
  try {
    await t.tracker.observe(dhcp);
    await t.tracker.observe(dhcp);
    assert.equal(t.tracker.active(), [{ mac: MAC, stage: 'dhcp', steps: 1 }]);
    // After 100 ms a repeat must reach the actor again (it moves the stall deadline of 1 s).
    await until('a repeat after the window told', 800, async () => {
      await t.tracker.observe(dhcp);
      return t.tracker.active()[0]?.steps === 2;
    });
    await t.tracker.observe(dhcp);
    assert.equal(t.tracker.active(), [{ mac: MAC, stage: 'dhcp', steps: 2 }]);
  } finally {
    await t.stop();
  }
});

const IP = '10.0.0.21';

/** Observes `steps` for MAC (TFTP and /files by address) and asserts the stages its actor reported. */
async function expectStages(steps: BootStep[], stages: string[]): Promise<void> {
  const t = await setup(600_000, (ip) => (ip === IP ? MAC : undefined));
  const reported = (): string[] => t.events.filter((e) => e.type === 'boot.stage').map((e) => String(e.stage));
  try {
    // Then the checkpoint, which ends the boot: the actor handles its mailbox in order, so
    // once boot.done is out every stage the steps made has been reported.
    for (const s of [...steps, { mac: MAC, stage: 'checkpoint' as const, starts: false }]) await t.tracker.observe(s);
    await until('boot.done', 5_000, () => t.events.some((e) => e.type === 'boot.done'));
    assert.equal(reported(), [...stages, 'checkpoint']);
  } finally {
    await t.stop();
  }
}

const tftp = (file: string): BootStep => ({ ip: IP, stage: 'file', via: 'tftp', starts: true, detail: file });
const http = (path: string): BootStep => ({ ip: IP, stage: 'file', via: 'http', starts: false, detail: path });
const ipxe: BootStep = { mac: MAC, stage: 'ipxe', starts: true, detail: 'install' };

test('PXE: the boot file by TFTP is the tftp stage; after the script a TFTP download is the kernel, then initrds', async () => {
  await expectStages(
    [{ ...dhcp, detail: 'snponly.efi' }, tftp('/snponly.efi'), tftp('snponly.efi'), { ...dhcp, detail: 'http://{server}:24602/ipxe' }, ipxe, tftp('/vmlinuz'), http('initrd.img'), tftp('/extra.cpio')],
    ['dhcp', 'tftp', 'ipxe', 'kernel', 'initrd'],
  );
});

test('UEFI HTTP boot: the boot file fetched from /files is the tftp stage, not the kernel', async () => {
  await expectStages(
    [{ ...dhcp, detail: 'http://10.0.0.1:24602/boot/snponly.efi' }, http('snponly.efi'), { ...dhcp, detail: 'http://10.0.0.1:24602/ipxe' }, ipxe, http('vmlinuz'), http('initrd.img')],
    ['dhcp', 'tftp', 'ipxe', 'kernel', 'initrd'],
  );
});

test('a TFTP download before the script with no DHCP seen (another name, a size probe) is the tftp stage', async () => {
  await expectStages([tftp('pxelinux.0'), tftp('pxelinux.cfg/default'), ipxe, http('vmlinuz')], ['tftp', 'ipxe', 'kernel']);
});

test.run();
