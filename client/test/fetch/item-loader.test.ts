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

async function setup(results: WantResult[], ready = true) {
  const store = await ContentStore.open(`loader-${n++}`, 1 << 20, () => {});
  const tracker = { whenReady: async () => ready } as unknown as Tracker;
  const wanted: string[] = [];
  const wants = {
    want: async (hash: string) => (wanted.push(hash), results.shift() ?? { fail: 'ERR_DEADLINE' }),
    nextFinish: async () => {},
  } as unknown as Wants;
  const events: string[] = [];
  const loader = new ItemLoader(store, tracker, wants, {
    loaded: (_item, got: Loaded) => events.push(`${got.source}${got.why ? ':' + got.why : ''}`),
    stored: (hash) => events.push(`stored ${hash.slice(0, 4)}`),
    liar: (peer) => events.push(`liar ${peer}`),
    originMismatch: () => events.push('mismatch'),
  });
  return { store, loader, wanted, events };
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

afterEach(() => vi.unstubAllGlobals());

describe('ItemLoader', () => {
  it('takes verified peer bytes, stores and announces them', async () => {
    const hash = await sha256Hex(file);
    const { loader, store, events } = await setup([{ bytes: file, peer: 'H' }]);
    const got = await loader.load('http://o/f.bin', { hash, start: 0, end: 1000, whole: true });
    expect(got.source).toBe('peer');
    await settle();
    expect(events).toEqual(['peer', `stored ${hash.slice(0, 4)}`]);
    expect(await store.get(hash)).toEqual(file);
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
    expect(calls[0].headers).toEqual({ 'X-Circle-Miss': 'TOK', Range: 'bytes=500-999' });
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
