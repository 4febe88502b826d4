// The stream behind cdn.fetch: items in file order whatever order they arrive in, never more than
// the look-ahead loading beyond what the reader took, cut to the range, and abort or failure as
// a rejected promise (before the first byte) or an errored stream (after).
import { describe, expect, it } from 'vitest';
import type { Loaded } from '../../src/fetch/item-loader';
import { LOOKAHEAD_PIECES, keepShare, pieceStream } from '../../src/fetch/piece-stream';
import type { Item } from '../../src/verify/manifest';

const PIECE = 100;
const SIZE = 1050;
const file = new Uint8Array(SIZE).map((_, i) => i % 251);
const items: Item[] = Array.from({ length: Math.ceil(SIZE / PIECE) }, (_, i) => ({
  hash: `h${i}`, start: i * PIECE, end: Math.min(SIZE, (i + 1) * PIECE), whole: false,
}));

// Loads that the test resolves by index (or all at once, in reverse order, with `auto`).
function loads() {
  const asked: number[] = [];
  const pending = new Map<number, { resolve(l: Loaded): void; reject(e: Error): void }>();
  const load = (item: Item) => {
    const i = items.indexOf(item);
    asked.push(i);
    return new Promise<Loaded>((resolve, reject) => pending.set(i, { resolve, reject }));
  };
  const give = (i: number) => pending.get(i)!.resolve({ bytes: file.slice(items[i].start, items[i].end), source: 'peer' });
  const fail = (i: number) => pending.get(i)!.reject(new Error('ERR_ORIGIN'));
  return { asked, load, give, fail, pending };
}
const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};
async function readAll(s: ReadableStream<Uint8Array>) {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

describe('pieceStream', () => {
  it('enqueues items in file order though they arrive out of order, with a bounded look-ahead', async () => {
    const l = loads();
    const streaming = pieceStream(items, { start: 0, end: SIZE }, l.load);
    await ticks();
    expect(l.asked).toEqual([0, 1, 2, 3].slice(0, LOOKAHEAD_PIECES));
    l.give(3);
    l.give(1);
    l.give(2);
    await ticks();
    expect(l.asked.length).toBe(LOOKAHEAD_PIECES); // nothing more until the first item is in
    l.give(0);
    const reader = (await streaming).getReader();
    const chunks: number[] = [];
    let maxAhead = 0;
    for (;;) {
      await ticks();
      for (const i of l.pending.keys()) if (!chunks.includes(i) && i >= chunks.length) l.give(i);
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value[0] === file[chunks.length * PIECE] ? chunks.length : -1);
      maxAhead = Math.max(maxAhead, l.asked.length - chunks.length);
    }
    expect(chunks).toEqual(items.map((_, i) => i));
    // In flight beyond what the reader took: the look-ahead plus the one item the stream queues.
    expect(maxAhead).toBeLessThanOrEqual(LOOKAHEAD_PIECES + 1);
  });

  it('cuts the first and last item to the range and loads only the items it covers', async () => {
    const l = loads();
    const streaming = pieceStream(items, { start: 250, end: 561 }, l.load);
    await ticks();
    for (const i of [2, 3, 4, 5]) l.give(i);
    const reader = (await streaming).getReader();
    const chunks: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    const got = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
    expect(got).toEqual(file.slice(250, 561));
    // Each chunk owns its buffer: a transfer of one (the service worker's bridge) detaches nothing else.
    expect(chunks.every((c) => c.byteOffset === 0 && c.byteLength === c.buffer.byteLength)).toBe(true);
    expect(l.asked).toEqual([2, 3, 4, 5]);
  });

  it('a failure before the first byte rejects; a later one errors the stream', async () => {
    const a = loads();
    const first = pieceStream(items, { start: 0, end: SIZE }, a.load);
    await ticks();
    a.fail(0);
    await expect(first).rejects.toThrow('ERR_ORIGIN');
    const b = loads();
    const later = pieceStream(items, { start: 0, end: 300 }, b.load);
    await ticks();
    b.give(0);
    b.fail(1);
    await expect(readAll(await later)).rejects.toThrow('ERR_ORIGIN');
  });

  it('abort before the first byte rejects with AbortError; during the stream it errors it and stops loading', async () => {
    const a = loads();
    const ac = new AbortController();
    const first = pieceStream(items, { start: 0, end: SIZE }, a.load, ac.signal);
    await ticks();
    ac.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    const b = loads();
    const bc = new AbortController();
    const s = pieceStream(items, { start: 0, end: SIZE }, b.load, bc.signal);
    await ticks();
    b.give(0);
    const reader = (await s).getReader();
    expect((await reader.read()).value!.length).toBe(PIECE);
    const asked = b.asked.length;
    bc.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    await ticks();
    expect(b.asked.length).toBe(asked);
  });

  it('lets go of the signal once the stream is read to its end', async () => {
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const signal = { aborted: false, addEventListener: (_: string, f: unknown) => added.push(f), removeEventListener: (_: string, f: unknown) => removed.push(f) };
    const l = loads();
    const streaming = pieceStream(items, { start: 0, end: 150 }, l.load, signal as unknown as AbortSignal);
    await ticks();
    l.give(0);
    l.give(1);
    await readAll(await streaming);
    expect(added).toHaveLength(1);
    expect(removed).toEqual(added);
  });

  it('an empty range of an empty file is an empty body', async () => {
    const got = await readAll(await pieceStream([{ hash: 'e', start: 0, end: 0, whole: true }], { start: 0, end: 0 }, async () => ({ bytes: new Uint8Array(0), source: 'store' })));
    expect(got.length).toBe(0);
  });
});

describe('keepShare', () => {
  it('keeps every piece of a file under the cap', () => {
    const keep = keepShare(1000, 1000);
    expect(Array.from({ length: 10 }, (_, i) => keep(i)).every(Boolean)).toBe(true);
  });
  it('keeps about cap bytes of a larger file, and different pages keep different pieces', () => {
    const held = new Set<number>();
    for (let page = 0; page < 80; page++) {
      const keep = keepShare(400 * 262_144, 100 * 262_144); // 4x the cap: every 4th piece
      const kept = Array.from({ length: 400 }, (_, i) => i).filter(keep);
      expect(kept.length).toBe(100);
      kept.forEach((i) => held.add(i));
    }
    expect(held.size).toBe(400); // 80 pages with a random offset each: an offset missed has p = (3/4)^80
  });
});
