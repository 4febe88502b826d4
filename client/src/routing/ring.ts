// The ring (the original design) as a state machine per browser: the server places every peer on
// a ring and orders it to keep two connections, to the neighbour it serves (`served`, behind it)
// and the neighbour that serves it (`serving`, ahead). A want goes to the serving neighbour and on
// down the ring, carrying its origin peer, a hop count and a deadline, until a peer that holds the
// item with a free upload slot answers the origin directly (`ring.have`; the bytes follow on a
// connection the server orders). A want that comes back to its origin, runs out of hops, or is
// not answered by its deadline ends at the origin server, with the reason on the miss token.
import type { CrowdMissReason, RoutingClock, RoutingTransport } from './transport';
import { type Dropped, MAX_ID, isFinite, isHash, isInt, isObject, isPeerId, randomId } from './wire';

/** Hops a want may travel (the simulator's ring_max_hops): past ~16 a ring walk is slower than
 * the origin anyway (docs/simulation.md: ~1 s for 16 hops in a disc 150 ms across). */
export const RING_MAX_HOPS = 16;
/** The want's deadline: after it the origin, as the simulator's lookup_deadline_ms. */
export const RING_DEADLINE_MS = 2_000;
/** How far ahead of this peer's clock a want's deadline may be (browsers' clocks differ): a
 * later one is cut to now + deadline + this, so a want cannot live longer than a real one. */
export const RING_CLOCK_SKEW_MS = 1_000;

export type RingMessage =
  | { t: 'ring.want'; id: number; hash: string; origin: string; hops: number; deadline: number }
  | { t: 'ring.have'; id: number; hash: string; holder: string; hops: number }
  | { t: 'ring.miss'; id: number; hash: string; reason: 'ttl'; hops: number };

export type RingOutcome =
  | { found: true; holder: string; hops: number }
  | { found: false; reason: CrowdMissReason; hops: number };

export interface RingHooks {
  /** This peer holds `hash` verified and has an upload slot free for it. */
  canServe(hash: string): boolean;
}

export interface RingOptions {
  maxHops?: number;
  deadlineMs?: number;
}

/** A ring message off the wire, or null (dropped): ids, hashes, peer ids and hop counts checked. */
export function parseRing(m: unknown, maxHops: number): RingMessage | null {
  if (!isObject(m) || !isInt(m.id, 0, MAX_ID) || !isHash(m.hash) || !isInt(m.hops, 1, maxHops)) return null;
  const { id, hash, hops } = m;
  switch (m.t) {
    case 'ring.want':
      if (!isPeerId(m.origin) || !isFinite(m.deadline)) return null;
      return { t: 'ring.want', id, hash, origin: m.origin, hops, deadline: m.deadline };
    case 'ring.have':
      if (!isPeerId(m.holder)) return null;
      return { t: 'ring.have', id, hash, holder: m.holder, hops };
    case 'ring.miss':
      if (m.reason !== 'ttl') return null;
      return { t: 'ring.miss', id, hash, reason: 'ttl', hops };
    default:
      return null;
  }
}

interface Pending {
  hash: string;
  resolve: (o: RingOutcome) => void;
  cancel: () => void;
}

export class RingNode {
  readonly peer: string;
  private _serving: string | null = null; // ahead: where wants go
  private _served: string | null = null; // behind: where wants come from
  private readonly _pending = new Map<number, Pending>();
  private readonly _maxHops: number;
  private readonly _deadlineMs: number;
  /** Messages dropped at the boundary (docs/routing.md, "What a peer checks"). */
  readonly dropped: Dropped = { malformed: 0, refused: 0 };

  constructor(
    peer: string,
    private readonly _net: RoutingTransport<RingMessage>,
    private readonly _clock: RoutingClock,
    private readonly _hooks: RingHooks,
    opts: RingOptions = {},
  ) {
    this.peer = peer;
    this._maxHops = opts.maxHops ?? RING_MAX_HOPS;
    this._deadlineMs = opts.deadlineMs ?? RING_DEADLINE_MS;
  }

  get serving(): string | null {
    return this._serving;
  }
  get served(): string | null {
    return this._served;
  }

  /** The server's ring order: keep these two connections (on a join, and to repair a leave). */
  setNeighbours(serving: string | null, served: string | null): void {
    const old = [this._serving, this._served];
    this._serving = serving === this.peer ? null : serving;
    this._served = served === this.peer ? null : served;
    for (const p of old) if (p && p !== this._serving && p !== this._served) this._net.close?.(p);
  }

  /** Asks the crowd for `hash`; resolves with a holder or with why the origin must serve it. */
  want(hash: string): Promise<RingOutcome> {
    return new Promise((resolve) => {
      const id = randomId();
      const deadline = this._clock.now() + this._deadlineMs;
      const msg: RingMessage = { t: 'ring.want', id, hash, origin: this.peer, hops: 1, deadline };
      if (!this._serving || !this._net.send(this._serving, msg)) {
        resolve({ found: false, reason: 'no_neighbour', hops: 0 });
        return;
      }
      const cancel = this._clock.after(this._deadlineMs, () =>
        this._settle(id, { found: false, reason: 'deadline', hops: 0 }),
      );
      this._pending.set(id, { hash, resolve, cancel });
    });
  }

  /** Wants in flight from this peer (for tests and stats). */
  get inFlight(): number {
    return this._pending.size;
  }

  receive(from: string, raw: unknown): void {
    const msg = parseRing(raw, this._maxHops);
    if (!msg) {
      this.dropped.malformed++;
      return;
    }
    if (!this._accepts(from, msg)) {
      this.dropped.refused++;
      return;
    }
    switch (msg.t) {
      case 'ring.want':
        return this._onWant(msg);
      case 'ring.have':
        return this._settle(msg.id, { found: true, holder: msg.holder, hops: msg.hops });
      case 'ring.miss':
        return this._settle(msg.id, { found: false, reason: msg.reason, hops: msg.hops });
    }
  }

  // Who may send what. A want comes only from the neighbour this peer serves (wants walk the
  // ring). A have names its sender as the holder and answers a want of ours (id and hash: the id
  // is random, so only peers the want passed know it). A miss comes from the peer at the hop
  // limit, which the origin does not know: it must claim exactly the limit, and its id is the
  // credential (a peer on the walk could as well have dropped the want).
  private _accepts(from: string, msg: RingMessage): boolean {
    switch (msg.t) {
      case 'ring.want':
        return from === this._served;
      case 'ring.have':
        return msg.holder === from && this._pending.get(msg.id)?.hash === msg.hash;
      case 'ring.miss':
        return msg.hops === this._maxHops && this._pending.get(msg.id)?.hash === msg.hash;
    }
  }

  /** Leaving: every want still waiting ends at the origin now (a page that closes). */
  destroy(): void {
    for (const id of [...this._pending.keys()])
      this._settle(id, { found: false, reason: 'deadline', hops: 0 });
  }

  private _onWant(msg: Extract<RingMessage, { t: 'ring.want' }>): void {
    if (msg.origin === this.peer) {
      // Round the whole ring: nobody free holds it.
      if (this._pending.get(msg.id)?.hash === msg.hash)
        this._settle(msg.id, { found: false, reason: 'came_back', hops: msg.hops });
      return;
    }
    // Past its deadline by this peer's clock: the origin has given up already (clocks differ
    // between browsers, so the origin's own timer is what counts; this only saves hops).
    const now = this._clock.now();
    if (now > msg.deadline) return;
    const deadline = Math.min(msg.deadline, now + this._deadlineMs + RING_CLOCK_SKEW_MS);
    if (this._hooks.canServe(msg.hash)) {
      const have: RingMessage = { t: 'ring.have', id: msg.id, hash: msg.hash, holder: this.peer, hops: msg.hops };
      this._net.send(msg.origin, have);
      return;
    }
    if (msg.hops >= this._maxHops) {
      const miss: RingMessage = { t: 'ring.miss', id: msg.id, hash: msg.hash, reason: 'ttl', hops: msg.hops };
      this._net.send(msg.origin, miss);
      return;
    }
    // A serving neighbour that left loses the want: the origin's deadline covers it.
    if (this._serving) this._net.send(this._serving, { ...msg, hops: msg.hops + 1, deadline });
  }

  private _settle(id: number, outcome: RingOutcome): void {
    const p = this._pending.get(id);
    if (!p) return;
    this._pending.delete(id);
    p.cancel();
    p.resolve(outcome);
  }
}
