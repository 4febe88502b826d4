import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/store/content-store';

let n = 0;
const dbName = () => `test-${n++}`;
const bytes = (len: number, fill: number) => new Uint8Array(len).fill(fill);
const tick = () => new Promise((r) => setTimeout(r, 2));

describe('ContentStore', () => {
  it('stores and returns bytes by hash', async () => {
    const s = await ContentStore.open(dbName(), 1000, () => {});
    expect(await s.put('h1', bytes(10, 1))).toBe(true);
    expect(s.has('h1')).toBe(true);
    expect(await s.get('h1')).toEqual(bytes(10, 1));
    expect(await s.get('nope')).toBeUndefined();
    expect(await s.put('h1', bytes(10, 1))).toBe(false); // already held
  });

  it('keeps its content across a reopen (a page reload)', async () => {
    const name = dbName();
    const a = await ContentStore.open(name, 1000, () => {});
    await a.put('h1', bytes(10, 7));
    a.close();
    const b = await ContentStore.open(name, 1000, () => {});
    expect(b.keys()).toEqual(['h1']);
    expect(b.bytesUsed).toBe(10);
    expect(await b.get('h1')).toEqual(bytes(10, 7));
  });

  it('evicts the least recently used to stay within quota and says so', async () => {
    const evicted: string[] = [];
    const s = await ContentStore.open(dbName(), 30, (h) => evicted.push(...h));
    await s.put('a', bytes(10, 1));
    await tick();
    await s.put('b', bytes(10, 2));
    await tick();
    await s.put('c', bytes(10, 3));
    await tick();
    await s.get('a'); // a is now more recent than b
    await tick();
    await s.put('d', bytes(10, 4));
    expect(evicted).toEqual(['b']);
    expect(s.keys().sort()).toEqual(['a', 'c', 'd']);
    expect(s.bytesUsed).toBe(30);
    expect(await s.get('b')).toBeUndefined();
  });

  it('refuses an item larger than the whole quota', async () => {
    const s = await ContentStore.open(dbName(), 30, () => {});
    expect(await s.put('big', bytes(31, 0))).toBe(false);
    expect(s.bytesUsed).toBe(0);
  });

  it('keeps the quota under concurrent puts', async () => {
    const s = await ContentStore.open(dbName(), 50, () => {});
    await Promise.all(Array.from({ length: 10 }, (_, i) => s.put(`h${i}`, bytes(10, i))));
    expect(s.bytesUsed).toBeLessThanOrEqual(50);
    expect(s.keys().length).toBe(5);
  });
});
