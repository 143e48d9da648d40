// Encoder for the model's custom `dhcp_options` (env.yml subnets): turns
// {option, type, value} into wire bytes, or a clear error naming the option.
// Types are Vaquero's documented ones (data-model reference, env.subnet.dhcp_options):
// string, uint8, uint16, uint32, int8, int16, int32, addresses (comma-separated),
// base64; plus ip, ips, bool, hex and bytes.

import { type RawOption, isIPv4, ipToBytes } from './options.ts';

export const CUSTOM_OPTION_TYPES = [
  'string',
  'uint8',
  'uint16',
  'uint32',
  'int8',
  'int16',
  'int32',
  'addresses',
  'base64',
  'ip',
  'ips',
  'bool',
  'hex',
  'bytes',
] as const;
export type CustomOptionType = (typeof CUSTOM_OPTION_TYPES)[number];

/** One `dhcp_options` entry as the model holds it (`option` in YAML is `code` here). */
export interface CustomOption {
  code: number;
  type: string;
  value: unknown;
}

export type CustomOptionResult =
  | { ok: true; option: RawOption }
  | { ok: false; error: { code: 'VQ_ERR_DHCP_OPTION'; message: string } };

const INT_RANGES: Record<string, { bytes: 1 | 2 | 4; min: number; max: number; signed: boolean }> = {
  uint8: { bytes: 1, min: 0, max: 0xff, signed: false },
  uint16: { bytes: 2, min: 0, max: 0xffff, signed: false },
  uint32: { bytes: 4, min: 0, max: 0xffffffff, signed: false },
  int8: { bytes: 1, min: -0x80, max: 0x7f, signed: true },
  int16: { bytes: 2, min: -0x8000, max: 0x7fff, signed: true },
  int32: { bytes: 4, min: -0x80000000, max: 0x7fffffff, signed: true },
};

// Codes the codec or the policy own: custom values there would break the exchange.
const RESERVED = new Set([0, 52, 53, 54, 55, 57, 82, 255]);

function toInteger(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

function addressList(v: unknown): string[] | undefined {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : undefined;
  if (!items || items.length === 0) return undefined;
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string' || !isIPv4(item.trim())) return undefined;
    out.push(item.trim());
  }
  return out;
}

function encodeValue(type: string, v: unknown): Buffer | string {
  const range = INT_RANGES[type];
  if (range) {
    const n = toInteger(v);
    if (n === undefined) return `expects an integer, got ${JSON.stringify(v)}`;
    if (n < range.min || n > range.max) return `${n} is out of range for ${type} (${range.min}..${range.max})`;
    const b = Buffer.alloc(range.bytes);
    if (range.signed) b.writeIntBE(n, 0, range.bytes);
    else b.writeUIntBE(n, 0, range.bytes);
    return b;
  }
  switch (type) {
    case 'string':
      if (typeof v !== 'string' && typeof v !== 'number') return `expects a string, got ${JSON.stringify(v)}`;
      if (String(v).length === 0) return 'expects a non-empty string';
      return Buffer.from(String(v), 'utf8');
    case 'ip':
      if (typeof v !== 'string' || !isIPv4(v.trim())) return `expects one IPv4 address, got ${JSON.stringify(v)}`;
      return ipToBytes(v.trim());
    case 'ips':
    case 'addresses': {
      const list = addressList(v);
      if (!list) return `expects IPv4 addresses (comma-separated or a list), got ${JSON.stringify(v)}`;
      return Buffer.concat(list.map(ipToBytes));
    }
    case 'bool':
      if (v === true || v === 'true' || v === 1) return Buffer.from([1]);
      if (v === false || v === 'false' || v === 0) return Buffer.from([0]);
      return `expects true or false, got ${JSON.stringify(v)}`;
    case 'hex':
    case 'bytes': {
      const s = typeof v === 'string' ? v.replace(/[\s:-]/g, '').replace(/^0x/i, '') : undefined;
      if (s === undefined || s.length === 0 || s.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(s)) {
        return `expects hex bytes like "01:af:ff" or "01afff", got ${JSON.stringify(v)}`;
      }
      return Buffer.from(s, 'hex');
    }
    case 'base64': {
      const s = typeof v === 'string' ? v.trim() : undefined;
      if (s === undefined || s.length === 0 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) {
        return `expects base64, got ${JSON.stringify(v)}`;
      }
      return Buffer.from(s, 'base64');
    }
    default:
      return `unknown type "${type}" (one of ${CUSTOM_OPTION_TYPES.join(', ')})`;
  }
}

/** Encode one model option; the error message names the option code and what is wrong. */
export function encodeCustomOption(o: CustomOption): CustomOptionResult {
  const bad = (why: string): CustomOptionResult => ({
    ok: false,
    error: { code: 'VQ_ERR_DHCP_OPTION', message: `dhcp_options option ${o.code} (${o.type}): ${why}` },
  });
  if (!Number.isInteger(o.code) || o.code < 1 || o.code > 254) return bad('option code must be 1..254');
  if (RESERVED.has(o.code)) return bad('this option is set by the DHCP service and cannot be overridden');
  const data = encodeValue(o.type, o.value);
  if (typeof data === 'string') return bad(data);
  return { ok: true, option: { code: o.code, data } };
}
