// qemu machines that network-boot from a tap inside a test namespace, under
// TCG: /dev/kvm exists here but SeaBIOS and OVMF die under KVM with
// "emulation failure" (notes/test-environment.md). Firmware output and the
// booted kernel's console go to a serial log file that tests poll.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { TestNetwork, type Spawned } from './netns.ts';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';
/** ARM64 UEFI (EDK2's ArmVirtQemu, Debian's qemu-efi-aarch64), for qemu-system-aarch64's `virt` machine. */
export const AAVMF_CODE = '/usr/share/AAVMF/AAVMF_CODE.fd';
export const AAVMF_VARS = '/usr/share/AAVMF/AAVMF_VARS.fd';

export interface BootVmOptions {
  /** Namespace holding the tap; qemu runs inside it. */
  ns: string;
  tap: string;
  mac: string;
  /**
   * bios: SeaBIOS + qemu's iPXE NIC ROM (ipxe-qemu). uefi: OVMF's own PXE (NIC ROM removed),
   * virtio-net only. uefi-arm64: AAVMF on qemu-system-aarch64's `virt` machine (Cortex-A57),
   * its own PXE the same way.
   */
  firmware: 'bios' | 'uefi' | 'uefi-arm64';
  /** File the serial console is written to (created or truncated); UEFI also writes <serialLog>.VARS.fd. */
  serialLog: string;
  /** qemu is killed after this long, whatever state it is in. */
  timeoutMs: number;
  /**
   * How UEFI boots from the network: its PXE (default), or UEFI HTTP boot alone (PXE
   * switched off through EDK2's fw_cfg knobs, so HTTPv4 is the first network boot option).
   */
  uefiBoot?: 'pxe' | 'http';
  /** NIC model; default virtio. e1000 is for BIOS only (OVMF ships no e1000 driver). */
  nic?: 'virtio' | 'e1000';
  /** Memory in MiB; default 256 (the tiny Linux needs about 100). */
  memoryMb?: number;
  /** Registers qemu with this network so its cleanup kills it; default a registry private to this module. */
  net?: TestNetwork;
}

export interface Vm {
  pid: number;
  /** Date.now() when qemu was started. */
  startedAt: number;
  /** The serial log so far. */
  serial(): string;
  /** The first match of `re` in the serial log, polling for up to `deadlineMs` ms from now; rejects at once if qemu exits first. */
  waitForSerial(re: RegExp, deadlineMs: number): Promise<RegExpMatchArray>;
  /** Resolves when qemu exits (a poweroff in the guest ends it: -no-reboot); rejects after `deadlineMs`. */
  waitForExit(deadlineMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the timeoutMs kill has fired. */
  timedOut(): boolean;
  kill(): Promise<void>;
}

let registry: TestNetwork | undefined;

/** How often the serial log is re-read: a boot prints a marker every few seconds, so 100 ms costs nothing and adds little latency. */
const POLL_MS = 100;

export function bootVm(opts: BootVmOptions): Vm {
  const nic = opts.nic ?? 'virtio';
  const uefi = opts.firmware !== 'bios';
  const arm64 = opts.firmware === 'uefi-arm64';
  if (uefi && nic !== 'virtio') throw new Error('UEFI (OVMF, AAVMF) boots from virtio-net only');
  const args = [
    '-accel', 'tcg',
    ...(arm64 ? ['-machine', 'virt', '-cpu', 'cortex-a57'] : ['-machine', 'pc']),
    '-m', String(opts.memoryMb ?? 256),
    '-smp', '1',
    '-nodefaults', '-no-user-config',
    '-display', 'none',
    '-monitor', 'none',
    '-serial', `file:${opts.serialLog}`,
    // A guest reboot (kernel panic, iPXE giving up) ends the run instead of looping.
    '-no-reboot',
    '-netdev', `tap,id=net0,ifname=${opts.tap},script=no,downscript=no`,
    // UEFI: no option ROM. qemu's efi-virtio.rom carries an iPXE EFI driver that OVMF would boot
    // straight away (measured: the first DISCOVER already says iPXE); without it OVMF's own
    // VirtioNetDxe does real firmware PXE and TFTP, the path real UEFI machines take.
    '-device', `${nic === 'virtio' ? 'virtio-net-pci' : 'e1000'},netdev=net0,mac=${opts.mac}${uefi ? ',romfile=' : ''}`,
    // AAVMF has no disk to try first and ignores -boot: it goes to the network by itself.
    ...(arm64 ? [] : ['-boot', 'n']),
  ];
  if (uefi) {
    const [code, varsTemplate, pkg] = arm64 ? [AAVMF_CODE, AAVMF_VARS, 'qemu-efi-aarch64 qemu-system-arm'] : [OVMF_CODE, OVMF_VARS, 'ovmf'];
    for (const f of [code, varsTemplate]) if (!existsSync(f)) throw new Error(`${f} missing: apt-get install ${pkg}`);
    // The firmware writes its variables (boot entries) into this copy, one per VM, beside the serial log.
    const vars = `${opts.serialLog}.VARS.fd`;
    copyFileSync(varsTemplate, vars);
    args.push(
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${code}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${vars}`,
    );
    if (opts.uefiBoot === 'http') {
      for (const knob of ['IPv4PXESupport', 'IPv6PXESupport']) args.push('-fw_cfg', `name=opt/org.tianocore/${knob},string=n`);
    }
  }
  const startedAt = Date.now();
  const proc: Spawned = (opts.net ?? (registry ??= new TestNetwork())).spawn(opts.ns, arm64 ? 'qemu-system-aarch64' : 'qemu-system-x86_64', args);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.kill(1000);
  }, opts.timeoutMs);
  timer.unref();
  let done = false;
  void proc.exited.then(() => {
    done = true;
    clearTimeout(timer);
  });

  const serial = (): string => {
    try {
      return readFileSync(opts.serialLog, 'latin1');
    } catch {
      return '';
    }
  };
  const why = (): string => `qemu pid ${proc.pid}${timedOut ? ' (killed at timeoutMs)' : ''}; qemu said: ${proc.output().trim() || '(nothing)'}\nserial log ${opts.serialLog}, last 3000 chars:\n${serial().slice(-3000)}`;

  return {
    pid: proc.pid,
    startedAt,
    serial,
    timedOut: () => timedOut,
    waitForSerial: (re, deadlineMs) =>
      new Promise((resolve, reject) => {
        const until = Date.now() + deadlineMs;
        const poll = (): void => {
          // Read before looking at `done`: the last lines land just before qemu exits.
          const exitedBefore = done;
          const m = re.exec(serial());
          if (m !== null) resolve(m);
          else if (exitedBefore) reject(new Error(`qemu exited before the serial log matched ${re}: ${why()}`));
          else if (Date.now() >= until) reject(new Error(`serial log did not match ${re} within ${deadlineMs} ms: ${why()}`));
          else setTimeout(poll, POLL_MS);
        };
        poll();
      }),
    waitForExit: (deadlineMs) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`qemu still running after ${deadlineMs} ms: ${why()}`)), deadlineMs);
        void proc.exited.then((r) => {
          clearTimeout(t);
          resolve(r);
        });
      }),
    kill: async () => {
      clearTimeout(timer);
      await proc.kill(1000);
    },
  };
}
