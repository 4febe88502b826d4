// What the ring's and Chord's browser wiring (ring-link.ts, chord-link.ts) share: the crowd's
// parts they use, a real clock, a routing message sent as a text message on a pool Peer
// (transfer/frame.ts), and the welcome's numbers read with bounds.
import type { Peer } from '../peer/peer';
import type { PeerPool } from '../peer/peer-pool';
import type { ErrorMessage, Link, RingOrder } from '../signal/messages';
import type { Tracker } from '../signal/tracker';
import type { RouteAnswer } from '../fetch/wants';
import type { RoutingClock } from './transport';

export interface LinkParts {
  tracker: Pick<Tracker, 'peerId' | 'send' | 'isReady'>;
  pool: Pick<PeerPool, 'peers' | 'connect' | 'accept'>;
  /** This visitor holds `hash` verified and has an upload slot free for it (the ring's want). */
  canServe(hash: string): boolean;
}

/** A found holder, or the crowd's miss reason; with the lookup's peer hops. */
export type LinkAnswer = RouteAnswer & { hops: number };

/** One strategy's wiring: what follow.ts hands it, and what it answers. */
export interface RoutingLink {
  readonly deadlineMs: number;
  find(hash: string): Promise<LinkAnswer>;
  receive(from: string, msg: unknown): void;
  order?(m: RingOrder): void;
  link(m: Link): void;
  error?(m: ErrorMessage): void;
  opened(peer: string): void;
  closed(peer: string): void;
  held?(hashes: string[]): void;
  dropped?(hashes: string[]): void;
  stop(): void;
}

export const realClock: RoutingClock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Sends `msg` on `peer`'s routing channel (once open; in order); a channel that dies loses it. */
export function sendText(peer: Pick<Peer, 'destroyed' | 'sendRouting'>, msg: object): boolean {
  if (peer.destroyed) return false;
  peer.sendRouting(JSON.stringify(msg)).catch(() => {});
  return true;
}

/** welcome.routing[key] as an integer in [lo, hi], else `fallback` (an absent or odd value). */
export function setting(routing: Record<string, unknown>, key: string, fallback: number, lo: number, hi: number): number {
  const v = routing[key];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= lo && v <= hi ? v : fallback;
}

/** Resolves once `ok()` holds or `ms` passed; `wake` is called by whoever may have made it true. */
export class Waiters {
  private _w: Array<() => void> = [];

  async until(ok: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!ok() && Date.now() < end)
      await new Promise<void>((r) => {
        const t = setTimeout(r, end - Date.now());
        this._w.push(() => (clearTimeout(t), r()));
      });
  }

  wake(): void {
    for (const w of this._w.splice(0)) w();
  }
}
