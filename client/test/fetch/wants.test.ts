import { afterEach, describe, expect, it, vi } from 'vitest';
import { Wants } from '../../src/fetch/wants';
import type { PeerPool } from '../../src/peer/peer-pool';
import type { Tracker } from '../../src/signal/tracker';
import { chunkFrames } from '../../src/transfer/chunks';
import { decodeFrame, type Frame } from '../../src/transfer/frame';
import { sha256Hex } from '../../src/verify/sha256';

// A tracker that records what the client sends, and a pool that records whom it connects to
// (peers in `open` have an open channel already).
function setup(maxInFlight = 4) {
  const sent: Record<string, unknown>[] = [];
  const tracker = { send: (m: Record<string, unknown>) => (sent.push(m), true), on() {} } as unknown as Tracker;
  const connected: string[] = [];
  const open = new Set<string>();
  const pool = { connectMs: 5_000, connect: (p: string) => (connected.push(p), { isOpen: open.has(p) }), on() {} };
  return { sent, connected, open, pool, wants: new Wants(tracker, pool as unknown as PeerPool, maxInFlight) };
}
const frames = (id: number, bytes: Uint8Array): Frame[] =>
  [...chunkFrames(id, bytes)].map((f) => decodeFrame(f.slice().buffer)!);
const flush = () => new Promise((r) => setTimeout(r, 0));
const item = new Uint8Array(100_000).map((_, i) => i % 256);

afterEach(() => vi.useRealTimers());

describe('Wants', () => {
  it('want, match, chunks, verify, done', async () => {
    const { sent, connected, wants } = setup();
    const hash = await sha256Hex(item);
    const p = wants.want(hash, item.length);
    expect(sent[0]).toEqual({ type: 'want', id: 1, hash });
    wants.match({ type: 'match', id: 1, hash, peer: 'H', connect: true });
    expect(connected).toEqual(['H']);
    for (const f of frames(1, item)) wants.frame('H', f);
    const r = await p;
    expect('bytes' in r && r.bytes).toEqual(item);
    expect(sent[1]).toEqual({ type: 'done', id: 1, ok: true, bytes: item.length });
  });

  it('a liar is reported, its want done not ok', async () => {
    const { sent, wants } = setup();
    const hash = await sha256Hex(item);
    const p = wants.want(hash, item.length);
    wants.match({ type: 'match', id: 1, hash, peer: 'L', connect: false });
    const altered = item.slice();
    altered[5] ^= 0xff;
    for (const f of frames(1, altered)) wants.frame('L', f);
    expect(await p).toEqual({ liar: 'L' });
    expect(sent.slice(1)).toEqual([
      { type: 'report', peer: 'L', hash },
      { type: 'done', id: 1, ok: false, bytes: item.length },
    ]);
  });

  it('ignores chunks from a peer other than the matched holder', async () => {
    const { wants } = setup();
    const hash = await sha256Hex(item);
    const p = wants.want(hash, item.length);
    wants.match({ type: 'match', id: 1, hash, peer: 'H', connect: true });
    const bad = item.slice().fill(0);
    for (const f of frames(1, bad)) wants.frame('X', f);
    for (const f of frames(1, item)) wants.frame('H', f);
    expect('bytes' in (await p)).toBe(true);
  });

  it('a miss returns the token and sends no done', async () => {
    const { sent, wants } = setup();
    const p = wants.want('h', 10);
    wants.miss({ type: 'miss', id: 1, hash: 'h', token: 'T', reason: 'no_holder' });
    expect(await p).toEqual({ token: 'T', reason: 'no_holder' });
    expect(sent.length).toBe(1);
  });

  it('a holder that leaves mid-transfer fails the want and frees its slot', async () => {
    const { sent, wants } = setup();
    const p = wants.want('h', item.length);
    wants.match({ type: 'match', id: 1, hash: 'h', peer: 'H', connect: true });
    wants.frame('H', frames(1, item)[0]);
    wants.peerClosed('H');
    expect(await p).toEqual({ fail: 'ERR_PEER_GONE' });
    expect(sent[1]).toEqual({ type: 'done', id: 1, ok: false, reason: 'closed' });
  });

  it('a cancel from the server fails the want without a done', async () => {
    const { sent, wants } = setup();
    const p = wants.want('h', 10);
    wants.match({ type: 'match', id: 1, hash: 'h', peer: 'H', connect: true });
    wants.cancel({ type: 'cancel', id: 1, hash: 'h', peer: 'H', reason: 'peer_gone' });
    expect(await p).toEqual({ fail: 'ERR_CANCELLED' });
    expect(sent.length).toBe(1);
  });

  it('a silent holder on an open channel misses the first-byte deadline', async () => {
    vi.useFakeTimers();
    const { wants, open } = setup();
    open.add('H');
    const p = wants.want('h', 10);
    wants.match({ type: 'match', id: 1, hash: 'h', peer: 'H', connect: false });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await p).toEqual({ fail: 'ERR_DEADLINE' });
  });

  it('caps wants in flight and queues the rest', async () => {
    const { sent, wants } = setup(2);
    const ps = ['a', 'b', 'c'].map((h) => wants.want(h, 1));
    await flush();
    expect(sent.map((m) => m.hash)).toEqual(['a', 'b']);
    wants.miss({ type: 'miss', id: 1, hash: 'a', token: 'T' });
    await ps[0];
    await flush();
    expect(sent.map((m) => m.hash)).toEqual(['a', 'b', 'c']);
  });

  it('waiting items ask again soon when few wait, spread when many do, at once when a transfer ends', async () => {
    vi.useFakeTimers();
    const { wants } = setup();
    const woke: number[] = [];
    const wait = (k: number) => wants.nextFinish(10_000).then(() => woke.push(k));
    wait(0);
    await vi.advanceTimersByTimeAsync(250);
    expect(woke).toEqual([0]); // alone: the shortest pause
    for (let k = 1; k <= 30; k++) wait(k);
    await vi.advanceTimersByTimeAsync(250);
    expect(woke.length).toBeGreaterThan(1);
    expect(woke.length).toBeLessThan(31); // thirty waiters do not all ask at once
    await vi.advanceTimersByTimeAsync(1_250);
    expect(woke.length).toBe(31); // and none waits longer than the longest pause
    wait(99);
    const hash = await sha256Hex(item);
    const p = wants.want(hash, item.length);
    wants.match({ type: 'match', id: 1, hash, peer: 'H', connect: true });
    for (const f of frames(1, item)) wants.frame('H', f);
    await p;
    await vi.advanceTimersByTimeAsync(0);
    expect(woke.at(-1)).toBe(99); // a finished transfer freed a holder's slot: ask now
  });
});
