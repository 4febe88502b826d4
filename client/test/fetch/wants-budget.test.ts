// A peer path's budget (connect, then first byte) and the `done` reason each failure is reported
// with. Fake clock only: deadlines are checked by moving time, never by waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Budget, DEFAULT_FIRST_BYTE_MS, type WantResult, Wants } from '../../src/fetch/wants';
import { DEFAULT_CONNECT_MS, type PeerPool } from '../../src/peer/peer-pool';
import type { Tracker } from '../../src/signal/tracker';
import { FRAME_ABORT, decodeFrame, encodeFrame, type Frame } from '../../src/transfer/frame';

function setup() {
  const sent: Record<string, unknown>[] = [];
  const tracker = { send: (m: Record<string, unknown>) => (sent.push(m), true), on() {} } as unknown as Tracker;
  const open = new Set<string>();
  const pool = { connectMs: DEFAULT_CONNECT_MS, connect: (p: string) => ({ isOpen: open.has(p) }), on() {} };
  const wants = new Wants(tracker, pool as unknown as PeerPool, 4);
  // Starts want 1 for hash h (10 bytes) and matches it with holder H; `settled` is filled when it ends.
  const start = (connect: boolean, budget: Budget = {}) => {
    const r: { settled?: WantResult } = {};
    wants.want('h', 10, budget).then((x) => (r.settled = x));
    wants.match({ type: 'match', id: 1, hash: 'h', peer: 'H', connect });
    return r;
  };
  const done = () => sent.filter((m) => m.type === 'done');
  return { sent, done, open, pool, wants, start };
}
// The first 4 bytes of want 1's 10-byte item.
const part = (): Frame => decodeFrame(encodeFrame(1, 1, 0, 10, new Uint8Array(4)).slice().buffer)!;
const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('peer path budget', () => {
  it('defaults to 5 s to connect and 3 s to the first byte (an older server sends neither)', () => {
    expect(DEFAULT_CONNECT_MS).toBe(5_000);
    expect(DEFAULT_FIRST_BYTE_MS).toBe(3_000);
    expect(setup().wants.firstByteMs).toBe(3_000);
  });

  it('connect budget: no open channel within connectMs is done ok:false, reason connect_failed', async () => {
    const { start, done } = setup();
    const r = start(true);
    await tick(DEFAULT_CONNECT_MS - 1);
    expect(r.settled).toBeUndefined();
    await tick(1);
    expect(r.settled).toEqual({ fail: 'ERR_CONNECT_FAILED' });
    expect(done()).toEqual([{ type: 'done', id: 1, ok: false, reason: 'connect_failed' }]);
  });

  it('a connection that fails before it opens is connect_failed at once', async () => {
    const { start, done, wants } = setup();
    const r = start(true);
    await tick(100);
    wants.peerClosed('H');
    await tick(0);
    expect(r.settled).toEqual({ fail: 'ERR_CONNECT_FAILED' });
    expect(done()[0].reason).toBe('connect_failed');
  });

  it('first-byte budget from the channel open: reason timeout', async () => {
    const { start, done, wants } = setup();
    const r = start(true);
    await tick(4_000);
    wants.peerOpen('H'); // just inside the connect budget
    await tick(DEFAULT_FIRST_BYTE_MS - 1);
    expect(r.settled).toBeUndefined();
    await tick(1);
    expect(r.settled).toEqual({ fail: 'ERR_DEADLINE' });
    expect(done()).toEqual([{ type: 'done', id: 1, ok: false, reason: 'timeout' }]);
  });

  it('first-byte budget from the match when the channel is already open (connect:false)', async () => {
    const { start, done, open } = setup();
    open.add('H');
    const r = start(false);
    await tick(DEFAULT_FIRST_BYTE_MS - 1);
    expect(r.settled).toBeUndefined();
    await tick(1);
    expect(done()[0].reason).toBe('timeout');
  });

  it('uses the budgets the welcome gave', async () => {
    const { start, done, pool, wants } = setup();
    pool.connectMs = 800;
    wants.firstByteMs = 400;
    const r = start(true);
    await tick(700);
    wants.peerOpen('H');
    await tick(399);
    expect(r.settled).toBeUndefined();
    await tick(1);
    expect(done()[0].reason).toBe('timeout');
  });

  it('a holder sending us another item restarts the first-byte wait of ours queued behind it', async () => {
    const { wants, done, open } = setup();
    open.add('H');
    const got: Record<number, WantResult> = {};
    wants.want('a', 100).then((r) => (got[1] = r));
    wants.want('b', 10).then((r) => (got[2] = r));
    wants.match({ type: 'match', id: 1, hash: 'a', peer: 'H', connect: false });
    wants.match({ type: 'match', id: 2, hash: 'b', peer: 'H', connect: false });
    const chunk = (k: number) => decodeFrame(encodeFrame(1, 1, 4 * k, 100, new Uint8Array(4)).slice().buffer)!;
    for (let k = 0; k < 6; k++) {
      wants.frame('H', chunk(k)); // want 1's bytes arrive once a second
      await tick(1_000);
    }
    expect(got[2]).toBeUndefined(); // 6 s after its match, past first_byte_timeout: still waiting
    await tick(1_999);
    expect(got[2]).toBeUndefined();
    await tick(1); // the item's deadline (connect + first byte after the match) still holds
    expect(got[2]).toEqual({ fail: 'ERR_DEADLINE' });
    expect(done()).toEqual([{ type: 'done', id: 2, ok: false, reason: 'timeout' }]);
  });

  it('a stall between chunks is a timeout', async () => {
    const { start, done, wants, open } = setup();
    open.add('H');
    const r = start(false);
    wants.frame('H', part());
    await tick(DEFAULT_FIRST_BYTE_MS + 100); // bytes flow: the first-byte budget no longer applies
    expect(r.settled).toBeUndefined();
    await tick(10_000);
    expect(r.settled).toEqual({ fail: 'ERR_DEADLINE' });
    expect(done()[0].reason).toBe('timeout');
  });

  it('a channel that closes mid-transfer is reason closed', async () => {
    const { start, done, wants } = setup();
    start(true);
    wants.peerOpen('H');
    wants.frame('H', part());
    wants.peerClosed('H');
    await tick(0);
    expect(done()).toEqual([{ type: 'done', id: 1, ok: false, reason: 'closed' }]);
  });

  it('a holder that aborts (no longer holds the item) is reason closed', async () => {
    const { start, done, wants, open } = setup();
    open.add('H');
    start(false);
    wants.frame('H', decodeFrame(encodeFrame(FRAME_ABORT, 1, 0, 0).slice().buffer)!);
    await tick(0);
    expect(done()[0].reason).toBe('closed');
  });

  it('the first match sets the item deadline; a later path is cut to it', async () => {
    const { wants, done, pool } = setup();
    const budget: Budget = {};
    const t0 = Date.now();
    const first = wants.want('h', 10, budget);
    wants.match({ type: 'match', id: 1, hash: 'h', peer: 'A', connect: true });
    expect(budget.until).toBe(t0 + pool.connectMs + wants.firstByteMs);
    await tick(1_000);
    wants.peerClosed('A'); // failed fast
    expect(await first).toEqual({ fail: 'ERR_CONNECT_FAILED' });
    let second: WantResult | undefined;
    wants.want('h', 10, budget).then((r) => (second = r));
    wants.match({ type: 'match', id: 2, hash: 'h', peer: 'B', connect: true });
    await tick(4_500);
    wants.peerOpen('B'); // 5.5 s after the first match: 2.5 s of the item's budget left, not 3 s
    await tick(2_499);
    expect(second).toBeUndefined();
    await tick(1);
    expect(second).toEqual({ fail: 'ERR_DEADLINE' }); // at the item deadline, 8 s after the first match
    expect(Date.now() - t0).toBe(8_000);
    expect(budget.until).toBe(t0 + 8_000);
    expect(done().map((d) => d.reason)).toEqual(['connect_failed', 'timeout']);
  });

  it('a tracker that does not answer is ERR_TRACKER_SILENT, with no done', async () => {
    const { wants, done } = setup();
    const p = wants.want('h', 10);
    await tick(5_000);
    expect(await p).toEqual({ fail: 'ERR_TRACKER_SILENT' });
    expect(done()).toEqual([]);
  });
});
