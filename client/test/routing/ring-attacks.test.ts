// What a peer can send a ring node over a DataChannel, and what the node does with it: messages
// that do not parse are dropped and counted; a have must name its sender, a miss must claim the
// hop limit, a want must come from the served neighbour and cannot outlive the hop limit or the
// deadline, and a want's id is random, so a peer it did not pass cannot answer it.
import { describe, expect, it } from 'vitest';
import { RING_DEADLINE_MS, RingNode, type RingMessage, type RingOutcome } from '../../src/routing/ring';
import { RingCrowd, hashOf } from './ring-crowd';
import { SimClock, peerIdFrom, seeded } from './sim-network';

const random = seeded(7);
const [ME, AHEAD, BEHIND, HOLDER, STRANGER] = Array.from({ length: 5 }, () => peerIdFrom(random));
const H = hashOf('item');

/** One ring node with both neighbours, its sends recorded, and one want of its own in flight. */
function alone() {
  const clock = new SimClock();
  const sent: { to: string; msg: RingMessage }[] = [];
  const node = new RingNode(ME, { send: (to, msg) => (sent.push({ to, msg }), true) }, clock, { canServe: () => false });
  node.setNeighbours(AHEAD, BEHIND);
  let outcome: RingOutcome | undefined;
  void node.want(H).then((o) => (outcome = o));
  const want = sent[0].msg as Extract<RingMessage, { t: 'ring.want' }>;
  return { clock, sent, node, want, outcome: () => outcome };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

describe('ring: what a peer may send', () => {
  it('a ring.have naming another peer as holder does not settle a want', async () => {
    const a = alone();
    a.node.receive(STRANGER, { t: 'ring.have', id: a.want.id, hash: H, holder: HOLDER, hops: 3 });
    await flush();
    expect(a.outcome()).toBeUndefined();
    expect(a.node.dropped.refused).toBe(1);
    // The holder itself, with the want's id and hash: settled.
    a.node.receive(HOLDER, { t: 'ring.have', id: a.want.id, hash: H, holder: HOLDER, hops: 3 });
    await flush();
    expect(a.outcome()).toEqual({ found: true, holder: HOLDER, hops: 3 });
  });

  it('a ring.have for a guessed want id does not settle a want', async () => {
    const a = alone();
    // Ids are 53 random bits: not 1, not the next of a counter.
    expect(a.want.id).not.toBe(1);
    for (const id of [0, 1, 2, 3, a.want.id + 1, a.want.id - 1])
      a.node.receive(HOLDER, { t: 'ring.have', id, hash: H, holder: HOLDER, hops: 1 });
    // The right id with another hash: not this want either.
    a.node.receive(HOLDER, { t: 'ring.have', id: a.want.id, hash: hashOf('other'), holder: HOLDER, hops: 1 });
    await flush();
    expect(a.outcome()).toBeUndefined();
    expect(a.node.dropped.refused).toBe(7);
  });

  it('a forged ring.miss short of the hop limit does not end a want', async () => {
    const a = alone();
    a.node.receive(STRANGER, { t: 'ring.miss', id: a.want.id, hash: H, reason: 'ttl', hops: 2 });
    await flush();
    expect(a.outcome()).toBeUndefined();
    expect(a.node.dropped.refused).toBe(1);
    // A miss from the peer at the limit (16 hops on: the origin cannot know which peer that is).
    a.node.receive(STRANGER, { t: 'ring.miss', id: a.want.id, hash: H, reason: 'ttl', hops: 16 });
    await flush();
    expect(a.outcome()).toEqual({ found: false, reason: 'ttl', hops: 16 });
  });

  it('a ring.want from a peer that is not the served neighbour is not forwarded', () => {
    const a = alone();
    const want = { t: 'ring.want', id: 5, hash: H, origin: STRANGER, hops: 1, deadline: a.clock.now() + 1_000 };
    a.node.receive(STRANGER, want);
    a.node.receive(AHEAD, want);
    expect(a.sent.length).toBe(1); // only our own want
    expect(a.node.dropped.refused).toBe(2);
    a.node.receive(BEHIND, want);
    expect(a.sent.at(-1)).toEqual({ to: AHEAD, msg: { ...want, hops: 2 } });
  });

  it('a ring.want with NaN, negative, fractional or huge hops is dropped', () => {
    const a = alone();
    for (const hops of [NaN, -1, 0, 1.5, 17, Infinity, '3', null])
      a.node.receive(BEHIND, { t: 'ring.want', id: 5, hash: H, origin: STRANGER, hops, deadline: 1_000 });
    expect(a.sent.length).toBe(1);
    expect(a.node.dropped.malformed).toBe(8);
  });

  it('malformed ring messages are dropped and counted, never thrown', () => {
    const a = alone();
    const bad: unknown[] = [
      null, 'ring.want', 42, [], { t: 'ring.nope' },
      { t: 'ring.want', id: 5, hash: 'zz', origin: STRANGER, hops: 1, deadline: 1 },
      { t: 'ring.want', id: 5, hash: H, origin: 'not an id', hops: 1, deadline: 1 },
      { t: 'ring.want', id: 5, hash: H, origin: STRANGER, hops: 1, deadline: NaN },
      { t: 'ring.want', id: -1, hash: H, origin: STRANGER, hops: 1, deadline: 1 },
      { t: 'ring.have', id: a.want.id, hash: H, holder: ['x'], hops: 1 },
      { t: 'ring.miss', id: a.want.id, hash: H, reason: 'bored', hops: 16 },
    ];
    for (const m of bad) expect(() => a.node.receive(BEHIND, m)).not.toThrow();
    expect(a.node.dropped.malformed).toBe(bad.length);
    expect(a.sent.length).toBe(1);
  });

  it('a ring.want with a deadline of 1e308 and a forged origin stops at the hop limit', async () => {
    // Nobody holds it and its origin is not on the ring, so it never comes back: only the hop
    // limit and the deadline can end it.
    const c = new RingCrowd(3);
    for (let i = 0; i < 3; i++) c.join();
    const want = { t: 'ring.want', id: 9, hash: H, origin: STRANGER, hops: 1, deadline: 1e308 };
    c.nodes.get(c.order[1])!.receive(c.order[0], want);
    await c.net.clock.advance(10 * RING_DEADLINE_MS);
    expect(c.net.sent).toBe(15); // hops 1 to 16; the miss has nowhere to go (no such origin)
  });

  it('a ring.want cannot extend its deadline past this peer clock + deadline + skew', async () => {
    // A fast-moving want with a far deadline: every forward carries a deadline cut to at most
    // now + 2 s + 1 s, so a slow ring drops it by then.
    const c = new RingCrowd(4, 1_000_000);
    for (let i = 0; i < 3; i++) c.join();
    const forwarded: number[] = [];
    const node = c.nodes.get(c.order[1])!;
    const spy = c.nodes.get(c.order[2])!;
    const receive = spy.receive.bind(spy);
    spy.receive = (from, m) => (forwarded.push((m as { deadline: number }).deadline), receive(from, m));
    node.receive(c.order[0], { t: 'ring.want', id: 9, hash: H, origin: STRANGER, hops: 1, deadline: 1e308 });
    await c.net.clock.advance(100);
    expect(forwarded[0]).toBeLessThanOrEqual(3_000);
    await c.net.clock.advance(3_500);
    const by = c.net.sent;
    await c.net.clock.advance(10_000);
    expect(c.net.sent).toBe(by); // dropped by its cut deadline, not circling
  });
});
