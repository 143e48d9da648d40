// IPv4/IPv6 address and CIDR arithmetic the model needs: parse, contains,
// netmask. IPv4 is kept as an unsigned 32-bit number.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr4 {
  network: number;
  prefix: number;
  mask: number;
}

export function parseIPv4(s: string): number | undefined {
  if (!isIPv4(s)) return undefined;
  const parts = s.split('.');
  let n = 0;
  for (const p of parts) n = n * 256 + Number(p);
  return n >>> 0;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}


/** Parses `a.b.c.d/len`; host bits may be set (as Go's net.ParseCIDR allows). */
export function parseCidr4(s: string): Cidr4 | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(s.trim());
  if (!m) return undefined;
  const addr = parseIPv4(m[1] as string);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (addr & mask) >>> 0, prefix, mask };
}

export function cidrContains(c: Cidr4, addr: number): boolean {
  return ((addr & c.mask) >>> 0) === c.network;
}

export function netmaskOf(c: Cidr4): string {
  return formatIPv4(c.mask);
}
