// Golden DHCP request packets, written out byte by byte as the clients send
// them (layouts from iPXE's and EDK2's DHCP code, RFC 2131 figure 1).

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
}

function ascii(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}

function header(opts: { xid: string; secs?: string; flags?: string; ciaddr?: string; giaddr?: string; hops?: string; chaddr: string }): string {
  return [
    `01 01 06 ${opts.hops ?? '00'}`, // op BOOTREQUEST, htype ethernet, hlen 6, hops
    opts.xid,
    opts.secs ?? '0000',
    opts.flags ?? '0000',
    opts.ciaddr ?? '00000000',
    '00000000', // yiaddr
    '00000000', // siaddr
    opts.giaddr ?? '00000000',
    opts.chaddr + '00'.repeat(10),
    '00'.repeat(64), // sname
    '00'.repeat(128), // file
    '63825363', // magic cookie
  ].join('');
}

/** iPXE (BIOS, qemu's NIC ROM) DISCOVER: option 77 "iPXE", 175 feature list, arch 0. */
export const IPXE_DISCOVER = hex(`
  ${header({ xid: 'a1b2c3d4', secs: '0004', chaddr: '525400123456' })}
  35 01 01                      # 53 DISCOVER
  39 02 05c0                    # 57 max message size 1472
  5d 02 0000                    # 93 arch 0 (BIOS)
  5e 03 010201                  # 94 UNDI 2.1
  3c 20 ${ascii('PXEClient:Arch:00000:UNDI:002001')}
  4d 04 ${ascii('iPXE')}        # 77 user class, iPXE's bare form
  37 17 01 03 06 07 0c 0f 11 1a 2b 3c 42 43 77 80 81 82 83 84 85 86 87 af cb
  af 18 b1 05 01 10ec 8139      # 175: 177 bus id
        eb 03 01 00 00          #      235 version 1.0.0
        17 01 01 15 01 01 13 01 01 10 01 02  # 23 dns, 21 https, 19 http, 16 pxeext
  3d 07 01 525400123456         # 61 client id
  61 11 00 0011223344556677 8899aabbccddeeff  # 97 UUID
  ff
`);

/** OVMF (EDK2) UEFI PXE DISCOVER, arch 7, padded like EDK2 does. */
export const OVMF_DISCOVER = hex(`
  ${header({ xid: '0badcafe', flags: '8000', chaddr: '525400abcdef' })}
  35 01 01                      # 53 DISCOVER
  39 02 05c0                    # 57 max message size 1472
  37 23 01 02 03 04 05 06 0c 0d 0f 11 12 16 17 1c 28 29 2a 2b 32 33 36 3a 3b 3c 42 43 61 80 81 82 83 84 85 86 87
  61 11 00 8c4df7a1 1b2c 4d3e 9f00 aabbccddeeff  # 97 UUID
  5e 03 010300                  # 94 UNDI 3.0
  5d 02 0007                    # 93 arch 7 (EFI BC)
  3c 20 ${ascii('PXEClient:Arch:00007:UNDI:003000')}
  ff
  ${'00'.repeat(16)}
`);

/** A REQUEST relayed by a relay agent at 10.20.0.1: hops 1, giaddr set, option 82 last. */
export const RELAYED_REQUEST = hex(`
  ${header({ xid: '00c0ffee', hops: '01', giaddr: '0a140001', chaddr: '020000000042' })}
  35 01 03                      # 53 REQUEST
  36 04 0a000001                # 54 server id 10.0.0.1
  32 04 0a140032                # 50 requested 10.20.0.50
  37 04 01 03 06 0f             # 55
  52 12 01 06 ${ascii('eth0/1')}  # 82: circuit id "eth0/1"
        02 08 0011223344556677  #     remote id
  ff
`);

export { hex, header };
