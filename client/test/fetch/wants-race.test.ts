// What the loader's race with the origin needs from Wants: each path's progress in its budget, a
// want ended `superseded` (its holder's slot freed, no blame), and the last-moment `direct` check.
import { describe, expect, it } from 'vitest';
import { type Budget, Wants } from '../../src/fetch/wants';
import type { PeerPool } from '../../src/peer/peer-pool';
import type { Tracker } from '../../src/signal/tracker';
import { chunkFrames } from '../../src/transfer/chunks';
import { decodeFrame } from '../../src/transfer/frame';

function setup(maxInFlight = 4) {
  const sent: Record<string, unknown>[] = [];
  const tracker = { send: (m: Record<string, unknown>) => (sent.push(m), true), on() {} } as unknown as Tracker;
  const pool = { connectMs: 5_000, connect: () => ({ isOpen: true }), on() {} };
  return { sent, wants: new Wants(tracker, pool as unknown as PeerPool, maxInFlight) };
}
const item = new Uint8Array(100_000).map((_, i) => i % 256);
const HASH = 'a'.repeat(64);

describe('Wants for the race', () => {
  it('records when the path was matched, its first byte and its bytes', () => {
    const { wants } = setup();
    const budget: Budget = {};
    wants.want(HASH, item.length, budget);
    wants.match({ type: 'match', id: 1, hash: HASH, peer: 'H', connect: false });
    expect(budget.at).toBeTypeOf('number');
    expect(budget.first).toBeUndefined();
    const [f1, f2] = [...chunkFrames(1, item)].map((f) => decodeFrame(f.slice().buffer)!);
    wants.frame('H', f1);
    wants.frame('H', f2);
    expect(budget.first).toBeTypeOf('number');
    expect(budget.got).toBe(f1.payload.length + f2.payload.length);
  });

  it('superseded: done with that reason, the slot freed, and the want over', async () => {
    const { sent, wants } = setup(1);
    const budget: Budget = {};
    const p = wants.want(HASH, item.length, budget);
    wants.match({ type: 'match', id: 1, hash: HASH, peer: 'H', connect: false });
    const next = wants.want('b'.repeat(64), 10); // waits for the only slot
    wants.supersede(budget);
    expect(await p).toEqual({ fail: 'ERR_SUPERSEDED' });
    expect(sent[1]).toEqual({ type: 'done', id: 1, ok: false, reason: 'superseded' });
    await Promise.resolve();
    expect(sent[2]).toMatchObject({ type: 'want', id: 2 });
    wants.miss({ type: 'miss', id: 2, hash: 'b'.repeat(64), token: 't', reason: 'no_holder' });
    await next;
  });

  it('direct, asked once a slot is free, sends nothing to the tracker', async () => {
    const { sent, wants } = setup(1);
    const first = wants.want(HASH, 10);
    let fast = false;
    const second = wants.want('b'.repeat(64), 10, { direct: () => fast });
    fast = true; // the origin turned out fast while this item waited for a slot
    wants.miss({ type: 'miss', id: 1, hash: HASH, token: 't', reason: 'no_holder' });
    await first;
    expect(await second).toEqual({ token: '', reason: 'origin' });
    expect(sent.filter((m) => m.type === 'want').length).toBe(1);
  });
});
