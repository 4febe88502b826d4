// A crowd of Chord peers over the simulated network, with a brute-force view of the truth (who is
// on-line, who owns a key, which records should be found) to check the state machines against.
import { ChordNode, type ChordLookup, type ChordMessage, type ChordOptions } from '../../src/routing/chord';
import { distance, idOfPeer, keyOfHash } from '../../src/routing/ids';
import { SimNetwork, peerIdFrom } from './sim-network';

// Short periods so that tests settle in simulated seconds (the ratios are the defaults').
export const FAST: ChordOptions = {
  fingers: 16,
  stabiliseMs: 1_000,
  fixPeriodMs: 4_000,
  republishMs: 20_000,
  recordTtlMs: 22_000,
};

export class ChordCrowd {
  readonly net: SimNetwork<ChordMessage>;
  readonly nodes = new Map<string, ChordNode>();
  /** hash -> peers that published it (and are on-line) */
  readonly published = new Map<string, Set<string>>();

  constructor(seed: number, readonly opts: ChordOptions = FAST) {
    this.net = new SimNetwork<ChordMessage>(seed);
  }

  join(peer = peerIdFrom(this.net.random)): string {
    const node = new ChordNode(peer, this.net.transport(peer), this.net.clock, this.opts);
    const live = [...this.nodes.keys()];
    this.nodes.set(peer, node);
    this.net.attach(peer, node);
    // The server names any peer already on the ring as the way in (welcome.routing).
    node.start(live.length ? live[Math.floor(this.net.random() * live.length)] : null);
    return peer;
  }

  leave(peer: string, clean: boolean): void {
    this.nodes.get(peer)!.leave(clean);
    this.nodes.delete(peer);
    this.net.leave(peer, clean ? 'clean' : 'abrupt');
    for (const holders of this.published.values()) holders.delete(peer);
  }

  async publish(peer: string, hash: string): Promise<void> {
    if (!this.published.has(hash)) this.published.set(hash, new Set());
    this.published.get(hash)!.add(peer);
    await this.run(this.nodes.get(peer)!.publish(hash));
  }

  /** The true owner of a key: the first live peer at or after it. */
  owner(key: number): string {
    let best: string | null = null;
    for (const p of this.nodes.keys())
      if (best === null || distance(key, idOfPeer(p)) < distance(key, idOfPeer(best))) best = p;
    return best!;
  }

  random(): string {
    const live = [...this.nodes.keys()];
    return live[Math.floor(this.net.random() * live.length)];
  }

  async run<T>(p: Promise<T>): Promise<T> {
    let out: { v: T } | undefined;
    void p.then((v) => (out = { v }));
    while (!out) await this.net.clock.advance(10);
    return out.v;
  }

  lookup(from: string, hash: string): Promise<ChordLookup> {
    return this.run(this.nodes.get(from)!.lookup(hash));
  }
  findOwner(from: string, key: number): Promise<ChordLookup> {
    return this.run(this.nodes.get(from)!.findOwner(key));
  }

  /** A content hash (64 hex digits) whose key is `key`. */
  static hashAt(key: number, tag: number): string {
    return key.toString(16).padStart(8, '0') + tag.toString(16).padStart(56, '0');
  }
  static keyOf = keyOfHash;
}

/** The hop bound the tests hold Chord to: 2 log2(N) + 2 (the simulator's test uses the same). */
export function hopBound(n: number): number {
  return 2 * Math.ceil(Math.log2(Math.max(2, n))) + 2;
}
