// Socket addresses as people write them: a dual-stack socket reports IPv4
// peers as `::ffff:10.0.0.5`, which is the same host as `10.0.0.5`.

export function plainAddress(a: string | undefined): string {
  if (a === undefined) return '';
  return a.toLowerCase().startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
