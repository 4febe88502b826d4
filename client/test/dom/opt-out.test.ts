import { afterEach, describe, expect, it, vi } from 'vitest';
import { VISITOR_OPT_OUT_KEY, optOutReason, setVisitorOptOut } from '../../src/dom/opt-out';

function browser(connection?: object) {
  const items = new Map<string, string>();
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => items.set(k, v),
    removeItem: (k: string) => items.delete(k),
  });
  vi.stubGlobal('navigator', { connection });
  return items;
}

afterEach(() => vi.unstubAllGlobals());

describe('optOutReason', () => {
  it('takes part by default', () => {
    browser({ saveData: false, effectiveType: '4g' });
    expect(optOutReason(true)).toBeNull();
  });

  it('honours the operator switch', () => {
    browser();
    expect(optOutReason(false)).toBe('operator');
  });

  it('honours the visitor switch, kept across page loads', () => {
    const items = browser();
    setVisitorOptOut(true);
    expect(items.get(VISITOR_OPT_OUT_KEY)).toBe('1');
    expect(optOutReason(true)).toBe('visitor');
    setVisitorOptOut(false);
    expect(optOutReason(true)).toBeNull();
  });

  it('honours Save-Data and a metered connection', () => {
    browser({ saveData: true });
    expect(optOutReason(true)).toBe('save-data');
    browser({ metered: true });
    expect(optOutReason(true)).toBe('metered');
    browser({ type: 'cellular' });
    expect(optOutReason(true)).toBe('metered');
  });

  it('works where localStorage throws (blocked storage)', () => {
    vi.stubGlobal('localStorage', { getItem: () => { throw new Error('denied'); } });
    vi.stubGlobal('navigator', {});
    expect(optOutReason(true)).toBeNull();
  });
});
