// netascii encoding for mode "netascii" (RFC 1350 section 1, RFC 764): what
// tftp-hpa's server sends, so its client turns it back into the original file.

const CR = 0x0d;
const LF = 0x0a;

/** LF becomes CR LF and a bare CR becomes CR NUL (RFC 764: CR must be followed by LF or NUL). */
export function toNetascii(input: Buffer): Buffer {
  let extra = 0;
  for (const b of input) if (b === LF || b === CR) extra++;
  if (extra === 0) return input;
  const out = Buffer.allocUnsafe(input.length + extra);
  let j = 0;
  for (const b of input) {
    if (b === LF) {
      out[j++] = CR;
      out[j++] = LF;
    } else if (b === CR) {
      out[j++] = CR;
      out[j++] = 0;
    } else {
      out[j++] = b;
    }
  }
  return out;
}
