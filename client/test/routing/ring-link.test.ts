// The ring wired to the peer pool (ring-link.ts), over an in-memory mesh: the server's `ring` and
// `link` orders build the links, a want walks the serving links, and the holder's `ring.have`
// comes back along the walk (`ring.back`) to the origin, which gets the holder and its hops; a
// miss comes back as the miss token's reason; a peer that left costs the deadline, not a hang.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RingLink } from '../../src/routing/ring-link';
import type { LinkAnswer } from '../../src/routing/link-parts';
import { FakeMesh, type Visitor, peerId } from './fake-mesh';

const H = 'ab'.repeat(32);
const ROUTING = { strategy: 'ring', max_hops: 16, deadline_ms: 2000 };

// n visitors on one ring, in order: each sends its wants to the next (its `serving`).
function ring(n: number) {
  const mesh = new FakeMesh();
  const vs: Visitor[] = [];
  for (let i = 0; i < n; i++) vs.push(mesh.add(peerId(i + 1)));
  const links = vs.map((v) => (v.link = new RingLink(v.parts(), ROUTING)));
  order(vs);
  return { mesh, vs, links: links as RingLink[] };
}
function order(vs: Visitor[]) {
  const n = vs.length;
  vs.forEach((v, i) => {
    const serving = vs[(i + 1) % n].peerId;
    const served = vs[(i + n - 1) % n].peerId;
    v.link!.order!({ type: 'ring', serving, served });
    v.link!.link({ type: 'link', peer: serving, reason: 'ring', offer: true });
    v.link!.link({ type: 'link', peer: served, reason: 'ring', offer: false });
  });
}
async function find(link: RingLink, hash = H): Promise<{ r: LinkAnswer; ms: number }> {
  const t0 = Date.now();
  let r: LinkAnswer | undefined;
  void link.find(hash).then((x) => (r = x));
  for (let i = 0; i < 100 && !r; i++) await vi.advanceTimersByTimeAsync(50);
  return { r: r!, ms: Date.now() - t0 };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ring link', () => {
  it('opens the link it is told to offer and waits for the one it is told to expect', () => {
    const { vs } = ring(3);
    expect(vs[0].peers.get(vs[1].peerId)?.initiator).toBe(true);
    expect(vs[0].peers.get(vs[2].peerId)?.initiator).toBe(false);
  });

  it("a want walks two hops to the holder and the have comes back along the walk", async () => {
    const { vs, links } = ring(5);
    vs[2].held.add(H);
    const { r } = await find(links[0]);
    expect(r).toEqual({ peer: vs[2].peerId, reason: 'ring', hops: 2 });
    expect(links.every((l) => l.node.dropped.refused === 0 && l.node.dropped.malformed === 0)).toBe(true);
  });

  it('a have goes straight to the origin over a channel it already has', async () => {
    const { mesh, vs, links } = ring(5);
    vs[3].held.add(H);
    vs[0].pool.connect(vs[3].peerId); // a transfer channel from an earlier item
    await vi.advanceTimersByTimeAsync(5);
    const before = mesh.sentTexts;
    const { r } = await find(links[0]);
    expect(r).toMatchObject({ peer: vs[3].peerId, hops: 3 });
    expect(mesh.sentTexts - before).toBe(4); // 3 hops out, 1 back (not 3)
  });

  it('a want nobody holds comes back to its origin: ring_came_back', async () => {
    const { links } = ring(4);
    const { r } = await find(links[1]);
    expect(r).toEqual({ miss: 'ring_came_back', hops: 4 });
  });

  it('without a ring order it waits, then ring_no_neighbour', async () => {
    const mesh = new FakeMesh();
    const v = mesh.add(peerId(1));
    const link = (v.link = new RingLink(v.parts(), ROUTING));
    const { r, ms } = await find(link);
    expect(r).toEqual({ miss: 'ring_no_neighbour', hops: 0 });
    expect(ms).toBeGreaterThanOrEqual(2000);
    expect(ms).toBeLessThan(2100);
  });

  it('alone on the ring (null neighbours): ring_no_neighbour at once', async () => {
    const mesh = new FakeMesh();
    const v = mesh.add(peerId(1));
    const link = (v.link = new RingLink(v.parts(), ROUTING));
    link.order({ type: 'ring', serving: null, served: null });
    const { r, ms } = await find(link);
    expect(r).toEqual({ miss: 'ring_no_neighbour', hops: 0 });
    expect(ms).toBeLessThan(100);
  });

  it('a peer on the walk that left costs the deadline; after the repair the holder is found', async () => {
    const { mesh, vs, links } = ring(5);
    vs[3].held.add(H);
    await vi.advanceTimersByTimeAsync(5);
    // vs[1] leaves abruptly: its channels stay "open" on the others' side, the messages are lost.
    mesh.gone.add(vs[1].peerId);
    vs[1].link!.stop();
    vs[1].link = undefined;
    const { r, ms } = await find(links[0]);
    expect(r).toEqual({ miss: 'ring_deadline', hops: 0 });
    expect(ms).toBeLessThanOrEqual(2050);
    mesh.leave(vs[1].peerId);
    const rest = vs.filter((_, i) => i !== 1);
    order(rest); // the server links the leaver's neighbours
    const again = await find(links[0]);
    expect(again.r).toEqual({ peer: vs[3].peerId, reason: 'ring', hops: 2 });
  });

  it('the server re-links the ring: the old neighbour connection is closed', async () => {
    const { vs } = ring(4);
    await vi.advanceTimersByTimeAsync(5);
    const old = vs[0].peers.get(vs[1].peerId)!;
    order([vs[0], vs[2], vs[3]]);
    expect(old.destroyed).toBe(true);
    expect(vs[0].peers.get(vs[2].peerId)?.destroyed).toBe(false);
  });

  it('a ring.back from a peer that is not the serving neighbour is refused', async () => {
    const { vs, links } = ring(4);
    await vi.advanceTimersByTimeAsync(5);
    const have = { t: 'ring.have', id: 1, hash: H, holder: vs[2].peerId, hops: 2 };
    links[0].receive(vs[3].peerId, { t: 'ring.back', to: vs[0].peerId, from: vs[2].peerId, ttl: 16, m: have }); // from served
    expect(links[0].node.dropped.refused).toBe(1);
    links[0].receive(vs[1].peerId, { t: 'ring.back', to: vs[0].peerId, from: vs[2].peerId, ttl: 99, m: have }); // ttl past the limit
    expect(links[0].node.dropped.refused).toBe(2);
  });
});
