// welcome.routing followed (routing/follow.ts) with the wants (fetch/wants.ts): no field or
// `tracker` keeps `want`; `ring` and `chord` make lookups go to the crowd, whose answer goes to the
// server as `connect {id, peer, hash, reason}` (then `match` and the transfer as always) or as
// `miss_token {id, hash, reason}` (then the origin with the server's token); the server's orders
// reach the strategy's wiring even when they come before it is loaded.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Wants } from '../../src/fetch/wants';
import type { PeerPool } from '../../src/peer/peer-pool';
import { Routing } from '../../src/routing/follow';
import type { Welcome } from '../../src/signal/messages';
import type { Tracker } from '../../src/signal/tracker';
import { chunkFrames } from '../../src/transfer/chunks';
import { decodeFrame } from '../../src/transfer/frame';
import { sha256Hex } from '../../src/verify/sha256';
import { FakeTracker } from '../support/fake-rtc';
import { peerId } from './fake-mesh';

const ME = peerId(5);
const OTHER = peerId(9);
const item = new Uint8Array(5_000).map((_, i) => i % 251);

class FakePool {
  peers = new Map<string, { isOpen: boolean; destroyed: boolean; initiator: boolean; sendRouting: () => Promise<void>; destroy(): void }>();
  connectMs = 5_000;
  private _subs: Record<string, ((...a: unknown[]) => void)[]> = {};
  on(t: string, fn: (...a: unknown[]) => void) {
    (this._subs[t] ??= []).push(fn);
  }
  emit(t: string, ...a: unknown[]) {
    for (const f of this._subs[t] ?? []) f(...a);
  }
  connect(id: string) {
    return this._make(id, true);
  }
  accept(id: string) {
    return this._make(id, false);
  }
  private _make(id: string, initiator: boolean) {
    const p = this.peers.get(id) ?? { isOpen: false, destroyed: false, initiator, sendRouting: async () => {}, destroy() {} };
    this.peers.set(id, p);
    return p;
  }
}

function setup() {
  const tracker = new FakeTracker(ME);
  const pool = new FakePool();
  const wants = new Wants(tracker as unknown as Tracker, pool as unknown as PeerPool, 4);
  const routing = new Routing(tracker as unknown as Tracker, pool as unknown as PeerPool, { tracker, pool: pool as never, canServe: () => false }, (r) => (wants.router = r));
  const welcome = (routing?: object) => tracker.deliver('ready', { type: 'welcome', peer: ME, ...(routing ? { routing } : {}) } as Welcome);
  return { tracker, pool, wants, routing, welcome };
}
const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};
// The strategy's wiring is a dynamic import: under vitest a real module load.
const loaded = async (routing: Routing) => {
  await (routing as unknown as { _loading?: Promise<unknown> })._loading;
  await flush();
};

afterEach(() => vi.useRealTimers());

describe('following welcome.routing', () => {
  it('no routing field (an older server) and `tracker`: lookups are `want`s', async () => {
    for (const routing of [undefined, { strategy: 'tracker' }, { strategy: 'bogus' }]) {
      const { tracker, wants, routing: r, welcome } = setup();
      welcome(routing);
      expect(wants.router).toBeUndefined();
      expect(r.stats.strategy).toBe('tracker');
      void wants.want('ab'.repeat(32), 10);
      expect(tracker.sent).toContainEqual({ type: 'want', id: 1, hash: 'ab'.repeat(32) });
    }
  });

  it('ring: the orders that come with the welcome open the links; a found holder is a connect, and the transfer follows match', async () => {
    const { tracker, pool, wants, routing, welcome } = setup();
    welcome({ strategy: 'ring', max_hops: 16, deadline_ms: 2000 });
    // Straight after the welcome, before the wiring has loaded.
    tracker.deliver('ring', { type: 'ring', serving: OTHER, served: OTHER });
    tracker.deliver('link', { type: 'link', peer: OTHER, reason: 'ring', offer: true });
    await loaded(routing);
    expect(wants.router).toBe(routing);
    expect(pool.peers.get(OTHER)?.initiator).toBe(true);
    const link = pool.peers.get(OTHER)!;
    link.isOpen = true;
    const onWire: Record<string, unknown>[] = [];
    link.sendRouting = (async (text: string) => void onWire.push(JSON.parse(text))) as never;
    const hash = await sha256Hex(item);
    const got = wants.want(hash, item.length);
    await flush();
    // The serving neighbour (here also the holder) got the ring want, and answers it.
    const want = onWire[0];
    expect(want).toMatchObject({ t: 'ring.want', hash, origin: ME, hops: 1 });
    pool.emit('message', OTHER, { t: 'ring.have', id: want.id, hash, holder: OTHER, hops: 1 });
    await flush();
    const connect = tracker.sent.find((m) => m.type === 'connect')!;
    expect(connect).toMatchObject({ peer: OTHER, hash, reason: 'ring' });
    expect(tracker.sent.some((m) => m.type === 'want')).toBe(false);
    // The server answers the connect like a want: match, then the bytes, verified, and done.
    const id = connect.id as number;
    wants.match({ type: 'match', id, hash, peer: OTHER, connect: false });
    for (const f of chunkFrames(id, item)) wants.frame(OTHER, decodeFrame(f.slice().buffer)!);
    expect(await got).toMatchObject({ peer: OTHER });
    expect(tracker.sent.at(-1)).toEqual({ type: 'done', id, ok: true, bytes: item.length });
    expect(routing.stats).toMatchObject({ strategy: 'ring', lookups: 1, found: 1, hops: [1] });
  });

  it('ring: a miss asks the server for a miss token with the crowd reason, and the want ends with it', async () => {
    const { tracker, wants, routing, welcome } = setup();
    welcome({ strategy: 'ring' });
    tracker.deliver('ring', { type: 'ring', serving: null, served: null });
    await loaded(routing);
    const hash = 'cc'.repeat(32);
    const p = wants.want(hash, 10);
    await flush();
    const ask = tracker.sent.find((m) => m.type === 'miss_token')!;
    expect(ask).toMatchObject({ hash, reason: 'ring_no_neighbour' });
    wants.miss({ type: 'miss', id: ask.id as number, hash, token: 'T', reason: 'ring_no_neighbour' });
    expect(await p).toEqual({ token: 'T', reason: 'ring_no_neighbour' });
    expect(routing.stats.misses).toEqual({ ring_no_neighbour: 1 });
  });

  it('chord: starts through the bootstrap the welcome names', async () => {
    const { tracker, welcome, wants, routing } = setup();
    welcome({ strategy: 'chord', bootstrap: OTHER, fingers: 24, successors: 4, stabilise_ms: 5000, fix_period_ms: 120000, republish_ms: 600000, record_ttl_ms: 660000, max_connections: 12, deadline_ms: 2000 });
    await loaded(routing);
    expect(tracker.sent).toContainEqual({ type: 'connect', peer: OTHER, reason: 'bootstrap' });
    expect(wants.router).toBeDefined();
  });

  it('a welcome under a new id starts over; the same one (after a hello) keeps the wiring', async () => {
    const { tracker, welcome, routing, wants } = setup();
    welcome({ strategy: 'chord', bootstrap: OTHER });
    await loaded(routing);
    const connects = () => tracker.sent.filter((m) => m.type === 'connect').length;
    welcome({ strategy: 'chord', bootstrap: OTHER });
    await loaded(routing);
    expect(connects()).toBe(1);
    welcome({ strategy: 'tracker' });
    expect(wants.router).toBeUndefined();
    expect(routing.stats.strategy).toBe('tracker');
  });

  it('an error about a connect with its want id ends that want', async () => {
    const { tracker, wants } = setup();
    const hash = await sha256Hex(item);
    wants.router = { deadlineMs: 100, find: async () => ({ peer: OTHER, reason: 'chord' }) };
    const p = wants.want(hash, item.length);
    await flush();
    const c = tracker.sent.find((m) => m.type === 'connect')!;
    expect(c).toEqual({ type: 'connect', id: 1, peer: OTHER, hash, reason: 'chord' });
    tracker.deliver('error', { type: 'error', code: 'too_many_wants', ref: 'connect', id: 1 });
    expect(await p).toEqual({ fail: 'ERR_REFUSED' });
    // And a matched one gets its bytes as from a want.
    const q = wants.want(hash, item.length);
    await flush();
    wants.match({ type: 'match', id: 2, hash, peer: OTHER, connect: false });
    for (const f of chunkFrames(2, item)) wants.frame(OTHER, decodeFrame(f.slice().buffer)!);
    expect(await q).toMatchObject({ peer: OTHER });
    expect(tracker.sent.at(-1)).toEqual({ type: 'done', id: 2, ok: true, bytes: item.length });
  });
});
