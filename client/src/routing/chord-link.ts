// Chord in the browser: a ChordNode (chord.ts) whose transport is the peer pool. A message to a
// peer with no channel asks the server for a routing connection (`connect {peer, reason}`) and
// waits, queued, for its `link {peer, reason, offer}`; a hop waits for that set-up (the
// transport's `connecting`) instead of timing out. What this visitor holds is published as
// provider records (it is still announced to the server too); a lookup goes through Chord, and
// the transfer from a holder it found through `connect {id, peer, hash, reason: "chord"}`.
import type { ErrorMessage, Link } from '../signal/messages';
import { CHORD_DEADLINE_MS, CHORD_FINGERS, CHORD_FIX_PERIOD_MS, CHORD_MAX_CONNECTIONS, CHORD_RECORD_TTL_MS, CHORD_REPUBLISH_MS, CHORD_STABILISE_MS, CHORD_SUCCESSORS, ChordNode, type ChordMessage } from './chord';
import { type LinkAnswer, type LinkParts, type RoutingLink, realClock, sendText, setting } from './link-parts';
import { isObject, isPeerId } from './wire';

// The server answers a `connect` at once; a link that does not come in this long is given up
// (the peer is dropped from the tables as if it were silent).
const LINK_WAIT_MS = 5_000;
// How often a lookup made before the join looks whether it is done, and for how long at most: a
// connection set-up's budget (the default connect_timeout; across NATs in the WAN lab the link to
// the bootstrap took over the 2 s of the join's own lookup, which then ran again a stabilisation
// period later, and a newcomer's page met a lone node that "owns" every key with no records).
const JOIN_POLL_MS = 50;
const JOIN_WAIT_MS = 5_000;
// A publish that failed (no owner found, or the put unanswered) is tried again this often, this
// many times in all, before the node's own republish period.
const PUBLISH_TRIES = 4;
const PUBLISH_RETRY_MS = 2_000;
// Messages queued for one peer while its connection is set up (a lookup's hops, a stabilise).
const QUEUE_MAX = 64;
// The reasons a Chord routing connection is asked for (docs/protocol.md, `connect`).
const REASONS = new Set(['finger', 'successor', 'predecessor', 'bootstrap', 'reply']);

interface Waiting { msgs: object[]; cancel: () => void }

export class ChordLink implements RoutingLink {
  readonly node: ChordNode;
  /** A lookup's deadline, plus the wait for the join (below). */
  readonly deadlineMs: number;
  private _lookupMs: number;
  private _waiting = new Map<string, Waiting>(); // `connect` sent, `link` not yet here
  private _linked = new Set<string>(); // routing pairings the server made with this peer
  private _bootstrap: string | null;
  private _dropped = new Set<string>(); // unpublished: a publish retry must not bring it back
  private _stopped = false;

  constructor(
    private _p: LinkParts,
    routing: Record<string, unknown>,
  ) {
    const n = (k: string, d: number, lo: number, hi: number) => setting(routing, k, d, lo, hi);
    this._lookupMs = n('deadline_ms', CHORD_DEADLINE_MS, 100, 60_000);
    this.deadlineMs = JOIN_WAIT_MS + this._lookupMs;
    const net = { send: (to: string, m: ChordMessage) => this._send(to, m), close: (p: string) => this._close(p), connecting: (p: string) => this._connecting(p) };
    this.node = new ChordNode(_p.tracker.peerId, net, realClock, {
      fingers: n('fingers', CHORD_FINGERS, 1, 32),
      successors: n('successors', CHORD_SUCCESSORS, 1, 16),
      stabiliseMs: n('stabilise_ms', CHORD_STABILISE_MS, 100, 3_600_000),
      fixPeriodMs: n('fix_period_ms', CHORD_FIX_PERIOD_MS, 100, 86_400_000),
      republishMs: n('republish_ms', CHORD_REPUBLISH_MS, 1_000, 86_400_000),
      recordTtlMs: n('record_ttl_ms', CHORD_RECORD_TTL_MS, 1_000, 86_400_000),
      maxConnections: n('max_connections', CHORD_MAX_CONNECTIONS, 2, 256),
      deadlineMs: this._lookupMs,
    });
    this._bootstrap = isPeerId(routing.bootstrap) && routing.bootstrap !== _p.tracker.peerId ? routing.bootstrap : null;
    this.node.start(this._bootstrap);
  }

  link(m: Link): void {
    if (!REASONS.has(m.reason) || !isPeerId(m.peer)) return;
    this._linked.add(m.peer);
    const w = this._waiting.get(m.peer);
    this._waiting.delete(m.peer);
    w?.cancel();
    const peer = m.offer ? this._p.pool.connect(m.peer) : this._p.pool.accept(m.peer);
    for (const msg of w?.msgs ?? []) sendText(peer, msg);
  }

  // A refused `connect` (peer_gone, too_many_links, rate_limited): its messages are lost, and a
  // peer that is gone leaves the tables now rather than at a hop timeout.
  error(m: ErrorMessage): void {
    if (m.ref !== 'connect' || !isPeerId(m.peer)) return;
    const w = this._waiting.get(m.peer);
    if (!w) return;
    this._waiting.delete(m.peer);
    w.cancel();
    this.node.gone(m.peer);
    this._rejoin(m.peer);
  }

  // The link to the peer we join through is up: join now (again), not at the next retry a
  // stabilisation period after a first attempt that timed out while the link was set up.
  opened(peer: string): void {
    if (peer === this._bootstrap && !this.node.successors.length) this.node.join(peer);
  }

  // The channel closed under us (the other side left or closed it, or ICE failed): out of the
  // tables, without `unlink`: the side that closes tells the server, and a second `unlink` for
  // a pairing already undone would be an error (not_paired).
  closed(peer: string): void {
    this._linked.delete(peer);
    this.node.gone(peer);
    this._rejoin(peer);
  }

  // With no successor left (the bootstrap, or every successor known, gone) a node owns every key
  // alone: it joins again through a peer it still knows (its predecessor, a finger, any channel).
  private _rejoin(gone: string): void {
    const n = this.node;
    if (n.successors.length) return;
    const known = [n.predecessor, ...n.fingers, ...this._p.pool.peers.keys()];
    const via = known.find((p): p is string => !!p && p !== gone && p !== n.peer && !this._p.pool.peers.get(p)?.destroyed);
    if (!via) return;
    this._bootstrap = via;
    n.join(via);
  }

  receive(from: string, msg: unknown): void {
    if (isObject(msg) && typeof msg.t === 'string' && msg.t.startsWith('chord.')) this.node.receive(from, msg);
  }

  // Before it has a successor a node owns every key and would answer "no record" for all of them:
  // a page asks for its items as soon as the welcome comes, so a lookup waits (at most
  // JOIN_WAIT_MS) for the join through the bootstrap.
  async find(hash: string): Promise<LinkAnswer> {
    const end = Date.now() + JOIN_WAIT_MS;
    while (this._bootstrap && !this.node.successors.length && Date.now() < end) await new Promise((r) => setTimeout(r, JOIN_POLL_MS));
    const r = await this.node.lookup(hash);
    if (!r.found) return { miss: `chord_${r.reason}`, hops: r.hops };
    const others = r.records.filter((p) => p !== this.node.peer);
    if (!others.length) return { miss: 'chord_no_record', hops: r.hops };
    // A holder with a channel open already first (no set-up, and one whose path worked), as the
    // tracker's policy prefers a holder paired with the wanter; else any, at random.
    const open = others.filter((p) => this._p.pool.peers.get(p)?.isOpen);
    const from = open.length ? open : others;
    return { peer: from[Math.floor(Math.random() * from.length)], reason: 'chord', hops: r.hops };
  }

  held(hashes: string[]): void {
    for (const h of hashes) this._publish(h, PUBLISH_TRIES);
  }

  dropped(hashes: string[]): void {
    for (const h of hashes) this.node.unpublish(h), this._dropped.add(h);
  }

  // A publish is a lookup for the key's owner, then the put over a connection to it that may
  // still have to be set up: in the WAN lab either one often outlasts the 2 s deadline, and the
  // record would wait for the next republish (600 s). So a failed publish is tried again soon.
  private _publish(hash: string, tries: number): void {
    this._dropped.delete(hash);
    void this.node.publish(hash).then((r) => {
      if (r.found || tries <= 1 || this._stopped) return;
      setTimeout(() => !this._stopped && !this._dropped.has(hash) && this._publish(hash, tries - 1), PUBLISH_RETRY_MS);
    });
  }

  stop(): void {
    this._stopped = true;
    this.node.leave(true);
    for (const w of this._waiting.values()) w.cancel();
    this._waiting.clear();
  }

  private _send(to: string, m: ChordMessage): boolean {
    const peer = this._p.pool.peers.get(to);
    if (peer && !peer.destroyed) return sendText(peer, m);
    const w = this._waiting.get(to);
    if (w) return w.msgs.length < QUEUE_MAX && !!w.msgs.push(m);
    if (!this._p.tracker.send({ type: 'connect', peer: to, reason: this._reason(to, m) })) return false;
    const t = setTimeout(() => {
      if (this._waiting.get(to) !== entry) return;
      this._waiting.delete(to);
      this.node.gone(to);
    }, LINK_WAIT_MS);
    const entry: Waiting = { msgs: [m], cancel: () => clearTimeout(t) };
    this._waiting.set(to, entry);
    return true;
  }

  private _reason(to: string, m: ChordMessage): string {
    const n = this.node;
    if (m.t === 'chord.reply') return 'reply';
    if (n.successors.includes(to)) return 'successor';
    if (n.predecessor === to) return 'predecessor';
    if (to === this._bootstrap && !n.successors.length) return 'bootstrap';
    return 'finger';
  }

  private _connecting(p: string): boolean {
    const peer = this._p.pool.peers.get(p);
    return this._waiting.has(p) || (!!peer && !peer.destroyed && !peer.isOpen);
  }

  // Over the connection cap (or a peer gone silent): a routing pairing is closed and the server
  // told; a channel the server made for a transfer is left to it.
  private _close(p: string): void {
    const w = this._waiting.get(p);
    this._waiting.delete(p);
    w?.cancel();
    if (!this._linked.delete(p)) return;
    this._p.tracker.send({ type: 'unlink', peer: p });
    this._p.pool.peers.get(p)?.destroy();
  }
}
