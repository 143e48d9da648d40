// MAC addresses: hosts are identified by MAC, written in the model as
// `00:00:00:00:00:01` (any case, `:` or `-`), normalised to lower-case colons.

const MAC = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** Already in normal form: the common case (iPXE sends `${net0/mac}` this way), answered without rebuilding the string. */
const NORMAL = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

export function normalizeMac(s: string): string | undefined {
  if (NORMAL.test(s)) return s;
  const t = s.trim();
  if (!MAC.test(t)) return undefined;
  const hex = t.replace(/[:-]/g, '').toLowerCase();
  return hex.match(/../g)!.join(':');
}
