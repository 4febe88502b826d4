// Choosing among srcset candidates without the browser fetching any: the smallest candidate
// whose density covers the device pixel ratio (width descriptors against the slot), else the largest.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSrcset, pickCandidate } from '../../src/dom/srcset';

afterEach(() => vi.unstubAllGlobals());

describe('srcset', () => {
  it('parses URLs with w and x descriptors, x = 1 by default', () => {
    expect(parseSrcset('a.png 100w, b.png 400w,c.png 1600w')).toEqual([
      { url: 'a.png', w: 100, x: 1 }, { url: 'b.png', w: 400, x: 1 }, { url: 'c.png', w: 1600, x: 1 },
    ]);
    expect(parseSrcset('a.png, b.png 2x, c.png 1.5x')).toEqual([{ url: 'a.png', x: 1 }, { url: 'b.png', x: 2 }, { url: 'c.png', x: 1.5 }]);
  });

  it('x descriptors: the smallest at or above the device pixel ratio, else the largest', () => {
    const list = parseSrcset('a.png 1x, b.png 2x, c.png 3x');
    expect(pickCandidate(list, null, 1)).toBe('a.png');
    expect(pickCandidate(list, null, 1.5)).toBe('b.png');
    expect(pickCandidate(list, null, 4)).toBe('c.png');
  });

  it('w descriptors: against the viewport\'s width when there is no sizes', () => {
    vi.stubGlobal('innerWidth', 300);
    const list = parseSrcset('s.png 100w, m.png 400w, l.png 1600w');
    expect(pickCandidate(list, null, 1)).toBe('m.png');
    expect(pickCandidate(list, null, 2)).toBe('l.png');
    vi.stubGlobal('innerWidth', 2000);
    expect(pickCandidate(list, null, 1)).toBe('l.png');
  });

  it('w descriptors: the first sizes entry whose media matches sets the slot', () => {
    vi.stubGlobal('matchMedia', (q: string) => ({ matches: q === '(min-width: 10px)' }));
    // The browser measures the length; here a stand-in element reports the px value it was given.
    vi.stubGlobal('document', {
      body: { append() {} },
      createElement: () => {
        const el = { style: { cssText: '' }, remove() {}, getBoundingClientRect: () => ({ width: parseFloat(/width:(\d+)px/.exec(el.style.cssText)?.[1] ?? '0') }) };
        return el;
      },
    });
    const list = parseSrcset('s.png 100w, m.png 400w, l.png 1600w');
    expect(pickCandidate(list, '(min-width: 9999px) 1500px, (min-width: 10px) 90px, 800px', 1)).toBe('s.png');
    expect(pickCandidate(list, '(min-width: 9999px) 1500px, 350px', 1)).toBe('m.png');
  });
});
