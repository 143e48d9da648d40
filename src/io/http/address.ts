// Socket addresses as people write them: a dual-stack socket reports IPv4
// peers as `::ffff:10.0.0.5`, which is the same host as `10.0.0.5`.

export function plainAddress(a: string | undefined): string {
  if (a === undefined) return '';
  // Checked by hand: this runs for every request and event, and most addresses are plain IPv4.
  if (a.charCodeAt(0) !== 58 /* : */ || a.length < 8) return a;
  return a.slice(0, 7).toLowerCase() === '::ffff:' && a.includes('.') ? a.slice(7) : a;
}
