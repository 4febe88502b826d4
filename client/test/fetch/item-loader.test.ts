import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ItemLoader, type Loaded } from '../../src/fetch/item-loader';
import type { WantResult, Wants } from '../../src/fetch/wants';
import type { Tracker } from '../../src/signal/tracker';
import { ContentStore } from '../../src/store/content-store';
import type { Item } from '../../src/verify/manifest';
import { sha256Hex } from '../../src/verify/sha256';

const file = new Uint8Array(1000).map((_, i) => (i * 13) % 256);
let n = 0;

// A clock that only moves when the loader waits (nextFinish): deadlines without real time.
function fakeClock() {
  let t = 1_000_000;
  vi.spyOn(Date, 'now').mockImplementation(() => t);
  return { now: () => t - 1_000_000, advance: (ms: number) => (t += ms) };
}

async function setup(results: WantResult[], ready = true, clock?: ReturnType<typeof fakeClock>) {
  const store = await ContentStore.open(`loader-${n++}`, 1 << 20, () => {});
  const tracker = { whenReady: async () => ready } as unknown as Tracker;
  const wanted: string[] = [];
  const wants = {
    firstByteMs: 3_000,
    want: async (hash: string) => (wanted.push(hash), results.shift() ?? { fail: 'ERR_DEADLINE' }),
    nextFinish: async (ms: number) => void clock?.advance(Math.min(ms, 1_500)),
  } as unknown as Wants;
  const events: string[] = [];
  const loader = new ItemLoader(store, tracker, wants, {
    loaded: (_item, got: Loaded) => events.push(`${got.source}${got.why ? ':' + got.why : ''}`),
    stored: (hash) => events.push(`stored ${hash.slice(0, 4)}`),
    liar: (peer) => events.push(`liar ${peer}`),
    originMismatch: () => events.push('mismatch'),
  });
  return { store, loader, wanted, events, wants: wants as unknown as Pick<Wants, 'want' | 'nextFinish'> };
}

function mockOrigin() {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: { headers: Record<string, string> }) => {
    calls.push({ url, headers: init.headers });
    const range = /bytes=(\d+)-(\d+)/.exec(init.headers.Range ?? '');
    const body = range ? file.slice(+range[1], +range[2] + 1) : file;
    return new Response(body, { status: range ? 206 : 200 });
  });
  return calls;
}
const settle = () => new Promise((r) => setTimeout(r, 20));
// Storing runs after the load resolves: wait for it by its effect, not by a fixed time.
async function until(cond: () => boolean) {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('ItemLoader', () => {
  it('takes verified peer bytes, stores and announces them', async () => {
    const hash = await sha256Hex(file);
    const { loader, store, events } = await setup([{ bytes: file, peer: 'H' }]);
    const got = await loader.load('http://o/f.bin', { hash, start: 0, end: 1000, whole: true });
    expect(got.source).toBe('peer');
    await until(() => events.length === 2);
    expect(events).toEqual(['peer', `stored ${hash.slice(0, 4)}`]);
    expect(await store.get(hash)).toEqual(file);
  });

  it('a load that does not keep (a large file\'s share) uses verified bytes without storing them', async () => {
    const hash = await sha256Hex(file);
    const { loader, store, events } = await setup([{ bytes: file, peer: 'H' }]);
    const got = await loader.load('http://o/f.bin', { hash, start: 0, end: 1000, whole: true }, undefined, false);
    expect(got.bytes).toEqual(file);
    await settle();
    expect(events).toEqual(['peer']);
    expect(store.has(hash)).toBe(false);
  });

  it('serves from the store without asking anyone', async () => {
    const hash = await sha256Hex(file);
    const { loader, store, wanted } = await setup([]);
    await store.put(hash, file);
    expect((await loader.load('http://o/f.bin', { hash, start: 0, end: 1000, whole: true })).source).toBe('store');
    expect(wanted).toEqual([]);
  });

  it('on a miss fetches one piece from the origin with the token and a Range', async () => {
    const piece = file.slice(500, 1000);
    const hash = await sha256Hex(piece);
    const calls = mockOrigin();
    const { loader, events } = await setup([{ token: 'TOK', reason: 'no_holder' }]);
    const item: Item = { hash, start: 500, end: 1000, whole: false };
    const got = await loader.load('http://o/f.bin', item);
    expect(got.bytes).toEqual(piece);
    expect(calls[0].headers).toEqual({ 'X-Circle-Library': '1', 'X-Circle-Miss': 'TOK', Range: 'bytes=500-999' });
    await settle();
    expect(events[0]).toBe('origin:no_holder');
  });

  it('after a liar asks again, then falls back to the origin', async () => {
    const hash = await sha256Hex(file);
    mockOrigin();
    const { loader, wanted, events } = await setup([{ liar: 'L' }, { fail: 'ERR_PEER_GONE' }, { fail: 'ERR_DEADLINE' }]);
    const got = await loader.load('http://o/f.bin', { hash, start: 0, end: 1000, whole: true });
    expect(got).toMatchObject({ source: 'origin', why: 'ERR_DEADLINE' });
    expect(got.bytes).toEqual(file);
    expect(wanted.length).toBe(3);
    expect(events[0]).toBe('liar L');
  });

  it('keeps asking while every holder is busy', async () => {
    const hash = await sha256Hex(file);
    const { loader, wanted } = await setup([
      { token: 'T1', reason: 'all_busy' },
      { token: 'T2', reason: 'all_busy' },
      { bytes: file, peer: 'H' },
    ]);
    expect((await loader.load('http://o/f.bin', { hash, start: 0, end: 1000, whole: true })).source).toBe('peer');
    expect(wanted.length).toBe(3);
  });

  it('waits for a visitor who is fetching the item from the origin (flash crowd)', async () => {
    const hash = await sha256Hex(file);
    const { loader, wanted } = await setup([
      { token: 'T1', reason: 'fetching' },
      { bytes: file, peer: 'F' },
    ]);
    const got = await loader.load('http://o/f.bin', { hash, start: 0, end: 1000, whole: true });
    expect(got).toMatchObject({ source: 'peer', peer: 'F' });
    expect(wanted.length).toBe(2);
  });

  it('asks for a file\'s items from its own starting item on and returns them in file order', async () => {
    const pieces = [0, 1, 2, 3].map((i) => file.slice(i * 250, (i + 1) * 250));
    const hashes = await Promise.all(pieces.map(sha256Hex));
    const { loader, wanted, wants } = await setup([]);
    const peerHas = new Map(hashes.map((h, i) => [h, pieces[i]]));
    wants.want = async (h: string) => (wanted.push(h), { bytes: peerHas.get(h)!, peer: 'H' });
    const items = hashes.map((hash, i) => ({ hash, start: i * 250, end: (i + 1) * 250, whole: false }));
    const got = await loader.loadAll('http://o/f.bin', items, 2);
    expect(wanted).toEqual([hashes[2], hashes[3], hashes[0], hashes[1]]);
    expect(got.map((g) => g.bytes)).toEqual(pieces);
  });

  it('waits out a busy holder after a long fetching wait: the busy deadline starts at the first all_busy', async () => {
    const hash = await sha256Hex(file);
    const clock = fakeClock();
    // 9 s of `fetching` (the first visitor still downloading), then its slots are full for a while.
    const results: WantResult[] = [];
    for (let i = 0; i < 6; i++) results.push({ token: 'T', reason: 'fetching' });
    for (let i = 0; i < 3; i++) results.push({ token: 'T', reason: 'all_busy' });
    results.push({ bytes: file, peer: 'F' });
    const { loader } = await setup(results, true, clock);
    const got = await loader.load('http://o/f.bin', { hash, start: 0, end: 1000, whole: true });
    expect(got).toMatchObject({ source: 'peer' });
  });

  it('goes to the origin when holders stay busy and nothing reaches us from peers', async () => {
    const hash = await sha256Hex(file);
    const clock = fakeClock();
    mockOrigin();
    const busy = Array.from({ length: 50 }, (): WantResult => ({ token: 'T', reason: 'all_busy' }));
    const { loader, wanted } = await setup(busy, true, clock);
    const got = await loader.load('http://o/f.bin', { hash, start: 0, end: 1000, whole: true });
    expect(got).toMatchObject({ source: 'origin', why: 'all_busy' });
    expect(wanted.length).toBeLessThan(50);
  });

  it('keeps waiting for a busy holder while other items keep arriving from peers', async () => {
    const a = file.slice(0, 100);
    const others = Array.from({ length: 9 }, (_, i) => file.slice(100 * (i + 1), 100 * (i + 2)));
    const [ha, ...hs] = await Promise.all([a, ...others].map(sha256Hex));
    const clock = fakeClock();
    mockOrigin();
    const { loader, wants } = await setup([], true, clock);
    // Item a finds every holder busy for 12 s, far past the busy deadline, then gets a slot. While
    // it waits, another item reaches us from a peer every 1.5 s.
    let aAsked = 0;
    wants.want = async (h: string): Promise<WantResult> => {
      if (h !== ha) return { bytes: others[hs.indexOf(h)], peer: 'P' };
      return ++aAsked <= 8 ? { token: 'T', reason: 'all_busy' } : { bytes: a, peer: 'H' };
    };
    let next = 0;
    wants.nextFinish = async (ms: number) => {
      clock.advance(Math.min(ms, 1_500));
      const k = next++;
      await loader.load('http://o/f.bin', { hash: hs[k], start: 100 * (k + 1), end: 100 * (k + 2), whole: false });
    };
    const got = await loader.load('http://o/f.bin', { hash: ha, start: 0, end: 100, whole: false });
    expect(got).toMatchObject({ source: 'peer', peer: 'H' });
    expect(clock.now()).toBeGreaterThan(10_000);
  });

  it('gives up on a busy holder after 30 s even while other items keep arriving', async () => {
    const a = file.slice(0, 100);
    const ha = await sha256Hex(a);
    const clock = fakeClock();
    mockOrigin();
    const { loader, wants } = await setup([], true, clock);
    let k = 0;
    wants.want = async (h: string): Promise<WantResult> =>
      h === ha ? { token: 'T', reason: 'all_busy' } : { bytes: new Uint8Array([k]), peer: 'P' };
    wants.nextFinish = async (ms: number) => {
      clock.advance(Math.min(ms, 1_500));
      const b = new Uint8Array([++k]);
      await loader.load('http://o/f.bin', { hash: await sha256Hex(b), start: 0, end: 1, whole: false });
    };
    const got = await loader.load('http://o/f.bin', { hash: ha, start: 0, end: 100, whole: false });
    expect(got).toMatchObject({ source: 'origin', why: 'all_busy' });
  });

  it('uses but never stores origin bytes that do not match the manifest', async () => {
    mockOrigin();
    const { loader, store, events } = await setup([], false);
    const got = await loader.load('http://o/f.bin', { hash: 'f'.repeat(64), start: 0, end: 1000, whole: true });
    expect(got).toMatchObject({ source: 'origin', why: 'no_tracker' });
    await settle();
    expect(events).toContain('mismatch');
    expect(store.keys()).toEqual([]);
  });

  it('shares one transfer between concurrent loads of a hash', async () => {
    const hash = await sha256Hex(file);
    const { loader, wanted } = await setup([{ bytes: file, peer: 'H' }]);
    const item: Item = { hash, start: 0, end: 1000, whole: true };
    await Promise.all([loader.load('http://o/a', item), loader.load('http://o/b', item)]);
    expect(wanted.length).toBe(1);
  });
});
