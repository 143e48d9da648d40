// Who gets what boot file: the client's architecture (option 93, RFC 4578
// 2.1) and whether it is already iPXE (option 77 or 175) pick the file or URL.

import type { DhcpOptions } from './options.ts';
import { Arch } from './options.ts';

/** Boot file names; TFTP names are relative to the TFTP root, HTTP paths to the asset server. */
export interface BootFiles {
  /** x86 BIOS PXE (arch 0, or no option 93), by TFTP. Default `undionly.kpxe`. */
  bios: string;
  /** x86-64 UEFI PXE (arch 7 and 9), by TFTP. Default `snponly.efi`; `ipxe.efi` for NICs without SNP. */
  efiX64: string;
  /** ARM64 UEFI PXE (arch 11), by TFTP. Default `snponly-arm64.efi`. */
  efiArm64: string;
  /**
   * x86-64 UEFI HTTP boot (arch 16): path on the asset server. Default `/boot/snponly.efi`,
   * the PXE file, which the agent serves from the TFTP folders. (Debian's `ipxe.efi` is a
   * symlink out of /usr/lib/ipxe, which confinement refuses.)
   */
  httpX64: string;
  /** ARM64 UEFI HTTP boot (arch 19): path on the asset server. Default `/boot/snponly-arm64.efi`, the PXE file. Either may be a URL instead. */
  httpArm64: string;
  /** The discovery script an iPXE client chains to. Default `/ipxe`. */
  ipxeScript: string;
}

export const DEFAULT_BOOT_FILES: Readonly<BootFiles> = {
  bios: 'undionly.kpxe',
  efiX64: 'snponly.efi',
  efiArm64: 'snponly-arm64.efi',
  httpX64: '/boot/snponly.efi',
  httpArm64: '/boot/snponly-arm64.efi',
  ipxeScript: '/ipxe',
};

export type BootChoice =
  | { kind: 'tftp'; file: string; arch: number }
  | { kind: 'http'; file: string; arch: number }
  | { kind: 'ipxe'; file: string; arch: number }
  | { kind: 'none'; arch: number };

export function isIpxe(o: DhcpOptions): boolean {
  return o.ipxe !== undefined || (o.userClass?.classes.includes('iPXE') ?? false);
}

export function isPxeClient(o: DhcpOptions): boolean {
  return o.vendorClassId?.startsWith('PXEClient') ?? false;
}

/** UEFI HTTP boot firmware (UEFI 2.5+ 24.7: vendor class `HTTPClient:Arch:xxxxx...`). */
export function isHttpBootClient(o: DhcpOptions): boolean {
  return o.vendorClassId?.startsWith('HTTPClient') ?? false;
}

/** `path` on the asset server at `base`; a URL of its own (an HTTP boot file elsewhere) as it is. */
function join(base: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

export function chooseBootFile(o: DhcpOptions, files: BootFiles, httpBase: string): BootChoice {
  // A client without option 93 is a legacy BIOS PXE ROM or a plain DHCP client (RFC 4578 2.1).
  const arch = o.clientArch?.[0] ?? Arch.BIOS;
  if (isIpxe(o)) return { kind: 'ipxe', file: join(httpBase, files.ipxeScript), arch };
  switch (arch) {
    case Arch.BIOS:
      return { kind: 'tftp', file: files.bios, arch };
    case Arch.EFI_BC:
    case Arch.EFI_X64:
      return { kind: 'tftp', file: files.efiX64, arch };
    case Arch.EFI_ARM64:
      return { kind: 'tftp', file: files.efiArm64, arch };
    case Arch.EFI_X64_HTTP:
      return { kind: 'http', file: join(httpBase, files.httpX64), arch };
    case Arch.EFI_ARM64_HTTP:
      return { kind: 'http', file: join(httpBase, files.httpArm64), arch };
    default:
      return { kind: 'none', arch };
  }
}
