// The ring in the browser: a RingNode (ring.ts) whose transport is the peer pool. The server's
// `ring {serving, served}` orders set the neighbours and its `link {peer, reason: "ring", offer}`
// orders open (offer) or expect the two connections, through the same RTCPeerConnection and
// DataChannel machinery as transfers. A want goes to the serving neighbour; a `ring.have` or
// `ring.miss` goes to the want's origin straight when a channel to it is open, else back along
// the walk it came (each peer's served neighbour is the one before it on the walk) wrapped in a
// `ring.back`, since ring mode has no connection to the origin and the server relays nothing.
import type { Link, RingOrder } from '../signal/messages';
import { RING_DEADLINE_MS, RING_MAX_HOPS, RingNode, type RingMessage } from './ring';
import { type LinkAnswer, type LinkParts, type RoutingLink, Waiters, realClock, sendText, setting } from './link-parts';
import { isInt, isObject, isPeerId } from './wire';

// A ring link this peer opens (offer) and that fails is opened again this often, while the
// server's orders still name that neighbour (ICE can fail once on a busy machine).
const RELINK_MS = 1_000;
const RELINK_TRIES = 3;

interface Back { t: 'ring.back'; to: string; from: string; ttl: number; m: unknown }

export class RingLink implements RoutingLink {
  readonly node: RingNode;
  readonly deadlineMs: number;
  private _maxHops: number;
  private _ordered = false;
  private _offers = new Map<string, number>(); // ring links this peer opens -> reopen tries left
  private _waiters = new Waiters();
  private _stopped = false;

  constructor(
    private _p: LinkParts,
    routing: Record<string, unknown>,
  ) {
    this._maxHops = setting(routing, 'max_hops', RING_MAX_HOPS, 1, 64);
    const deadlineMs = setting(routing, 'deadline_ms', RING_DEADLINE_MS, 100, 60_000);
    // A lookup may first wait for the ring order and its serving link (at most one deadline).
    this.deadlineMs = 2 * deadlineMs;
    const net = { send: (to: string, m: RingMessage) => this._send(to, m), close: (p: string) => this._close(p) };
    this.node = new RingNode(_p.tracker.peerId, net, realClock, { canServe: (h) => _p.canServe(h) }, { maxHops: this._maxHops, deadlineMs });
  }

  order(m: RingOrder): void {
    const id = (v: unknown) => (isPeerId(v) ? v : null);
    this.node.setNeighbours(id(m.serving), id(m.served));
    this._ordered = true;
    this._waiters.wake();
  }

  link(m: Link): void {
    if (m.reason !== 'ring' || !isPeerId(m.peer)) return;
    if (m.offer) {
      this._offers.set(m.peer, RELINK_TRIES);
      this._p.pool.connect(m.peer);
    } else this._p.pool.accept(m.peer);
  }

  opened(): void {
    this._waiters.wake();
  }

  // A failed link to a neighbour still ordered is opened again (by the side that offers).
  closed(peer: string): void {
    const tries = this._offers.get(peer);
    if (!tries || !this._neighbour(peer)) return void this._offers.delete(peer);
    this._offers.set(peer, tries - 1);
    setTimeout(() => !this._stopped && this._neighbour(peer) && !this._p.pool.peers.has(peer) && this._p.pool.connect(peer), RELINK_MS);
  }

  receive(from: string, msg: unknown): void {
    if (!isObject(msg) || typeof msg.t !== 'string' || !msg.t.startsWith('ring.')) return;
    if (msg.t === 'ring.back') return this._back(from, msg);
    this.node.receive(from, msg);
  }

  // Waits (at most a deadline) for the ring order and an open serving link: a page asks for its
  // items as soon as the welcome comes, before the links are up.
  async find(hash: string): Promise<LinkAnswer> {
    const p = this._p.pool;
    await this._waiters.until(() => this._ordered && (!this.node.serving || !!p.peers.get(this.node.serving)?.isOpen), this.deadlineMs / 2);
    const o = await this.node.want(hash);
    return o.found ? { peer: o.holder, reason: 'ring', hops: o.hops } : { miss: `ring_${o.reason}`, hops: o.hops };
  }

  stop(): void {
    this._stopped = true;
    this.node.destroy();
  }

  private _neighbour(p: string): boolean {
    return p === this.node.serving || p === this.node.served;
  }

  private _send(to: string, m: RingMessage): boolean {
    const { peers } = this._p.pool;
    const direct = peers.get(to);
    if (m.t === 'ring.want') return !!direct && sendText(direct, m);
    if (direct?.isOpen) return sendText(direct, m);
    return this._relay({ t: 'ring.back', to, from: this.node.peer, ttl: this._maxHops, m });
  }

  private _relay(b: Back): boolean {
    const back = this.node.served && this._p.pool.peers.get(this.node.served);
    return !!back && sendText(back, b);
  }

  // A have or a miss on its way back to a want's origin: taken only from the serving neighbour
  // (it comes back the way the want went); its `from` is the sender's claim, as a relay cannot be
  // checked (the want's random id is what a forger would need).
  private _back(from: string, b: Record<string, unknown>): void {
    if (from !== this.node.serving || !isPeerId(b.to) || !isPeerId(b.from) || !isInt(b.ttl, 1, this._maxHops) || !isObject(b.m))
      return void this.node.dropped.refused++;
    if (b.to === this.node.peer) return this.node.receive(b.from, b.m);
    if (b.ttl > 1) this._relay({ t: 'ring.back', to: b.to, from: b.from, ttl: b.ttl - 1, m: b.m });
  }

  // An old neighbour (the server re-linked the ring): its connection goes.
  private _close(p: string): void {
    this._offers.delete(p);
    this._p.pool.peers.get(p)?.destroy();
  }
}
