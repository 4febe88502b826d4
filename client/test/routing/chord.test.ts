// Chord over a simulated network: joins build one ring, lookups reach the true owner of a key in
// O(log N) hops, provider records are found at the key's successor, expire without refresh, and
// move with their key range when a peer joins or leaves.
import { describe, expect, it } from 'vitest';
import { idOfPeer } from '../../src/routing/ids';
import { ChordCrowd, FAST, hopBound } from './chord-crowd';

async function settled(n: number, seed: number): Promise<ChordCrowd> {
  const c = new ChordCrowd(seed);
  for (let i = 0; i < n; i++) {
    c.join();
    await c.net.clock.advance(300);
  }
  await c.net.clock.advance(2 * FAST.fixPeriodMs! + 3 * FAST.stabiliseMs!);
  return c;
}

describe('chord', () => {
  it('joins build one ring in id order', async () => {
    const c = await settled(32, 1);
    const sorted = [...c.nodes.keys()].sort((a, b) => idOfPeer(a) - idOfPeer(b));
    for (let i = 0; i < sorted.length; i++) {
      const node = c.nodes.get(sorted[i])!;
      expect(node.successors[0]).toBe(sorted[(i + 1) % sorted.length]);
      expect(node.predecessor).toBe(sorted[(i - 1 + sorted.length) % sorted.length]);
      expect(node.successors.length).toBe(4);
    }
  });

  it('lookups reach the true owner in O(log N) hops', async () => {
    const n = 64;
    const c = await settled(n, 2);
    let hops = 0;
    for (let q = 0; q < 200; q++) {
      const key = Math.floor(c.net.random() * 2 ** 32);
      const r = await c.findOwner(c.random(), key);
      expect(r.found).toBe(true);
      if (!r.found) continue;
      expect(r.owner).toBe(c.owner(key));
      expect(r.hops).toBeLessThanOrEqual(hopBound(n));
      hops += r.hops;
    }
    // About half of log2 N on average (the Chord paper; the simulator measures 4 at 100 peers).
    expect(hops / 200).toBeLessThanOrEqual(Math.log2(n));
    expect(hops / 200).toBeGreaterThan(1);
  });

  it('a published record is found from anywhere; unrefreshed, it expires', async () => {
    const c = await settled(16, 3);
    const holder = c.random();
    const hash = ChordCrowd.hashAt(0x12345678, 1);
    await c.publish(holder, hash);
    for (let q = 0; q < 10; q++) {
      const r = await c.lookup(c.random(), hash);
      expect(r).toMatchObject({ found: true, owner: c.owner(0x12345678), records: [holder] });
    }
    c.nodes.get(holder)!.unpublish(hash); // no more refreshes
    await c.net.clock.advance(FAST.recordTtlMs! + 1_000);
    expect(await c.lookup(c.random(), hash)).toMatchObject({ found: false, reason: 'no_record' });
  });

  it("the records a peer keeps answer its own lookup at once (0 hops): a newcomer's, before the ring routes its keys to it", async () => {
    const c = await settled(16, 3);
    const x = c.nodes.get(c.random())!;
    const succ = x.successors[0];
    const key = idOfPeer(succ); // the successor's key: x does not own it
    const hash = ChordCrowd.hashAt(key, 1);
    const holder = c.random();
    x.receive(succ, { t: 'chord.handoff', records: [{ hash, peer: holder, expires: 60_000 }] });
    expect(await x.lookup(hash)).toEqual({ found: true, owner: x.peer, hops: 0, records: [holder] });
  });

  it('records move to a newcomer that takes over their key', async () => {
    const c = await settled(8, 4);
    const hash = ChordCrowd.hashAt(0x80000000, 2);
    const holder = c.random();
    await c.publish(holder, hash);
    // A newcomer just past the key (0x80000000 + small): it becomes the key's owner.
    const before = c.owner(0x80000000);
    const newcomer = c.join(peerAt(0x80000010));
    await c.net.clock.advance(3 * FAST.stabiliseMs!);
    expect(c.owner(0x80000000)).toBe(newcomer);
    expect(before).not.toBe(newcomer);
    const r = await c.lookup(c.random(), hash);
    expect(r).toMatchObject({ found: true, owner: newcomer, records: [holder] });
    expect(c.nodes.get(newcomer)!.records).toBe(1);
  });

  it('a lookup whose path crosses a peer that left abruptly still ends by its deadline', async () => {
    const c = await settled(32, 5);
    const from = c.random();
    const key = (idOfPeer(from) + 2 ** 31) % 2 ** 32; // far away: several hops
    const first = await c.findOwner(from, key);
    expect(first.found).toBe(true);
    // Every peer but the sender and the owner leaves abruptly, without a word.
    const owner = c.owner(key);
    for (const p of [...c.nodes.keys()]) if (p !== from && p !== owner && c.net.random() < 0.3) c.leave(p, false);
    const start = c.net.clock.now();
    const r = await c.findOwner(from, key);
    expect(c.net.clock.now() - start).toBeLessThanOrEqual(2_000 + 10);
    if (r.found) expect(r.owner).toBe(c.owner(key));
    else expect(r.reason).toBe('deadline');
  });
});

function peerAt(id: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let v = id * 16;
  let head = '';
  for (let i = 0; i < 6; i++) {
    head = alphabet[v % 64] + head;
    v = Math.floor(v / 64);
  }
  return head + 'AAAAAAAAAAAAAAAA';
}
