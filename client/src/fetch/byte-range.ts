// The one `Range: bytes=...` form cdn.fetch answers with 206: a single range (`a-b`, `a-`, `-n`).
// Several ranges, other units or a malformed header are ignored (a 200 with the whole file, as
// RFC 9110 allows); a range that starts past the end is unsatisfiable (416).
export interface ByteRange {
  start: number; // first byte
  end: number; // one past the last byte
}

export const UNSATISFIABLE = 'unsatisfiable';

export function parseRange(header: string | null, size: number): ByteRange | typeof UNSATISFIABLE | null {
  const m = header && /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]); // the last n bytes
    return n > 0 && size > 0 ? { start: Math.max(0, size - n), end: size } : UNSATISFIABLE;
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (last < start) return null; // malformed: ignored
  return start < size ? { start, end: Math.min(last + 1, size) } : UNSATISFIABLE;
}
