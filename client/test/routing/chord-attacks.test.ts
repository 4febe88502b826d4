// What a peer can send a Chord node over a DataChannel, and what the node does with it: messages
// that do not parse are dropped and counted (one bad message must not stop the node's
// maintenance); a reply is taken only from the peer the lookup was sent on to, and lookup ids
// are random; a record names the peer that sends it, lives at most a record's lifetime, and one
// holder's records are capped.
import { describe, expect, it } from 'vitest';
import { ChordNode, type ChordLookup, type ChordMessage } from '../../src/routing/chord';
import { CHORD_RECORDS_PER_HOLDER, RecordStore } from '../../src/routing/chord-records';
import type { RoutingClock } from '../../src/routing/transport';
import { ChordCrowd, FAST } from './chord-crowd';
import { SimClock, peerIdAt, seeded } from './sim-network';

// On the circle: STRANGER, VICTIM, then BOOT just before ME (so BOOT is ME's predecessor, and
// neither STRANGER nor VICTIM could claim to be).
const random = seeded(11);
const [STRANGER, VICTIM, BOOT, ME] = [0x10000000, 0x20000000, 0x70000000, 0x80000000].map((id) => peerIdAt(id, random));
const H = ChordCrowd.hashAt(0x01020304, 1);
type Sent = { to: string; msg: ChordMessage };

/** A clock like a browser's: a timer callback that throws is reported, not fatal to the page. */
class BrowserClock implements RoutingClock {
  readonly sim = new SimClock();
  readonly errors: unknown[] = [];
  now(): number {
    return this.sim.now();
  }
  after(ms: number, fn: () => void): () => void {
    return this.sim.after(ms, () => {
      try {
        fn();
      } catch (e) {
        this.errors.push(e);
      }
    });
  }
}

/** One node; its sends recorded (and made to throw when `fail` says so). BOOT, a well-behaved
 * peer, acknowledges its finds and answers its asks (ME's predecessor; its only successor ME). */
function node(start: string | null, fail: (m: ChordMessage) => boolean = () => false) {
  const clock = new BrowserClock();
  const sent: Sent[] = [];
  const n = new ChordNode(ME, {
    send: (to, msg) => {
      if (fail(msg)) throw new Error('InvalidStateError: the channel is closing');
      sent.push({ to, msg: JSON.parse(JSON.stringify(msg)) as ChordMessage });
      if (to === BOOT && msg.t === 'chord.ask')
        clock.sim.after(5, () => n.receive(BOOT, { t: 'chord.answer', q: msg.q, pred: ME, succs: [ME] }));
      if (to === BOOT && msg.t === 'chord.find') clock.sim.after(5, () => n.receive(BOOT, { t: 'chord.ack', a: msg.a }));
      return true;
    },
  }, clock, FAST);
  n.start(start);
  const last = <T extends ChordMessage['t']>(t: T) =>
    sent.filter((s) => s.msg.t === t).at(-1) as { to: string; msg: Extract<ChordMessage, { t: T }> } | undefined;
  const count = (t: ChordMessage['t']) => sent.filter((s) => s.msg.t === t).length;
  return { n, clock, sent, last, count };
}

/** A node that joined through BOOT, whose successor is BOOT. */
async function joined(fail?: (m: ChordMessage) => boolean) {
  const x = node(BOOT, fail);
  const find = x.last('chord.find')!.msg;
  x.n.receive(BOOT, { t: 'chord.reply', id: find.id, origin: ME, owner: BOOT, hops: 1, records: [] });
  await flush();
  return x;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

async function settle<T>(clock: SimClock, p: Promise<T>): Promise<T> {
  let out: { v: T } | undefined;
  void p.then((v) => (out = { v }));
  for (let i = 0; i < 400 && !out; i++) {
    clock.runUntil(clock.now() + 10);
    for (let k = 0; k < 4; k++) await Promise.resolve();
  }
  return out!.v;
}

/** A direct put from `from` (one hop, final), naming `origin` as its holder. */
function put(from: string, origin: string, hash: string, ttl = FAST.recordTtlMs!): unknown {
  return { t: 'chord.find', a: 1, id: 77, origin, key: ChordCrowd.keyOf(hash), op: 'put', hash, hops: 1,
    final: true, deadline: 1_000, path: [from], ttl };
}

describe('chord: what a peer may send', () => {
  it('a chord.find put with hash "zz" does not stop a node\'s maintenance', async () => {
    const x = await joined();
    x.n.receive(STRANGER, { t: 'chord.find', a: 1, id: 5, origin: STRANGER, key: 0, op: 'put', hash: 'zz', hops: 1,
      final: true, deadline: 1e12, path: [STRANGER], ttl: 1 });
    expect(x.n.dropped.malformed).toBe(1);
    expect(x.n.records).toBe(0);
    const asks = x.count('chord.ask');
    x.clock.sim.runUntil(10 * FAST.stabiliseMs!);
    expect(x.count('chord.ask')).toBeGreaterThanOrEqual(asks + 8); // still stabilising
    expect(x.clock.errors).toEqual([]);
  });

  it('a chord.answer whose succs is a string does not reach the tables', async () => {
    const x = await joined();
    x.clock.sim.runUntil(FAST.stabiliseMs!);
    const ask = x.last('chord.ask')!;
    expect(ask.to).toBe(BOOT);
    x.n.receive(BOOT, { t: 'chord.answer', q: ask.msg.q, pred: ME, succs: 'not-a-list-of-peer-ids' });
    x.n.receive(BOOT, { t: 'chord.answer', q: ask.msg.q, pred: ME, succs: ['short'] });
    x.n.receive(BOOT, { t: 'chord.answer', q: ask.msg.q, pred: ME, succs: Array(5).fill(VICTIM) }); // over 4
    expect(x.n.dropped.malformed).toBe(3);
    expect(x.n.successors).toEqual([BOOT]);
    const asks = x.count('chord.ask');
    x.clock.sim.runUntil(10 * FAST.stabiliseMs!);
    expect(x.count('chord.ask')).toBeGreaterThan(asks);
    expect(x.clock.errors).toEqual([]);
  });

  it('a chord.leave whose succs or pred is not peer ids is dropped', async () => {
    const x = await joined();
    x.n.receive(BOOT, { t: 'chord.leave', pred: null, succs: 'AAAAAAAAAAAAAAAAAAAAAA' });
    x.n.receive(BOOT, { t: 'chord.leave', pred: 'x', succs: [] });
    expect(x.n.dropped.malformed).toBe(2);
    expect(x.n.successors).toEqual([BOOT]);
  });

  it('a throw inside a maintenance tick does not stop the loop', async () => {
    let throws = 1;
    const x = await joined((m) => m.t === 'chord.ask' && throws-- > 0);
    x.clock.sim.runUntil(10 * FAST.stabiliseMs!);
    expect(x.clock.errors.length).toBe(1);
    expect(x.count('chord.ask')).toBeGreaterThanOrEqual(8);
  });

  it('malformed chord messages are dropped and counted, never thrown', async () => {
    const x = await joined();
    const find = { t: 'chord.find', a: 1, id: 5, origin: STRANGER, key: 7, op: 'find', hops: 1, final: false,
      deadline: 1_000, path: [STRANGER] };
    const rec = { hash: H, peer: VICTIM, expires: 1_000 };
    const bad: unknown[] = [
      null, 'chord.find', [], { t: 'chord.what' },
      { ...find, hops: NaN }, { ...find, hops: -1 }, { ...find, key: 2 ** 32 }, { ...find, deadline: Infinity },
      { ...find, path: 'STRANGER' }, { ...find, hops: 65, path: Array(65).fill(STRANGER) },
      { ...find, op: 'get' }, // a get without its hash
      { ...find, op: 'get', hash: ChordCrowd.hashAt(8, 1) }, // the hash's key is not the key
      { t: 'chord.reply', id: 1, origin: ME, owner: BOOT, hops: 1, records: Array(9).fill(VICTIM) },
      { t: 'chord.reply', id: 1, origin: ME, owner: 'BOOT', hops: 1, records: [] },
      { t: 'chord.handoff', records: Array(1_025).fill(rec) },
      { t: 'chord.handoff', records: [{ ...rec, expires: NaN }] },
      { t: 'chord.ask', q: 1.5, what: 'pred' },
      { t: 'chord.ack', a: '1' },
    ];
    for (const m of bad) expect(() => x.n.receive(BOOT, m)).not.toThrow();
    expect(x.n.dropped.malformed).toBe(bad.length);
    expect(x.n.successors).toEqual([BOOT]);
  });

  it('a forged chord.reply from a stranger does not settle a lookup', async () => {
    // The eclipse: a joining node takes as its successor whatever owner the reply names.
    const x = node(BOOT);
    const find = x.last('chord.find')!;
    expect(find.to).toBe(BOOT);
    // Guessed ids (a counter from 1), then the real one (as a peer on the path would know it)
    // but from a stranger.
    for (const id of [1, 2, 3, find.msg.id])
      x.n.receive(STRANGER, { t: 'chord.reply', id, origin: ME, owner: STRANGER, hops: 1, records: [] });
    await flush();
    expect(x.n.successors).toEqual([]);
    expect(x.n.dropped.refused).toBe(4);
    x.n.receive(BOOT, { t: 'chord.reply', id: find.msg.id, origin: ME, owner: BOOT, hops: 1, records: [] });
    await flush();
    expect(x.n.successors).toEqual([BOOT]);
  });

  it('a chord.ack or chord.answer from a stranger is not taken for the peer asked', async () => {
    const x = await joined();
    // BOOT acknowledges and answers 5 ms after each message: the stranger's come first.
    void x.n.findOwner(0x7f000000);
    const fwd = x.last('chord.find')!;
    expect(fwd.to).toBe(BOOT);
    x.n.receive(STRANGER, { t: 'chord.ack', a: fwd.msg.a });
    expect(x.n.dropped.refused).toBe(1);
    while (!x.last('chord.ask')) x.clock.sim.runUntil(x.clock.now() + 1);
    x.n.receive(STRANGER, { t: 'chord.answer', q: x.last('chord.ask')!.msg.q, pred: STRANGER, succs: [STRANGER] });
    expect(x.n.dropped.refused).toBe(2);
    x.clock.sim.runUntil(x.clock.now() + 100); // BOOT's ack and answer are taken
    expect(x.n.dropped.refused).toBe(2);
    expect(x.n.successors).toEqual([BOOT]);
  });

  it('lookup ids are random, not a counter', async () => {
    const x = await joined();
    void x.n.findOwner(1);
    void x.n.findOwner(2);
    const ids = x.sent.filter((s) => s.msg.t === 'chord.find').map((s) => (s.msg as { id: number }).id);
    expect(ids.length).toBe(3); // the join's and these two
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toBeGreaterThan(2 ** 20);
  });

  it('a relayed reply goes back to the peer the find came from, not to a forged path', async () => {
    const x = await joined();
    // A find from STRANGER claiming a path through VICTIM; this node forwards it to BOOT.
    x.n.receive(STRANGER, { t: 'chord.find', a: 3, id: 99, origin: VICTIM, key: 5, op: 'find', hops: 2, final: false,
      deadline: 1_000, path: [VICTIM, STRANGER] });
    const fwd = x.last('chord.find')!;
    expect(fwd.to).toBe(BOOT);
    // A reply from anyone but BOOT is refused; BOOT's goes to STRANGER (who sent the find).
    x.n.receive(VICTIM, { t: 'chord.reply', id: 99, origin: VICTIM, owner: VICTIM, hops: 3, records: [] });
    expect(x.n.dropped.refused).toBe(1);
    x.n.receive(BOOT, { t: 'chord.reply', id: 99, origin: VICTIM, owner: BOOT, hops: 3, records: [] });
    expect(x.last('chord.reply')).toEqual({ to: STRANGER, msg: { t: 'chord.reply', id: 99, origin: VICTIM, owner: BOOT, hops: 3, records: [] } });
    // The path's last entry must be its sender.
    x.n.receive(STRANGER, { t: 'chord.find', a: 4, id: 100, origin: VICTIM, key: 5, op: 'find', hops: 1, final: false,
      deadline: 1_000, path: [VICTIM] });
    expect(x.n.dropped.refused).toBe(2);
  });

  it('a put naming another peer as holder is not stored', async () => {
    const x = node(null); // alone: owns every key
    x.n.receive(STRANGER, put(STRANGER, VICTIM, H)); // origin (the holder) is not the sender
    const routed = put(STRANGER, VICTIM, H) as { hops: number; path: string[] };
    x.n.receive(STRANGER, { ...routed, hops: 2, path: [VICTIM, STRANGER] }); // routed, not from its holder
    expect(x.n.dropped.refused).toBe(2);
    expect(x.n.records).toBe(0);
    x.n.receive(STRANGER, put(STRANGER, STRANGER, H));
    expect(await settle(x.clock.sim, x.n.lookup(H))).toMatchObject({ found: true, records: [STRANGER] });
  });

  it('a put with a huge ttl lives one record lifetime', async () => {
    const x = node(null);
    x.n.receive(STRANGER, put(STRANGER, STRANGER, H, 1e15));
    x.clock.sim.runUntil(FAST.recordTtlMs! + 1);
    expect(await settle(x.clock.sim, x.n.lookup(H))).toMatchObject({ found: false, reason: 'no_record' });
  });

  it('one holder cannot fill a node\'s record table', () => {
    const x = node(null);
    for (let i = 0; i < CHORD_RECORDS_PER_HOLDER + 10; i++) x.n.receive(STRANGER, put(STRANGER, STRANGER, ChordCrowd.hashAt(i, 2)));
    expect(x.n.records).toBe(CHORD_RECORDS_PER_HOLDER);
    expect(x.n.dropped.refused).toBe(10);
    // Another holder still gets in.
    x.n.receive(VICTIM, put(VICTIM, VICTIM, H));
    expect(x.n.records).toBe(CHORD_RECORDS_PER_HOLDER + 1);
  });

  it('a chord.handoff from a peer that is not a neighbour is not stored', async () => {
    const x = await joined();
    x.n.receive(BOOT, { t: 'chord.notify' }); // BOOT is now predecessor and successor
    x.n.receive(STRANGER, { t: 'chord.handoff', records: [{ hash: H, peer: VICTIM, expires: 1_000 }] });
    expect(x.n.records).toBe(0);
    expect(x.n.dropped.refused).toBe(1);
    x.n.receive(BOOT, { t: 'chord.handoff', records: [{ hash: H, peer: VICTIM, expires: 1e15 }] });
    expect(x.n.records).toBe(1);
  });

  it('a crowd still finds every record published by its holders', async () => {
    const c = new ChordCrowd(21);
    for (let i = 0; i < 12; i++) (c.join(), await c.net.clock.advance(300));
    await c.net.clock.advance(2 * FAST.fixPeriodMs!);
    const holder = c.random();
    await c.publish(holder, H);
    const r: ChordLookup = await c.lookup(c.random(), H);
    expect(r).toMatchObject({ found: true, owner: c.owner(ChordCrowd.keyOf(H)), records: [holder] });
    for (const n of c.nodes.values()) expect(n.dropped).toEqual({ malformed: 0, refused: 0 });
  });
});

describe('chord: the record store caps', () => {
  it('holds at most its cap in all and its cap per holder, and makes room as records expire', () => {
    const s = new RecordStore(10, 4);
    const peers = Array.from({ length: 4 }, () => peerIdAt(Math.floor(random() * 2 ** 32), random));
    let stored = 0;
    for (const p of peers) for (let i = 0; i < 5; i++) stored += s.put(ChordCrowd.hashAt(i, 3), p, 100, 0) ? 1 : 0;
    expect(stored).toBe(10); // 4 + 4 + 2 + 0: the per-holder cap, then the store's
    expect(s.size).toBe(10);
    expect(s.put(ChordCrowd.hashAt(0, 3), peers[0], 200, 0)).toBe(true); // a refresh always fits
    expect(s.put(ChordCrowd.hashAt(9, 3), peers[3], 200, 50)).toBe(false);
    expect(s.put(ChordCrowd.hashAt(9, 3), peers[3], 300, 150)).toBe(true); // the others expired at 100
    expect(s.size).toBe(2);
  });
});
