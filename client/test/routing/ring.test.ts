// The ring state machine over a simulated network: wants walk the ring to the first free holder,
// come back when nobody has it, stop at the hop limit, and fail over to the origin within their
// deadline when a peer on the way left; the server's repair orders close the gap.
import { describe, expect, it } from 'vitest';
import { RING_DEADLINE_MS, RingNode, type RingMessage, type RingOutcome } from '../../src/routing/ring';
import { SimNetwork, peerIdFrom } from './sim-network';

// The server's side of the ring, as a test double: an order of peers, and the two orders it
// gives on a join or a leave (docs/routing.md, "Server side").
class RingCrowd {
  readonly net: SimNetwork<RingMessage>;
  readonly order: string[] = [];
  readonly nodes = new Map<string, RingNode>();
  readonly held = new Map<string, Set<string>>();
  constructor(seed: number, readonly maxHops = 16) {
    this.net = new SimNetwork<RingMessage>(seed);
  }
  join(at = this.order.length): string {
    const peer = peerIdFrom(this.net.random);
    const node = new RingNode(peer, this.net.transport(peer), this.net.clock, {
      canServe: (h) => this.held.get(peer)?.has(h) ?? false,
    }, { maxHops: this.maxHops });
    this.nodes.set(peer, node);
    this.net.attach(peer, node);
    this.order.splice(at, 0, peer);
    this.repairAround(at);
    return peer;
  }
  /** A peer leaves; the server notices (at once, or `noticeMs` later) and repairs the ring. */
  leave(peer: string, how: 'clean' | 'abrupt', noticeMs = 0): void {
    this.net.leave(peer, how);
    this.nodes.get(peer)!.destroy();
    this.nodes.delete(peer);
    const repair = () => {
      const i = this.order.indexOf(peer);
      this.order.splice(i, 1);
      if (this.order.length) this.repairAround(i % this.order.length);
    };
    if (noticeMs > 0) this.net.clock.after(noticeMs, repair);
    else repair();
  }
  hold(peer: string, hash: string): void {
    if (!this.held.has(peer)) this.held.set(peer, new Set());
    this.held.get(peer)!.add(hash);
  }
  private repairAround(i: number): void {
    const n = this.order.length;
    for (const k of [i - 1, i, i + 1]) {
      const j = ((k % n) + n) % n;
      const p = this.order[j];
      this.nodes.get(p)?.setNeighbours(this.order[(j + 1) % n], this.order[(j - 1 + n) % n]);
    }
  }
  async want(from: string, hash: string): Promise<{ outcome: RingOutcome; ms: number }> {
    const start = this.net.clock.now();
    let outcome: RingOutcome | undefined;
    void this.nodes.get(from)!.want(hash).then((o) => (outcome = o));
    while (!outcome) await this.net.clock.advance(10);
    return { outcome, ms: this.net.clock.now() - start };
  }
}

function crowd(n: number, seed = 1, maxHops = 16): RingCrowd {
  const c = new RingCrowd(seed, maxHops);
  for (let i = 0; i < n; i++) c.join();
  return c;
}

describe('ring', () => {
  it('keeps one circle: each peer serves the one behind it', () => {
    const c = crowd(8);
    for (let i = 0; i < 8; i++) {
      const node = c.nodes.get(c.order[i])!;
      expect(node.serving).toBe(c.order[(i + 1) % 8]);
      expect(node.served).toBe(c.order[(i + 7) % 8]);
    }
  });

  it('a want travels down the ring to the first holder and counts its hops', async () => {
    const c = crowd(10);
    c.hold(c.order[6], 'h');
    c.hold(c.order[8], 'h');
    const { outcome } = await c.want(c.order[0], 'h');
    expect(outcome).toEqual({ found: true, holder: c.order[6], hops: 6 });
  });

  it('a want nobody can serve comes back to its origin after a full round', async () => {
    const c = crowd(10);
    const { outcome } = await c.want(c.order[4], 'nobody');
    expect(outcome).toEqual({ found: false, reason: 'came_back', hops: 10 });
  });

  it('the hop limit stops the walk and the last peer tells the origin', async () => {
    const c = crowd(10, 2, 3);
    c.hold(c.order[5], 'h');
    const { outcome } = await c.want(c.order[0], 'h');
    expect(outcome).toEqual({ found: false, reason: 'ttl', hops: 3 });
  });

  it('a want across a peer that left abruptly fails over within its deadline', async () => {
    const c = crowd(10, 3);
    c.hold(c.order[7], 'h');
    c.leave(c.order[3], 'abrupt', 15_000); // noticed by the server only after 15 s
    const { outcome, ms } = await c.want(c.order[0], 'h');
    expect(outcome).toMatchObject({ found: false, reason: 'deadline' });
    expect(ms).toBeLessThanOrEqual(RING_DEADLINE_MS + 10);
    // Once the server has noticed and ordered the neighbours to connect, the ring carries it.
    await c.net.clock.advance(15_000);
    const again = await c.want(c.order[0], 'h');
    expect(again.outcome).toMatchObject({ found: true, hops: 6 });
  });

  it('a clean leave is repaired at once', async () => {
    const c = crowd(6, 4);
    c.hold(c.order[4], 'h');
    c.leave(c.order[2], 'clean');
    const { outcome } = await c.want(c.order[0], 'h');
    expect(outcome).toEqual({ found: true, holder: c.order[3], hops: 3 });
  });

  it('alone on the ring: straight to the origin', async () => {
    const c = crowd(1);
    const { outcome, ms } = await c.want(c.order[0], 'h');
    expect(outcome).toEqual({ found: false, reason: 'no_neighbour', hops: 0 });
    expect(ms).toBeLessThanOrEqual(10);
  });

  // Property: after any sequence of joins and leaves (each repaired), every want ends by its
  // deadline; a found holder really holds the item; and a want answered `came_back` or `ttl` had
  // no free holder within reach. With the ring settled, the answer is the first holder ahead.
  it('joins and leaves at every step (seeds 1..30)', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const c = crowd(4, seed);
      const r = c.net.random;
      for (let step = 0; step < 25; step++) {
        if (c.order.length < 3 || r() < 0.55) c.join(Math.floor(r() * (c.order.length + 1)));
        else c.leave(c.order[Math.floor(r() * c.order.length)], r() < 0.5 ? 'clean' : 'abrupt');
        const holder = c.order[Math.floor(r() * c.order.length)];
        const hash = `h${seed}-${step}`;
        c.hold(holder, hash);
        const from = c.order[Math.floor(r() * c.order.length)];
        const { outcome, ms } = await c.want(from, hash);
        expect(ms, `seed ${seed} step ${step}`).toBeLessThanOrEqual(RING_DEADLINE_MS + 10);
        const at = c.order.indexOf(from);
        const ahead = (c.order.indexOf(holder) - at + c.order.length) % c.order.length;
        if (from === holder) {
          expect(outcome).toMatchObject({ found: false, reason: 'came_back', hops: c.order.length });
        } else if (ahead > c.maxHops) {
          expect(outcome).toEqual({ found: false, reason: 'ttl', hops: c.maxHops });
        } else {
          expect(outcome, `seed ${seed} step ${step}`).toEqual({ found: true, holder, hops: ahead });
        }
      }
    }
  });
});
