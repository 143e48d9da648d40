// The Range request header (RFC 9110 section 14) for one byte range:
// `bytes=a-b`, `a-`, `-n`. Several ranges are not served as multipart: the
// header is ignored and the whole file sent, which RFC 9110 14.2 allows and
// which no boot loader needs.

export type RangeResult =
  | { kind: 'none' }
  /** Inclusive byte positions. */
  | { kind: 'range'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'none' };
  const eq = header.indexOf('=');
  // Another unit, or no unit: ignored (RFC 9110 14.2).
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'none' };
  const specs = header.slice(eq + 1).split(',');
  if (specs.length !== 1) return { kind: 'none' };
  const m = SPEC.exec(specs[0]!.trim());
  if (!m) return { kind: 'none' };
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return { kind: 'none' };
  if (a === '') {
    // Suffix range: the last n bytes; of an empty file, or zero of them, none can be given.
    const n = Number(b);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Number(b);
  // last < first makes the spec invalid, so the header is ignored rather than refused.
  if (b !== '' && end < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end: Math.min(end, size - 1) };
}
