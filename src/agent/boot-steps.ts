// Which boot step a service event is, pure: the DHCP, TFTP and HTTP services
// report what they served; this names the host (by MAC, or by the address
// the model gave it) and the stage. Only firmware-side steps start tracking a
// boot: DHCP from a PXE or iPXE client (option 93 present), a TFTP transfer,
// an iPXE script. The booted OS's own DHCP renewals never start one, so a
// finished host does not later "stall".
import type { BootStage } from '../actors/boot.ts';
import type { DhcpEvent } from '../io/dhcp/events.ts';
import type { HttpEvent } from '../io/http/events.ts';
import type { TftpEvent } from '../io/tftp/events.ts';

export interface BootStep {
  mac?: string;
  /** When the service only knows the client's address. */
  ip?: string;
  /**
   * `file` is a download, TFTP or /files, that the tracker places (boot-tracker.ts): the
   * boot file DHCP gave the host, or any TFTP download before iPXE, is `tftp`; after that
   * the first is the kernel and the later ones initrds.
   */
  stage: BootStage | 'file';
  /** Which service a `file` came from. */
  via?: 'tftp' | 'http';
  /** May create a boot actor for a host that has none. */
  starts: boolean;
  detail?: string;
}

export function bootStepOf(e: DhcpEvent | TftpEvent | HttpEvent): BootStep | undefined {
  switch (e.type) {
    case 'dhcp.offer':
    case 'dhcp.ack':
      if (!e.mac) return undefined;
      return { mac: e.mac, stage: 'dhcp', starts: e.arch !== undefined, ...(e.bootFile ? { detail: e.bootFile } : {}) };
    case 'transfer-completed':
      return { ip: e.client.address, stage: 'file', via: 'tftp', starts: true, detail: e.file };
    case 'http.ipxe':
      return { mac: e.mac, stage: 'ipxe', starts: true, detail: e.boot };
    case 'http.file':
      if (e.status !== 200 && e.status !== 206) return undefined;
      return { ip: e.remote, stage: 'file', via: 'http', starts: false, detail: e.path };
    case 'http.config':
      return { mac: e.mac, stage: 'config', starts: false, detail: e.boot };
    case 'boot.checkpoint':
      return { mac: e.mac, stage: 'checkpoint', starts: false, ...(e.boot ? { detail: e.boot } : {}) };
    default:
      return undefined;
  }
}
