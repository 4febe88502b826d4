// The browser wiring's world in memory (tests of ring-link.ts and chord-link.ts): each visitor has
// a fake tracker socket (what it sends is recorded, and a fake server may answer) and a fake peer
// pool whose channels deliver text messages to the other side's link, in order, a macrotask later.
// A channel opens a tick after both sides made it; destroying one side closes both, and each
// side's link hears `closed` as it would from the real pool.
import type { RoutingLink } from '../../src/routing/link-parts';

export class FakePeer {
  isOpen = false;
  destroyed = false;
  remote?: FakePeer;
  constructor(
    readonly id: string,
    readonly initiator: boolean,
    private _owner: Visitor,
  ) {}
  async sendRouting(text: string): Promise<void> {
    if (this.destroyed) throw new Error('destroyed');
    const msg = JSON.parse(text);
    this._owner.mesh.sentTexts++;
    setTimeout(() => {
      const r = this.remote;
      if (r && !r.destroyed && !this.destroyed) r._owner.link?.receive(this._owner.peerId, msg);
    }, 0);
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.isOpen = false;
    this._owner.drop(this);
    queueMicrotask(() => this._owner.link?.closed(this.id));
    this.remote?.destroy();
  }
}

export class Visitor {
  sent: Record<string, unknown>[] = [];
  link?: RoutingLink;
  held = new Set<string>();
  readonly peers = new Map<string, FakePeer>();
  readonly tracker: { peerId: string; isReady: boolean; send(m: object): boolean };
  readonly pool: { peers: Map<string, FakePeer>; connect(id: string): FakePeer; accept(id: string): FakePeer };
  constructor(
    readonly mesh: FakeMesh,
    readonly peerId: string,
  ) {
    this.tracker = { peerId, isReady: true, send: (m) => (this.sent.push(m as Record<string, unknown>), mesh.server?.(this, m as Record<string, unknown>), true) };
    this.pool = { peers: this.peers, connect: (id) => this._make(id, true), accept: (id) => this._make(id, false) };
  }
  parts() {
    return { tracker: this.tracker, pool: this.pool as never, canServe: (h: string) => this.held.has(h) };
  }
  drop(p: FakePeer): void {
    if (this.peers.get(p.id) === p) this.peers.delete(p.id);
  }
  private _make(id: string, initiator: boolean): FakePeer {
    const had = this.peers.get(id);
    if (had && !had.destroyed) return had;
    const p = new FakePeer(id, initiator, this);
    this.peers.set(id, p);
    const other = this.mesh.visitors.get(id);
    const mirror = other?.peers.get(this.peerId);
    if (other && !other.mesh.gone.has(id)) {
      // The other side's half: made now (an offer arrives) unless it made it already.
      const r = mirror && !mirror.destroyed ? mirror : new FakePeer(this.peerId, !initiator, other);
      other.peers.set(this.peerId, r);
      p.remote = r;
      r.remote = p;
      setTimeout(() => {
        if (p.destroyed || r.destroyed) return;
        p.isOpen = r.isOpen = true;
        this.link?.opened(id);
        other.link?.opened(this.peerId);
      }, 1);
    }
    return p;
  }
}

export class FakeMesh {
  readonly visitors = new Map<string, Visitor>();
  readonly gone = new Set<string>();
  sentTexts = 0;
  /** What the server does with a visitor's message (none: only recorded). */
  server?: (from: Visitor, m: Record<string, unknown>) => void;
  add(peerId: string): Visitor {
    const v = new Visitor(this, peerId);
    this.visitors.set(peerId, v);
    return v;
  }
  /** The visitor's page closes: every channel of it closes, on both sides. */
  leave(peerId: string): void {
    const v = this.visitors.get(peerId)!;
    this.gone.add(peerId);
    v.link?.stop();
    v.link = undefined;
    for (const p of [...v.peers.values()]) p.destroy();
  }
}

/** A peer id (22 base64url characters) from a small number, in that number's order on the circle. */
export function peerId(n: number): string {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0, v = n; i < 4; i++, v = Math.floor(v / 64)) s = a[v % 64] + s;
  return (s + 'AAAAAAAAAAAAAAAAAAAAAAAA').slice(0, 22);
}
