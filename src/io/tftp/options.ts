// Option negotiation for a read request (RFC 2347, 2348, 2349, 7440): which
// requested options the server honours, with what values. Pure.

import type { TftpOptions } from './packet.ts';

export interface OptionLimits {
  /** Largest blksize granted; RFC 2348 caps it at 65464. */
  maxBlksize: number;
  /** Largest windowsize granted (RFC 7440 allows up to 65535). */
  maxWindowsize: number;
}

export interface Negotiated {
  /** Bytes per DATA block; 512 unless blksize was granted (RFC 1350). */
  blksize: number;
  /** Blocks sent before waiting for an ACK; 1 (lockstep) unless windowsize was granted. */
  windowsize: number;
  /** Retransmission timeout in ms when the client's `timeout` option was granted. */
  timeoutMs?: number;
  /** Options for the OACK, in request order; empty means no OACK is sent. */
  oack: Array<[string, string]>;
  /** Requested options that were not granted, with the reason (for the debug log). */
  ignored: Array<{ name: string; value: string; reason: string }>;
}

const MIN_BLKSIZE = 8; // RFC 2348 section 2
const MAX_BLKSIZE = 65464; // RFC 2348 section 2
const MAX_WINDOWSIZE = 65535; // RFC 7440 section 3

function parseDecimal(value: string): number | null {
  // Digits only: RFC 2347 option values are ASCII decimal for these options; reject "1e3", "0x10", " 8".
  if (!/^[0-9]{1,10}$/.test(value)) return null;
  return Number(value);
}

/** Records an option left out of the OACK, and why (a function of the module, not a closure made per option). */
function ignore(out: Negotiated, name: string, value: string, reason: string): void {
  out.ignored.push({ name, value, reason });
}

/**
 * Decides the options of one RRQ. `size` is the number of bytes the transfer will send
 * (after netascii conversion). An option with a bad value is ignored, not refused: the
 * transfer still runs with RFC 1350 defaults for it, and the OACK leaves it out (RFC 2347:
 * only honoured options are acknowledged).
 */
export function negotiate(requested: TftpOptions, size: number, limits: OptionLimits): Negotiated {
  const out: Negotiated = { blksize: 512, windowsize: 1, oack: [], ignored: [] };
  const seen = new Set<string>();
  for (const [name, value] of requested) {
    if (seen.has(name)) {
      ignore(out, name, value, 'repeated option');
      continue;
    }
    seen.add(name);
    const n = parseDecimal(value);
    switch (name) {
      case 'blksize':
        if (n === null || n < MIN_BLKSIZE) {
          ignore(out, name, value, `blksize must be an integer >= ${MIN_BLKSIZE}`);
        } else {
          // RFC 2348: the server may answer with a smaller size than asked for.
          out.blksize = Math.min(n, limits.maxBlksize, MAX_BLKSIZE);
          out.oack.push([name, String(out.blksize)]);
        }
        break;
      case 'windowsize':
        if (n === null || n < 1) {
          ignore(out, name, value, 'windowsize must be an integer >= 1');
        } else {
          // RFC 7440 section 3: the server may answer with a smaller window.
          out.windowsize = Math.min(n, limits.maxWindowsize, MAX_WINDOWSIZE);
          out.oack.push([name, String(out.windowsize)]);
        }
        break;
      case 'timeout':
        // RFC 2349 section 2: 1..255 seconds, and the OACK must echo the client's value.
        if (n === null || n < 1 || n > 255) {
          ignore(out, name, value, 'timeout must be 1..255 seconds');
        } else {
          out.timeoutMs = n * 1000;
          out.oack.push([name, String(n)]);
        }
        break;
      case 'tsize':
        // RFC 2349 section 4: an RRQ carries 0 and the OACK carries the real size. A non-zero
        // value in an RRQ is meaningless; answering the real size is still what the client wants.
        if (n === null) ignore(out, name, value, 'tsize must be an integer');
        // curl (7.88) fails a transfer whose OACK says tsize 0; leaving the option out
        // for an empty file costs other clients nothing.
        else if (size === 0) ignore(out, name, value, 'empty file: tsize 0 is refused by curl');
        else out.oack.push([name, String(size)]);
        break;
      default:
        ignore(out, name, value, 'unknown option');
    }
  }
  return out;
}
