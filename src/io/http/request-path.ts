// Splits a raw request target into path and query, and turns the part of a
// /files path after the prefix into confined path segments. The path is never
// given to WHATWG URL, which would resolve `..` and `%2e%2e` before we could
// refuse them.

/** `rawQuery` keeps its leading `?` (or is empty), to be passed on to a CDN as it came. */
export function splitTarget(target: string): { path: string; query: URLSearchParams; rawQuery: string } {
  // Clients do not send fragments, but one that does must not leak into a query value.
  const hash = target.indexOf('#');
  const raw = hash === -1 ? target : target.slice(0, hash);
  const q = raw.indexOf('?');
  const rawQuery = q === -1 ? '' : raw.slice(q);
  return { path: q === -1 ? raw : raw.slice(0, q), query: new URLSearchParams(rawQuery), rawQuery };
}

export type RefusalReason = 'bad-encoding' | 'nul' | 'dot-dot' | 'absolute';

export type FilePath = { ok: true; segments: string[] } | { ok: false; reason: RefusalReason };

/**
 * Decodes once (so `%252e` stays the literal `%2e`), then refuses NUL, a
 * leading `/` (an absolute path after the prefix) and any `..` segment rather
 * than resolving it; empty and `.` segments are dropped. An empty result is
 * the folder itself, which the caller answers with 404 (no listings).
 */
export function filePath(rawRest: string): FilePath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawRest);
  } catch {
    return { ok: false, reason: 'bad-encoding' };
  }
  if (decoded.includes('\0')) return { ok: false, reason: 'nul' };
  if (decoded.startsWith('/')) return { ok: false, reason: 'absolute' };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, reason: 'dot-dot' };
  return { ok: true, segments };
}

/** One path segment (a MAC in /config/<mac>), decoded; undefined when it does not decode. */
export function decodeSegment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
