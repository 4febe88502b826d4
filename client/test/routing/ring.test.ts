// The ring state machine over a simulated network: wants walk the ring to the first free holder,
// come back when nobody has it, stop at the hop limit, and fail over to the origin within their
// deadline when a peer on the way left; the server's repair orders close the gap.
import { describe, expect, it } from 'vitest';
import { RING_DEADLINE_MS } from '../../src/routing/ring';
import { RingCrowd } from './ring-crowd';

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
  it('joins and leaves at every step (seeds 1..120)', async () => {
    for (let seed = 1; seed <= 120; seed++) {
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
        if (from === holder && c.order.length <= c.maxHops) {
          expect(outcome).toEqual({ found: false, reason: 'came_back', hops: c.order.length });
        } else if (from === holder || ahead > c.maxHops) {
          expect(outcome).toEqual({ found: false, reason: 'ttl', hops: c.maxHops });
        } else {
          expect(outcome, `seed ${seed} step ${step}`).toEqual({ found: true, holder, hops: ahead });
        }
      }
    }
  });
});
