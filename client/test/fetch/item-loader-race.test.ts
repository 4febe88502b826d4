// The origin as one more source: an item goes straight to an origin that would clearly be faster
// than a peer, asks the tracker while the origin's speed is unknown or it is saturated, and a peer
// path that falls behind what the origin would do is raced by the origin (first verified copy wins,
// the other stopped).
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ItemLoader } from '../../src/fetch/item-loader';
import { OriginMeter } from '../../src/fetch/origin-meter';
import type { Budget, WantResult, Wants } from '../../src/fetch/wants';
import type { Tracker } from '../../src/signal/tracker';
import { ContentStore } from '../../src/store/content-store';
import { sha256Hex } from '../../src/verify/sha256';

const PIECE = 262_144;
const file = new Uint8Array(PIECE).map((_, i) => (i * 13) % 256);
let n = 0;

// A meter that has seen the origin deliver `bytesPerMs` (one fetch of 1 MB).
function meterAt(bytesPerMs: number): OriginMeter {
  const m = new OriginMeter();
  const t0 = Date.now();
  m.start(1_000_000);
  vi.setSystemTime(t0 + 1_000_000 / bytesPerMs);
  m.end(1_000_000, 1_000_000);
  return m;
}

// Wants that the test drives: each want's budget and a way to end it; `superseded` records the
// budgets the loader gave up on.
async function setup(meter: OriginMeter | undefined, originMs = 100) {
  const asked: Array<{ budget: Budget; end: (r: WantResult) => void }> = [];
  const superseded: Budget[] = [];
  const aborted: string[] = [];
  const origin: Array<string | null> = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    origin.push(new Headers(init.headers).get('X-Circle-Miss'));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => resolve(new Response(file)), originMs);
      init.signal?.addEventListener('abort', () => (clearTimeout(t), aborted.push(url), reject(new Error('aborted'))));
    });
  });
  const wants = {
    firstByteMs: 3_000,
    want: (_hash: string, _size: number, budget: Budget) => {
      if (budget.direct?.()) return Promise.resolve({ token: '', reason: 'origin' });
      return new Promise<WantResult>((end) => asked.push({ budget, end }));
    },
    nextFinish: (ms: number) => new Promise((r) => setTimeout(r, Math.min(ms, 1_500))),
    supersede: (b: Budget) => {
      superseded.push(b);
      asked.find((a) => a.budget === b)?.end({ fail: 'ERR_SUPERSEDED' });
    },
  } as unknown as Wants;
  const store = await ContentStore.open(`loader-race-${n++}`, 1 << 22, () => {});
  const tracker = { whenReady: async () => true } as unknown as Tracker;
  const loader = new ItemLoader(store, tracker, wants, { loaded() {}, stored() {}, liar() {}, originMismatch() {} }, meter);
  const hash = await sha256Hex(file);
  const load = () => loader.load('https://o/f.bin', { hash, start: 0, end: file.length, whole: true });
  return { load, asked, superseded, aborted, origin };
}

const settle = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms);
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('ItemLoader with the origin as a source', () => {
  it('an unsaturated origin gets the item at once, without asking the tracker', async () => {
    const { load, asked, origin } = await setup(meterAt(5_000)); // 40 Mbit/s: a piece in 52 ms
    const p = load();
    await settle(200);
    expect(await p).toMatchObject({ source: 'origin', why: 'origin' });
    expect(asked).toEqual([]);
    expect(origin).toEqual([null]); // no miss token: the tracker was not asked
  });

  it('a saturated origin (a flash crowd share) sends the item to the tracker', async () => {
    const { load, asked, origin } = await setup(meterAt(150)); // 1.2 Mbit/s: a piece in 1.7 s
    const p = load();
    await settle(0);
    expect(asked.length).toBe(1);
    asked[0].end({ bytes: file, peer: 'H' });
    expect(await p).toMatchObject({ source: 'peer', peer: 'H' });
    expect(origin).toEqual([]);
  });

  it('while the origin speed is unknown the tracker is asked, and its `fetching` is waited for', async () => {
    const { load, asked, origin } = await setup(new OriginMeter());
    const p = load();
    await settle(0);
    asked[0].end({ token: 'T', reason: 'fetching' });
    await settle(2_000);
    expect(asked.length).toBe(2); // asked again instead of going to the origin
    asked[1].budget.at = Date.now();
    asked[1].end({ bytes: file, peer: 'H' });
    expect(await p).toMatchObject({ source: 'peer' });
    expect(origin).toEqual([]);
  });

  it('bytes owed by fetches in flight count: once the origin has enough to do, the rest asks the crowd', async () => {
    const meter = meterAt(5_000);
    meter.start(4 * PIECE); // 1 MB already asked of the origin: 0.2 s of its time
    const first = await setup(meter);
    first.load();
    await settle(0);
    expect(first.asked).toEqual([]); // still straight to the origin
    meter.start(100 * PIECE); // 26 MB more: 5 s
    const second = await setup(meter);
    second.load();
    await settle(0);
    expect(second.asked.length).toBe(1);
  });

  it('a path with no first byte well after its setup is raced; the origin copy wins, the want is superseded', async () => {
    const meter = meterAt(150);
    const { load, asked, superseded, origin } = await setup(meter, 300);
    const p = load();
    await settle(0);
    asked[0].budget.at = Date.now(); // matched, then nothing
    await settle(2_500);
    expect(origin).toEqual([]); // 1.5 s late: predicted 1.5 + 1 s, less than twice the origin's 1.7 s
    await settle(1_500);
    expect(origin.length).toBe(1); // 3 s late: now behind
    await settle(400);
    expect(await p).toMatchObject({ source: 'origin', why: 'race' });
    expect(superseded).toEqual([asked[0].budget]);
  });

  it('a path delivering faster than the origin is not raced', async () => {
    const { load, asked, origin } = await setup(meterAt(150));
    const p = load();
    await settle(0);
    const b = asked[0].budget;
    b.at = Date.now();
    await settle(800);
    b.first = Date.now();
    for (let i = 1; i <= 8; i++) {
      await settle(125);
      b.got = i * 32_768; // 262 bytes per ms
    }
    asked[0].end({ bytes: file, peer: 'H' });
    expect(await p).toMatchObject({ source: 'peer' });
    expect(origin).toEqual([]);
  });

  it('a slow path is raced, and when the peer still wins the origin fetch is aborted', async () => {
    const { load, asked, aborted, superseded } = await setup(meterAt(200), 2_000); // a piece in 1.3 s
    const p = load();
    await settle(0);
    const b = asked[0].budget;
    b.at = b.first = Date.now();
    b.got = 16_384;
    await settle(500); // 33 bytes per ms: 7.5 s left against the origin's 1.3 s: raced
    expect(aborted).toEqual([]);
    asked[0].end({ bytes: file, peer: 'H' });
    expect(await p).toMatchObject({ source: 'peer' });
    expect(aborted).toEqual(['https://o/f.bin']);
    expect(superseded).toEqual([]);
  });

  it('a path that fails while the origin copy is on its way waits for that copy', async () => {
    const { load, asked, origin } = await setup(meterAt(200), 1_000);
    const p = load();
    await settle(0);
    const b = asked[0].budget;
    b.at = b.first = Date.now();
    b.got = 1_000;
    await settle(300); // raced
    asked[0].end({ fail: 'ERR_PEER_GONE' });
    await settle(1_000);
    expect(await p).toMatchObject({ source: 'origin', why: 'race' });
    expect(origin.length).toBe(1); // not fetched a second time
  });

  it('without a meter (preferPeers) the origin is only the fallback: no direct fetch, no race', async () => {
    const { load, asked, origin } = await setup(undefined);
    const p = load();
    await settle(0);
    asked[0].budget.at = Date.now();
    await settle(7_000);
    expect(origin).toEqual([]);
    asked[0].end({ bytes: file, peer: 'H' });
    expect(await p).toMatchObject({ source: 'peer' });
  });
});

describe('ItemLoader, a file in pieces', () => {
  const big = new Uint8Array(3 * PIECE + 1000).map((_, i) => (i * 31) % 253);

  async function pieces() {
    const items = [];
    for (let s = 0; s < big.length; s += PIECE) {
      const end = Math.min(big.length, s + PIECE);
      items.push({ hash: await sha256Hex(big.subarray(s, end)), start: s, end, whole: false });
    }
    return items;
  }

  async function loaderWith(meter: OriginMeter, body = big) {
    const ranges: Array<string | null> = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      const range = new Headers(init.headers).get('Range');
      ranges.push(range);
      const [, a, b] = /bytes=(\d+)-(\d+)/.exec(range!)!.map(Number);
      return new Response(body.slice(a, b + 1), { status: 206 });
    });
    const asked: Budget[] = [];
    const wants = {
      firstByteMs: 3_000,
      want: async (_h: string, _s: number, budget: Budget) => (asked.push(budget), { token: 't', reason: 'no_holder' }),
      nextFinish: async () => {},
      supersede: () => {},
    } as unknown as Wants;
    const store = await ContentStore.open(`loader-pieces-${n++}`, 1 << 23, () => {});
    const tracker = { whenReady: async () => true } as unknown as Tracker;
    const mismatched: string[] = [];
    const hooks = { loaded() {}, stored() {}, liar() {}, originMismatch: (h: string) => mismatched.push(h) };
    return { loader: new ItemLoader(store, tracker, wants, hooks, meter), ranges, asked, mismatched };
  }

  it('an unsaturated origin sends the whole file in one request; each piece is checked', async () => {
    const { loader, ranges, asked, mismatched } = await loaderWith(meterAt(5_000), big.map((x, i) => (i === 5 ? x ^ 1 : x)));
    const items = await pieces();
    const got = await loader.loadAll('https://o/big.bin', items);
    expect(ranges).toEqual([`bytes=0-${big.length - 1}`]);
    expect(asked).toEqual([]);
    expect(got.every((g) => g.source === 'origin')).toBe(true);
    expect(mismatched).toEqual([items[0].hash]); // the altered byte is in piece 0, and only there
  });

  it('otherwise each piece asks the tracker and gets its own Range', async () => {
    const { loader, ranges, asked } = await loaderWith(meterAt(150));
    const items = await pieces();
    await loader.loadAll('https://o/big.bin', items, 0);
    // The 1,000-byte tail goes straight to the origin even so: small items cost less there than a
    // peer path's setup.
    expect(asked.length).toBe(items.length - 1);
    expect(ranges.sort()).toEqual(items.map((i) => `bytes=${i.start}-${i.end - 1}`).sort());
  });
});

describe('ItemLoader, storing', () => {
  it('what the origin sent straight away is stored once the loads are over', async () => {
    vi.useRealTimers();
    const a = new Uint8Array(1000).fill(1);
    const b = new Uint8Array(2000).fill(2);
    vi.stubGlobal('fetch', (url: string) =>
      new Promise((r) => setTimeout(() => r(new Response(url.endsWith('a') ? a : b)), url.endsWith('a') ? 10 : 300)));
    const wants = { firstByteMs: 3_000, want: async () => ({ token: '', reason: 'origin' }) } as unknown as Wants;
    const store = await ContentStore.open(`loader-store-${n++}`, 1 << 20, () => {});
    const stored: string[] = [];
    const hooks = { loaded() {}, stored: (h: string) => stored.push(h), liar() {}, originMismatch() {} };
    const meter = new OriginMeter();
    meter.start(0);
    await new Promise((r) => setTimeout(r, 5));
    meter.end(0, 1_000_000); // fast
    const loader = new ItemLoader(store, { whenReady: async () => true } as unknown as Tracker, wants, hooks, meter);
    const item = async (x: Uint8Array) => ({ hash: await sha256Hex(x), start: 0, end: x.length, whole: true });
    const [ia, ib] = [await item(a), await item(b)];
    const pb = loader.load('https://o/b', ib);
    expect(await loader.load('https://o/a', ia)).toMatchObject({ source: 'origin', why: 'origin' });
    await new Promise((r) => setTimeout(r, 50));
    expect(store.has(ia.hash)).toBe(false); // b is still loading
    await pb;
    await new Promise((r) => setTimeout(r, 50));
    expect(stored.sort()).toEqual([ia.hash, ib.hash].sort());
  });
});

describe('ItemLoader in a crowd', () => {
  it('after a `fetching` miss nothing goes straight to the origin for 30 s, however fast it looks', async () => {
    const meter = new OriginMeter();
    const { load, asked, origin } = await setup(meter);
    const p = load();
    await settle(0);
    asked[0].end({ token: 'T', reason: 'fetching' }); // another visitor is fetching it: a crowd
    meter.start(1_000_000);
    vi.setSystemTime(Date.now() + 100);
    meter.end(1_000_000, 1_000_000); // and the origin now looks fast (10,000 bytes per ms)
    await settle(1_500);
    expect(asked.length).toBe(2); // asked the tracker again, not the origin
    asked[1].end({ bytes: file, peer: 'H' });
    expect(await p).toMatchObject({ source: 'peer' });
    expect(origin).toEqual([]);
  });
});
