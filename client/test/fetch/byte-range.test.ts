import { describe, expect, it } from 'vitest';
import { parseRange, UNSATISFIABLE } from '../../src/fetch/byte-range';

describe('parseRange', () => {
  it('reads a-b, a- and -n, clamped to the file', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 100 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 1000 });
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 1000 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 1000 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 1000 });
    expect(parseRange(' Bytes = 5 - 5 ', 1000)).toEqual({ start: 5, end: 6 });
  });
  it('a range starting past the end, or an empty suffix, is unsatisfiable', () => {
    expect(parseRange('bytes=1000-', 1000)).toBe(UNSATISFIABLE);
    expect(parseRange('bytes=2000-3000', 1000)).toBe(UNSATISFIABLE);
    expect(parseRange('bytes=-0', 1000)).toBe(UNSATISFIABLE);
    expect(parseRange('bytes=0-', 0)).toBe(UNSATISFIABLE);
  });
  it('ignores what it does not serve: no header, several ranges, other units, malformed', () => {
    for (const h of [null, '', 'bytes=0-1,5-9', 'items=0-1', 'bytes=9-1', 'bytes=-', 'bytes=a-b']) expect(parseRange(h, 1000)).toBe(null);
  });
});
