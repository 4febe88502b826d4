// The lookups a Chord peer has in flight: its own (no way back: the reply settles it) and the
// ones it relays (the peer it got each from, where the reply goes back). A reply is taken only
// from a peer the lookup was sent on to: a reply from anyone else is a forgery, and a reply
// never goes where the message says (its path could name any peer), only where the find came from.
export interface Route {
  back: string | null;
  tried: Set<string>;
  expires: number;
}

export class RouteTable {
  private readonly _m = new Map<string, Route>();

  constructor(private readonly _max: number) {}

  has(origin: string, id: number): boolean {
    return this._m.has(key(origin, id));
  }

  /** A lookup this peer started. */
  own(origin: string, id: number, expires: number): void {
    this._m.set(key(origin, id), { back: null, tried: new Set(), expires });
  }

  /** A lookup relayed for `back`; false when the table is full of lookups still live. */
  relay(origin: string, id: number, back: string, expires: number, now: number): boolean {
    if (this._m.size >= this._max)
      for (const [k, r] of this._m) if (r.back !== null && r.expires < now) this._m.delete(k);
    if (this._m.size >= this._max) return false;
    this._m.set(key(origin, id), { back, tried: new Set(), expires });
    return true;
  }

  sentTo(origin: string, id: number, peer: string): void {
    this._m.get(key(origin, id))?.tried.add(peer);
  }

  /** Whether a reply to this lookup from `peer` is one: the lookup was sent on to it. */
  expects(origin: string, id: number, peer: string): boolean {
    return this._m.get(key(origin, id))?.tried.has(peer) ?? false;
  }

  /** The route, removed: a lookup is answered once. */
  take(origin: string, id: number): Route | undefined {
    const k = key(origin, id);
    const r = this._m.get(k);
    this._m.delete(k);
    return r;
  }

  clear(): void {
    this._m.clear();
  }
}

const key = (origin: string, id: number): string => `${origin} ${id}`;
