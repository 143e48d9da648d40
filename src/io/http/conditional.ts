// Validators and conditional requests (RFC 9110 sections 8.8 and 13) for
// files: an ETag from size and mtime, If-None-Match before If-Modified-Since,
// and If-Range deciding whether a Range is honoured.

/** Strong: a file rewritten in place changes its mtime, and If-Range needs a strong validator. */
export function etagOf(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/** HTTP dates have whole seconds. */
function seconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function listHas(header: string, etag: string, weak: boolean): boolean {
  const opaque = (t: string) => (weak && t.startsWith('W/') ? t.slice(2) : t);
  for (const raw of header.split(',')) {
    const t = raw.trim();
    if (t === '*') return true;
    if (!weak && t.startsWith('W/')) continue;
    if (opaque(t) === opaque(etag)) return true;
  }
  return false;
}

export interface Validators {
  etag: string;
  mtimeMs: number;
}

/** True when a GET or HEAD should be answered 304 Not Modified. */
export function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, v: Validators): boolean {
  // If-None-Match wins: If-Modified-Since is not even looked at when it is present (RFC 9110 13.1.3).
  if (ifNoneMatch !== undefined) return listHas(ifNoneMatch, v.etag, true);
  const ims = ifModifiedSince;
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && seconds(v.mtimeMs) <= since;
}

/** True when the Range may be served: no If-Range, or it names the current file (strong comparison). */
export function rangeAllowed(ifRange: string | undefined, v: Validators): boolean {
  if (ifRange === undefined) return true;
  const t = ifRange.trim();
  if (t.startsWith('"') || t.startsWith('W/')) return listHas(t, v.etag, false) && t !== '*';
  const date = Date.parse(t);
  return !Number.isNaN(date) && date === seconds(v.mtimeMs);
}
