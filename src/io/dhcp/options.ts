// DHCPv4 option tables: which option codes the codec types, and how each is
// laid out on the wire (RFC 2132 unless noted). Pure data plus small helpers.

export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type MessageTypeName = keyof typeof MessageType;

export function messageTypeName(n: number | undefined): MessageTypeName | undefined {
  for (const [name, code] of Object.entries(MessageType)) if (code === n) return name as MessageTypeName;
  return undefined;
}

export const Opt = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  HOSTNAME: 12,
  DOMAIN_NAME: 15,
  BROADCAST: 28,
  NTP: 42,
  VENDOR_SPECIFIC: 43,
  REQUESTED_ADDRESS: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  VENDOR_CLASS_ID: 60,
  CLIENT_ID: 61,
  TFTP_SERVER_NAME: 66,
  BOOTFILE_NAME: 67,
  USER_CLASS: 77,
  RELAY_AGENT_INFO: 82,
  CLIENT_ARCH: 93,
  CLIENT_NDI: 94,
  CLIENT_MACHINE_ID: 97,
  IPXE_ENCAP: 175,
  END: 255,
} as const;

/** A sub-option inside an encapsulating option (82, 175), or an option we do not type. */
export interface RawOption {
  code: number;
  data: Buffer;
}

/** Option 77 (RFC 3004): a list of length-prefixed classes, or iPXE's bare "iPXE". */
export interface UserClass {
  rfc3004: boolean;
  classes: string[];
}

/** Option 97 (RFC 4578 2.3): type 0 followed by a 16-byte GUID, kept in wire order. */
export interface ClientMachineId {
  type: number;
  id: string;
}

/** Option 94 (RFC 4578 2.2): network interface type (1 = UNDI) and its version. */
export interface ClientNdi {
  type: number;
  major: number;
  minor: number;
}

/** The options the codec types. Absent keys mean the option was not in the packet. */
export interface DhcpOptions {
  subnetMask?: string;
  routers?: string[];
  dnsServers?: string[];
  hostname?: string;
  domainName?: string;
  broadcastAddress?: string;
  ntpServers?: string[];
  vendorSpecific?: Buffer;
  requestedAddress?: string;
  leaseTime?: number;
  messageType?: number;
  serverId?: string;
  parameterRequestList?: number[];
  message?: string;
  maxMessageSize?: number;
  vendorClassId?: string;
  clientId?: Buffer;
  tftpServerName?: string;
  bootfileName?: string;
  userClass?: UserClass;
  relayAgentInfo?: RawOption[];
  clientArch?: number[];
  clientNdi?: ClientNdi;
  clientMachineId?: ClientMachineId;
  ipxe?: RawOption[];
  /** Options without a typed field, in packet order; custom options from the model go here too. */
  other?: RawOption[];
}

export type TypedOptionField = Exclude<keyof DhcpOptions, 'other'>;

export type OptionKind =
  | 'ip'
  | 'ips'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'string'
  | 'bytes'
  | 'u8list'
  | 'u16list'
  | 'userClass'
  | 'subOptions'
  | 'machineId'
  | 'ndi';

export interface OptionSpec {
  code: number;
  field: TypedOptionField;
  kind: OptionKind;
}

const spec = (code: number, field: TypedOptionField, kind: OptionKind): OptionSpec => ({ code, field, kind });

/** Typed options in the default emission order (ascending code). */
export const OPTION_SPECS: readonly OptionSpec[] = [
  spec(Opt.SUBNET_MASK, 'subnetMask', 'ip'),
  spec(Opt.ROUTER, 'routers', 'ips'),
  spec(Opt.DNS, 'dnsServers', 'ips'),
  spec(Opt.HOSTNAME, 'hostname', 'string'),
  spec(Opt.DOMAIN_NAME, 'domainName', 'string'),
  spec(Opt.BROADCAST, 'broadcastAddress', 'ip'),
  spec(Opt.NTP, 'ntpServers', 'ips'),
  spec(Opt.VENDOR_SPECIFIC, 'vendorSpecific', 'bytes'),
  spec(Opt.REQUESTED_ADDRESS, 'requestedAddress', 'ip'),
  spec(Opt.LEASE_TIME, 'leaseTime', 'u32'),
  spec(Opt.MESSAGE_TYPE, 'messageType', 'u8'),
  spec(Opt.SERVER_ID, 'serverId', 'ip'),
  spec(Opt.PARAMETER_REQUEST_LIST, 'parameterRequestList', 'u8list'),
  spec(Opt.MESSAGE, 'message', 'string'),
  spec(Opt.MAX_MESSAGE_SIZE, 'maxMessageSize', 'u16'),
  spec(Opt.VENDOR_CLASS_ID, 'vendorClassId', 'string'),
  spec(Opt.CLIENT_ID, 'clientId', 'bytes'),
  spec(Opt.TFTP_SERVER_NAME, 'tftpServerName', 'string'),
  spec(Opt.BOOTFILE_NAME, 'bootfileName', 'string'),
  spec(Opt.USER_CLASS, 'userClass', 'userClass'),
  spec(Opt.RELAY_AGENT_INFO, 'relayAgentInfo', 'subOptions'),
  spec(Opt.CLIENT_ARCH, 'clientArch', 'u16list'),
  spec(Opt.CLIENT_NDI, 'clientNdi', 'ndi'),
  spec(Opt.CLIENT_MACHINE_ID, 'clientMachineId', 'machineId'),
  spec(Opt.IPXE_ENCAP, 'ipxe', 'subOptions'),
];

export const SPEC_BY_CODE: ReadonlyMap<number, OptionSpec> = new Map(OPTION_SPECS.map((s) => [s.code, s]));
export const SPEC_BY_FIELD: ReadonlyMap<TypedOptionField, OptionSpec> = new Map(OPTION_SPECS.map((s) => [s.field, s]));

/** RFC 4578 2.1 / IANA "Processor Architecture Types" values the policy knows. */
export const Arch = {
  BIOS: 0,
  EFI_IA32: 6,
  EFI_BC: 7,
  EFI_X64: 9,
  EFI_ARM64: 11,
  EFI_X64_HTTP: 16,
  EFI_ARM64_HTTP: 19,
} as const;

/** iPXE's encapsulated option 175 sub-option 176: skip waiting for proxyDHCP offers. */
export const IPXE_NO_PXEDHCP = 176;

export const BOOTP_BROADCAST_FLAG = 0x8000;

// ---- IPv4 helpers ------------------------------------------------------

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/** Dotted quad to bytes; callers validate with isIPv4 first (programmer error otherwise). */
export function ipToBytes(ip: string): Buffer {
  if (!isIPv4(ip)) throw new Error(`not an IPv4 address: ${ip}`);
  return Buffer.from(ip.split('.').map(Number));
}

export function bytesToIp(b: Buffer, offset = 0): string {
  return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
}

export function ipToInt(ip: string): number {
  return ipToBytes(ip).readUInt32BE(0);
}

/** No buffer in between: the DHCP fast path calls this per packet. */
export function intToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export interface Cidr {
  network: string;
  prefix: number;
  mask: string;
  broadcast: string;
}

/** Parse `a.b.c.d/n`; undefined when it is not one. */
export function parseCidr(cidr: string): Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m || !isIPv4(m[1] ?? '')) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (ipToInt(m[1] ?? '') & mask) >>> 0;
  return { network: intToIp(net), prefix, mask: intToIp(mask), broadcast: intToIp((net | ~mask) >>> 0) };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  if (!isIPv4(ip)) return false;
  return ((ipToInt(ip) & ipToInt(cidr.mask)) >>> 0) === ipToInt(cidr.network);
}

// ---- sub-options (RFC 3046 2.0, iPXE 175) ------------------------------

/** Parse code/length/data triples; undefined when one runs past the end. Pad and end are skipped. */
export function parseSubOptions(data: Buffer): RawOption[] | undefined {
  const out: RawOption[] = [];
  let i = 0;
  while (i < data.length) {
    const code = data[i] ?? 0;
    if (code === Opt.PAD) {
      i += 1;
      continue;
    }
    if (code === Opt.END) break;
    const len = data[i + 1];
    if (len === undefined || i + 2 + len > data.length) return undefined;
    out.push({ code, data: Buffer.from(data.subarray(i + 2, i + 2 + len)) });
    i += 2 + len;
  }
  return out;
}

export function encodeSubOptions(subs: readonly RawOption[]): Buffer {
  return Buffer.concat(subs.map((s) => Buffer.concat([Buffer.from([s.code, s.data.length]), s.data])));
}
