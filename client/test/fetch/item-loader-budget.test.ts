// The loader's time bound on failing peer paths: every path of an item shares the deadline its
// first match set (connect + first-byte budget), a failed path leads to another holder only while
// a first-byte budget of it is left, and then to the origin at once.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ItemLoader } from '../../src/fetch/item-loader';
import type { Budget, WantResult, Wants } from '../../src/fetch/wants';
import type { Tracker } from '../../src/signal/tracker';
import { ContentStore } from '../../src/store/content-store';
import { sha256Hex } from '../../src/verify/sha256';

const file = new Uint8Array(500).map((_, i) => (i * 7) % 256);
const BUDGET_MS = 5_000 + 3_000;
let n = 0;

// A scripted crowd on a clock that moves only when a path or a wait takes time. Each step says
// how long the attempt takes and how it ends; as in Wants, the first match sets the item's
// deadline and a failing path ends at it at the latest (wants-budget.test.ts checks that part).
async function setup(steps: Array<{ ms: number; matched?: boolean; r: WantResult }>) {
  let t = 1_000_000;
  vi.spyOn(Date, 'now').mockImplementation(() => t);
  const origin: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => (origin.push(url), new Response(file)));
  const wants = {
    firstByteMs: 3_000,
    want: async (_hash: string, _size: number, budget: Budget) => {
      const s = steps.shift() ?? { ms: 0, r: { fail: 'ERR_DEADLINE' } };
      if (s.matched !== false) budget.until ??= t + BUDGET_MS;
      t += s.ms;
      if ('fail' in s.r && budget.until) t = Math.min(t, budget.until);
      return s.r;
    },
    nextFinish: async (ms: number) => void (t += Math.min(ms, 1_500)),
  } as unknown as Wants;
  const store = await ContentStore.open(`loader-budget-${n++}`, 1 << 20, () => {});
  const tracker = { whenReady: async () => true } as unknown as Tracker;
  const loader = new ItemLoader(store, tracker, wants, { loaded() {}, stored() {}, liar() {}, originMismatch() {} });
  const hash = await sha256Hex(file);
  const load = () => loader.load('http://o/f.bin', { hash, start: 0, end: file.length, whole: true });
  return { load, origin, elapsed: () => t - 1_000_000, left: () => steps.length };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('ItemLoader time bound', () => {
  it('after a path that used its whole budget, goes to the origin at once', async () => {
    const { load, origin, elapsed, left } = await setup([
      { ms: BUDGET_MS, r: { fail: 'ERR_DEADLINE' } },
      { ms: 0, r: { bytes: file, peer: 'never asked' } },
    ]);
    expect(await load()).toMatchObject({ source: 'origin', why: 'ERR_DEADLINE' });
    expect(origin.length).toBe(1);
    expect(left()).toBe(1);
    expect(elapsed()).toBe(BUDGET_MS);
  });

  it('after a connection that failed at its connect budget, goes to the origin (3 s left is not enough)', async () => {
    const { load, left } = await setup([
      { ms: 5_000, r: { fail: 'ERR_CONNECT_FAILED' } },
      { ms: 0, r: { bytes: file, peer: 'never asked' } },
    ]);
    expect(await load()).toMatchObject({ source: 'origin', why: 'ERR_CONNECT_FAILED' });
    expect(left()).toBe(1);
  });

  it('a path that failed fast leaves time for another holder', async () => {
    const { load, origin } = await setup([
      { ms: 300, r: { fail: 'ERR_PEER_GONE' } },
      { ms: 200, r: { bytes: file, peer: 'B' } },
    ]);
    expect(await load()).toMatchObject({ source: 'peer', peer: 'B' });
    expect(origin).toEqual([]);
  });

  it('a tracker that does not answer sends the item to the origin at once', async () => {
    const { load, left } = await setup([
      { ms: 5_000, matched: false, r: { fail: 'ERR_TRACKER_SILENT' } },
      { ms: 0, r: { bytes: file, peer: 'never asked' } },
    ]);
    expect(await load()).toMatchObject({ source: 'origin', why: 'ERR_TRACKER_SILENT' });
    expect(left()).toBe(1);
  });

  it('after a failed path, waiting for a fetching visitor is cut to the item deadline', async () => {
    const fetching = Array.from({ length: 30 }, () => ({ ms: 0, r: { token: 'T', reason: 'fetching' } as WantResult }));
    const { load, elapsed } = await setup([{ ms: 1_000, r: { fail: 'ERR_HOLDER_ABORT' } }, ...fetching]);
    expect(await load()).toMatchObject({ source: 'origin', why: 'fetching' });
    expect(elapsed()).toBeLessThanOrEqual(BUDGET_MS); // not the 12 s a fetching wait may take otherwise
  });

  it('after a failed path, stops waiting for a busy holder while a first-byte budget is still left', async () => {
    const busy = Array.from({ length: 3 }, () => ({ ms: 0, r: { token: 'T', reason: 'all_busy' } as WantResult }));
    const { load, elapsed, left } = await setup([
      { ms: 4_000, r: { fail: 'ERR_PEER_GONE' } },
      ...busy,
      { ms: 0, r: { bytes: file, peer: 'matched with no time left' } },
    ]);
    expect(await load()).toMatchObject({ source: 'origin', why: 'all_busy' });
    expect(elapsed()).toBe(BUDGET_MS - 3_000); // never asked again with less than 3 s left
    expect(left()).toBe(2);
  });

  it('however its paths fail, an item goes to the origin within the budget of its first match', async () => {
    const kinds: WantResult[] = [{ fail: 'ERR_CONNECT_FAILED' }, { fail: 'ERR_DEADLINE' }, { fail: 'ERR_PEER_GONE' }, { fail: 'ERR_HOLDER_ABORT' }, { fail: 'ERR_CANCELLED' }];
    for (const [i, a] of kinds.entries())
      for (const b of kinds) {
        const { load, elapsed } = await setup([
          { ms: 400 * (i + 1), r: a },
          { ms: 4_000, r: b },
          { ms: 4_000, r: a },
        ]);
        expect(await load()).toMatchObject({ source: 'origin' });
        expect(elapsed()).toBeLessThanOrEqual(BUDGET_MS);
        vi.restoreAllMocks();
      }
  });
});
