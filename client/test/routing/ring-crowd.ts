// The server's side of the ring as a test double, over the simulated network.
import { RingNode, type RingMessage, type RingOutcome } from '../../src/routing/ring';
import { SimNetwork, peerIdFrom } from './sim-network';

// The server's side of the ring, as a test double: an order of peers, and the two orders it
// gives on a join or a leave (docs/routing.md, "Server side").
export class RingCrowd {
  readonly net: SimNetwork<RingMessage>;
  readonly order: string[] = [];
  readonly nodes = new Map<string, RingNode>();
  readonly held = new Map<string, Set<string>>();
  /** Peers whose upload slots are all taken. */
  readonly busy = new Set<string>();
  constructor(seed: number, readonly maxHops = 16) {
    this.net = new SimNetwork<RingMessage>(seed);
  }
  join(at = this.order.length): string {
    const peer = peerIdFrom(this.net.random);
    const node = new RingNode(peer, this.net.transport(peer), this.net.clock, {
      canServe: (h) => (this.held.get(peer)?.has(h) ?? false) && !this.busy.has(peer),
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
  /** The peer holds the item named `label` (a content hash made from it: see hashOf). */
  hold(peer: string, label: string): void {
    if (!this.held.has(peer)) this.held.set(peer, new Set());
    this.held.get(peer)!.add(hashOf(label));
  }
  private repairAround(i: number): void {
    const n = this.order.length;
    for (const k of [i - 1, i, i + 1]) {
      const j = ((k % n) + n) % n;
      const p = this.order[j];
      this.nodes.get(p)?.setNeighbours(this.order[(j + 1) % n], this.order[(j - 1 + n) % n]);
    }
  }
  async want(from: string, label: string): Promise<{ outcome: RingOutcome; ms: number }> {
    const start = this.net.clock.now();
    let outcome: RingOutcome | undefined;
    void this.nodes.get(from)!.want(hashOf(label)).then((o) => (outcome = o));
    while (!outcome) await this.net.clock.advance(10);
    return { outcome, ms: this.net.clock.now() - start };
  }
}


/** A content hash (64 hex digits) named by a test's label: FNV-1a of the label, 8 times salted.
 * Peers check hashes on the wire, so the tests' items need real-looking ones. */
export function hashOf(label: string): string {
  let out = '';
  for (let salt = 0; salt < 8; salt++) {
    let h = 0x811c9dc5 ^ salt;
    for (const ch of label) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}
