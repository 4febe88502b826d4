// Chord wired to the peer pool (chord-link.ts), over an in-memory mesh and a fake server that
// answers `connect {peer, reason}` with `link` to both sides: a newcomer reaches the ring through
// its bootstrap, messages to a peer with no channel wait for the link (a hop waits for the set-up
// rather than timing out), published records are found from another peer and answered with a
// holder for `connect {.., reason: "chord"}`, and a refused or closed link leaves the tables.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChordLink } from '../../src/routing/chord-link';
import { idOfPeer, keyOfHash } from '../../src/routing/ids';
import type { LinkAnswer } from '../../src/routing/link-parts';
import { FakeMesh, type Visitor, peerId } from './fake-mesh';

const H = 'cd'.repeat(32);
const ROUTING = { strategy: 'chord', fingers: 8, successors: 4, stabilise_ms: 500, fix_period_ms: 4000, republish_ms: 60_000, record_ttl_ms: 66_000, max_connections: 12, deadline_ms: 2000 };
// The server's link set-up time, as a real WebRTC connection through its signals (ms): longer
// than Chord's 500 ms hop timeout, which a hop must not take for a silent peer.
const LINK_MS = 700;

function server(mesh: FakeMesh, refuse = new Set<string>(), linkMs = LINK_MS) {
  mesh.server = (from, m) => {
    if (m.type !== 'connect' || typeof m.id === 'number') return;
    const to = mesh.visitors.get(m.peer as string);
    setTimeout(() => {
      if (!to || mesh.gone.has(to.peerId) || refuse.has(to.peerId))
        return from.link?.error?.({ type: 'error', code: 'peer_gone', ref: 'connect', peer: m.peer });
      from.link?.link({ type: 'link', peer: to.peerId, reason: m.reason as string, offer: true });
      to.link?.link({ type: 'link', peer: from.peerId, reason: m.reason as string, offer: false });
    }, linkMs);
  };
}

async function crowd(n: number) {
  const mesh = new FakeMesh();
  server(mesh);
  const vs: Visitor[] = [];
  for (let i = 0; i < n; i++) {
    const v = mesh.add(peerId((i * 7919) % 97 + 1));
    v.link = new ChordLink(v.parts(), { ...ROUTING, bootstrap: vs[0]?.peerId ?? null });
    vs.push(v);
    await vi.advanceTimersByTimeAsync(300);
  }
  await vi.advanceTimersByTimeAsync(15_000); // stabilisation rounds
  return { mesh, vs, links: vs.map((v) => v.link as ChordLink) };
}
async function find(link: ChordLink, hash = H): Promise<LinkAnswer> {
  let r: LinkAnswer | undefined;
  void link.find(hash).then((x) => (r = x));
  for (let i = 0; i < 100 && !r; i++) await vi.advanceTimersByTimeAsync(50);
  return r!;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('chord link', () => {
  it('a newcomer asks the server for its bootstrap link, and its first message waits for it', async () => {
    const mesh = new FakeMesh();
    server(mesh);
    const a = mesh.add(peerId(10));
    a.link = new ChordLink(a.parts(), { ...ROUTING, bootstrap: null });
    const b = mesh.add(peerId(50));
    const link = (b.link = new ChordLink(b.parts(), { ...ROUTING, bootstrap: a.peerId }));
    expect(b.sent).toContainEqual({ type: 'connect', peer: a.peerId, reason: 'bootstrap' });
    await vi.advanceTimersByTimeAsync(LINK_MS + 100); // past the 500 ms hop timeout: still waiting, then sent
    await vi.advanceTimersByTimeAsync(6_000);
    expect(link.node.successors[0]).toBe(a.peerId);
    expect((a.link as ChordLink).node.successors[0]).toBe(b.peerId);
  });

  it('a lookup made at once by a newcomer waits for its join, and finds the record', async () => {
    const mesh = new FakeMesh();
    server(mesh);
    const a = mesh.add(peerId(10));
    const la = (a.link = new ChordLink(a.parts(), { ...ROUTING, bootstrap: null }));
    la.held([H]);
    await vi.advanceTimersByTimeAsync(100);
    const b = mesh.add(peerId(50));
    const lb = (b.link = new ChordLink(b.parts(), { ...ROUTING, bootstrap: a.peerId }));
    expect(await find(lb)).toMatchObject({ peer: a.peerId, reason: 'chord' });
  });

  it('six peers form one ring in id order', async () => {
    const { vs, links } = await crowd(6);
    const sorted = [...vs].sort((x, y) => ((x.link as ChordLink).node.id - (y.link as ChordLink).node.id));
    sorted.forEach((v, i) => expect((v.link as ChordLink).node.successors[0]).toBe(sorted[(i + 1) % 6].peerId));
    expect(links.every((l) => l.node.dropped.malformed === 0)).toBe(true);
  });

  it('a published record is found from another peer: a holder for connect reason chord', async () => {
    const { vs, links } = await crowd(6);
    links[2].held([H]);
    await vi.advanceTimersByTimeAsync(3_000);
    const r = await find(links[4]);
    expect(r).toMatchObject({ peer: vs[2].peerId, reason: 'chord' });
    expect((r as { hops: number }).hops).toBeGreaterThanOrEqual(1);
    // No `want` goes to the server in chord mode; the lookup found its holder among the peers.
    expect(vs.every((v) => v.sent.every((m) => m.type !== 'want'))).toBe(true);
  });

  it('among the records, a holder with an open channel is chosen', async () => {
    const { vs, links } = await crowd(6);
    for (const i of [1, 2, 3]) links[i].held([H]);
    await vi.advanceTimersByTimeAsync(3_000);
    const asker = vs[5];
    for (const v of vs.slice(1, 4)) asker.peers.get(v.peerId)?.destroy(); // no channel to the holders...
    await vi.advanceTimersByTimeAsync(10);
    asker.pool.connect(vs[2].peerId); // ...but one, from an earlier transfer
    await vi.advanceTimersByTimeAsync(10);
    for (let q = 0; q < 5; q++) expect(await find(links[5])).toMatchObject({ peer: vs[2].peerId, reason: 'chord' });
  });

  it('a publish whose put outlasts the deadline (a slow link to the owner) is tried again, well before the republish', async () => {
    const { mesh, vs, links } = await crowd(6);
    // A holder and a key's owner with no channel between them yet.
    let pair: [number, number] | undefined;
    for (let h = 0; h < 6 && !pair; h++) for (let o = 0; o < 6 && !pair; o++) if (h !== o && !vs[h].peers.has(vs[o].peerId)) pair = [h, o];
    expect(pair).toBeDefined();
    const [h, o] = pair!;
    const hash = ('0000000' + idOfPeer(vs[o].peerId).toString(16)).slice(-8) + 'ab'.repeat(28); // the owner's own key
    server(mesh, new Set(), 2_500); // links now take longer than a lookup's 2 s deadline
    links[h].held([hash]);
    await vi.advanceTimersByTimeAsync(8_000); // < republish_ms (60 s)
    const asker = links.findIndex((_, i) => i !== h && i !== o);
    expect(await find(links[asker], hash)).toMatchObject({ peer: vs[h].peerId, reason: 'chord' });
  });

  it('nobody published it: chord_no_record', async () => {
    const { links } = await crowd(4);
    expect(await find(links[1])).toMatchObject({ miss: 'chord_no_record' });
  });

  it('a record of our own only is no holder: chord_no_record', async () => {
    const { links } = await crowd(4);
    links[1].held([H]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await find(links[1])).toMatchObject({ miss: 'chord_no_record' });
  });

  it('a refused connect drops its peer from the tables at once', async () => {
    const mesh = new FakeMesh();
    const gone = peerId(60);
    server(mesh, new Set([gone]));
    const a = mesh.add(peerId(10));
    const link = (a.link = new ChordLink(a.parts(), { ...ROUTING, bootstrap: gone }));
    await vi.advanceTimersByTimeAsync(LINK_MS + 10);
    expect(a.sent).toContainEqual({ type: 'connect', peer: gone, reason: 'bootstrap' });
    expect(link.node.successors).toEqual([]);
  });

  it('a bootstrap that is gone: the newcomer joins through a peer it still has a channel to', async () => {
    const mesh = new FakeMesh();
    const gone = peerId(60);
    server(mesh, new Set([gone]));
    const a = mesh.add(peerId(10));
    a.link = new ChordLink(a.parts(), { ...ROUTING, bootstrap: null });
    const b = mesh.add(peerId(30));
    b.pool.connect(a.peerId); // a transfer channel from an earlier item
    const link = (b.link = new ChordLink(b.parts(), { ...ROUTING, bootstrap: gone }));
    await vi.advanceTimersByTimeAsync(LINK_MS + 2_000);
    expect(link.node.successors[0]).toBe(a.peerId);
  });

  it('a routing link closed by the other side leaves the tables; one this node drops is unlinked', async () => {
    const { mesh, vs, links } = await crowd(4);
    const sorted = [...vs].sort((x, y) => (x.link as ChordLink).node.id - (y.link as ChordLink).node.id);
    const leaver = sorted[1];
    const before = sorted[0];
    mesh.leave(leaver.peerId);
    await vi.advanceTimersByTimeAsync(10);
    expect(before.sent).not.toContainEqual({ type: 'unlink', peer: leaver.peerId });
    expect((before.link as ChordLink).node.successors).not.toContain(leaver.peerId);
    await vi.advanceTimersByTimeAsync(5_000);
    expect((before.link as ChordLink).node.successors[0]).toBe(sorted[2].peerId);
    // This node drops a peer it holds a routing connection with (silent, or over the cap).
    const other = sorted[2];
    (before.link as ChordLink).node.gone(other.peerId);
    expect(before.sent).toContainEqual({ type: 'unlink', peer: other.peerId });
    expect(before.peers.get(other.peerId)).toBeUndefined();
    expect(links.length).toBe(4);
  });

  it('a lookup through peers that left ends by its deadline', async () => {
    const { mesh, vs, links } = await crowd(6);
    links[3].held([H]);
    await vi.advanceTimersByTimeAsync(3_000);
    // The finder is the key's owner's successor, so its lookup must cross the others; all of them
    // leave abruptly: their channels stay up on its side and lose what they carry.
    const key = keyOfHash(H);
    const sorted = [...links].sort((x, y) => x.node.id - y.node.id);
    const owner = sorted.find((l) => l.node.id >= key) ?? sorted[0];
    const finder = sorted[(sorted.indexOf(owner) + 1) % sorted.length];
    for (const v of vs) if (v.link !== finder) (mesh.gone.add(v.peerId), (v.link = undefined));
    const t0 = Date.now();
    const r = await find(finder);
    expect(r).toMatchObject({ miss: expect.stringMatching(/^chord_(deadline|no_record)$/) });
    expect(Date.now() - t0).toBeLessThanOrEqual(2100);
  });
});
