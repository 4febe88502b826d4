// Follows welcome.routing (docs/routing.md): with `tracker` (or no field: an older server) it does
// nothing and lookups stay `want`s; with `ring` or `chord` it starts that strategy's wiring
// (ring-link.ts, chord-link.ts, loaded only then) under this peer id, hands it the server's orders
// and the pool's routing messages, and becomes the wants' router. A new welcome with another id or
// strategy (a reconnect that could not resume) starts it again.
import type { Router } from '../fetch/wants';
import type { PeerPool } from '../peer/peer-pool';
import type { Welcome } from '../signal/messages';
import type { Tracker } from '../signal/tracker';
import type { LinkAnswer, LinkParts, RoutingLink } from './link-parts';

// Per-lookup hops kept for the figures (the newest; older ones are dropped).
const HOPS_KEPT = 4_096;

export interface RoutingStats {
  strategy: string;
  lookups: number;
  found: number;
  /** Peer hops of each lookup that ended (found or not), newest last. */
  hops: number[];
  /** Lookups that ended at the origin, by the miss token's reason (`ring_came_back`, ...). */
  misses: Record<string, number>;
  /** Messages this visitor sent to and got from the server (all kinds; the figures' cost). */
  readonly serverSent: number;
  readonly serverReceived: number;
}

export class Routing implements Router {
  readonly stats: RoutingStats;
  private _link?: RoutingLink;
  private _loading?: Promise<RoutingLink | undefined>;
  private _key = '';
  private _early: Array<(l: RoutingLink) => void> = []; // orders that came while the wiring loads

  constructor(
    private _tracker: Tracker,
    private _pool: PeerPool,
    private _parts: LinkParts,
    private _setRouter: (r: Router | undefined) => void,
  ) {
    this.stats = {
      strategy: 'tracker', lookups: 0, found: 0, hops: [], misses: {},
      get serverSent() { return _tracker.sent; },
      get serverReceived() { return _tracker.received; },
    };
    _tracker.on('ready', (w) => this._follow(w));
    _tracker.on('ring', (m) => this._to((l) => l.order?.(m)));
    _tracker.on('link', (m) => this._to((l) => l.link(m)));
    _tracker.on('error', (m) => this._to((l) => l.error?.(m)));
    _pool.on('message', (from, m) => this._to((l) => l.receive(from, m)));
    _pool.on('open', (peer) => this._link?.opened(peer));
    _pool.on('close', (peer) => this._link?.closed(peer));
  }

  get deadlineMs(): number {
    return this._link?.deadlineMs ?? 0;
  }

  async find(hash: string): Promise<LinkAnswer> {
    const link = this._link ?? (await this._loading);
    this.stats.lookups++;
    const r: LinkAnswer = link ? await link.find(hash) : { miss: `${this.stats.strategy}_no_neighbour`, hops: 0 };
    const s = this.stats;
    s.hops.push(r.hops);
    if (s.hops.length > HOPS_KEPT) s.hops.shift();
    if ('peer' in r) s.found++;
    else s.misses[r.miss] = (s.misses[r.miss] ?? 0) + 1;
    return r;
  }

  /** Held items (announced to the server too): Chord publishes provider records for them. */
  held(hashes: string[]): void {
    this._to((l) => l.held?.(hashes));
  }

  dropped(hashes: string[]): void {
    this._to((l) => l.dropped?.(hashes));
  }

  stop(): void {
    this._link?.stop();
    this._link = this._loading = undefined;
    this._early = [];
    this._key = '';
    this._setRouter(undefined);
  }

  private _to(fn: (l: RoutingLink) => void): void {
    if (this._link) fn(this._link);
    else if (this._loading) this._early.push(fn);
  }

  private _follow(w: Welcome): void {
    const r = w.routing && typeof w.routing === 'object' ? w.routing : {};
    const strategy = r.strategy === 'ring' || r.strategy === 'chord' ? r.strategy : 'tracker';
    const key = `${strategy} ${w.peer}`;
    if (key === this._key) return; // a welcome after our hello: nothing changed
    this.stop();
    this._key = key;
    this.stats.strategy = strategy;
    if (strategy === 'tracker') return;
    this._setRouter(this);
    const loading = (this._loading = (strategy === 'ring' ? import('./ring-link').then((m) => new m.RingLink(this._parts, r)) : import('./chord-link').then((m) => new m.ChordLink(this._parts, r))).then(
      (link) => {
        if (this._loading !== loading) return void link.stop(); // superseded while loading
        this._link = link;
        for (const fn of this._early.splice(0)) fn(link);
        return link;
      },
      () => undefined,
    ));
  }
}
