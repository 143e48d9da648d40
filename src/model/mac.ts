// MAC addresses: hosts are identified by MAC, written in the model as
// `00:00:00:00:00:01` (any case, `:` or `-`), normalised to lower-case colons.

const MAC = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

export function normalizeMac(s: string): string | undefined {
  const t = s.trim();
  if (!MAC.test(t)) return undefined;
  const hex = t.replace(/[:-]/g, '').toLowerCase();
  return hex.match(/../g)!.join(':');
}
