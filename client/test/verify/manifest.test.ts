import { describe, expect, it } from 'vitest';
import { Manifest } from '../../src/verify/manifest';

const h = (c: string) => c.repeat(64);

describe('Manifest', () => {
  const json = {
    version: 1, generation: 3, piece_size: 100,
    files: [
      { path: '/a.png', size: 40, sha256: h('a') },
      { path: '/big.bin', size: 250, sha256: h('b'), pieces: [h('1'), h('2'), h('3')] },
    ],
  };

  it('indexes files by path', () => {
    const m = Manifest.parse(json);
    expect(m.generation).toBe(3);
    expect(m.byPath.get('/a.png')?.size).toBe(40);
  });

  it('a small file is one whole item', () => {
    const m = Manifest.parse(json);
    expect(m.items(m.byPath.get('/a.png')!)).toEqual([{ hash: h('a'), start: 0, end: 40, whole: true }]);
  });

  it('a large file is one item per piece, the last one short', () => {
    const m = Manifest.parse(json);
    expect(m.items(m.byPath.get('/big.bin')!).map((i) => [i.hash, i.start, i.end, i.whole])).toEqual([
      [h('1'), 0, 100, false],
      [h('2'), 100, 200, false],
      [h('3'), 200, 250, false],
    ]);
  });

  it('refuses malformed manifests', () => {
    expect(() => Manifest.parse(null)).toThrow(/malformed/);
    expect(() => Manifest.parse({ ...json, piece_size: 0 })).toThrow();
    expect(() => Manifest.parse({ ...json, files: [{ path: '/x', size: 1, sha256: 'XYZ' }] })).toThrow();
    expect(() =>
      Manifest.parse({ ...json, files: [{ path: '/x', size: 250, sha256: h('c'), pieces: [h('1')] }] }),
    ).toThrow(); // wrong piece count
  });
});
