// Gets one item (a small file or one piece of a large one) from the best place: the store, else a
// peer through the tracker, else the origin with the miss token. Peer bytes are verified before
// use; verified bytes are stored and announced. Never a broken item: the origin is the last resort.
import { CircleError } from '../circle-error';
import type { Tracker } from '../signal/tracker';
import type { ContentStore } from '../store/content-store';
import type { Item } from '../verify/manifest';
import { verifyHash } from '../verify/sha256';
import type { Budget, Wants } from './wants';

// How long a load waits for the tracker's welcome before going to the origin.
const TRACKER_WAIT_MS = 3_000;
// Peer attempts per item (each after a liar, a dead peer or a deadline) before the origin. Time
// bounds them too: every path of an item shares the first-byte deadline its first `match` set
// (connect + first-byte budget, `Budget`), and after a failed path the item asks again only while
// more than a first-byte budget of it is left (a path that failed fast; not one that used up its
// connect budget). So a resource waits at most that budget (8 s by
// default) after its first match, plus the origin's own time, however its paths fail.
const PEER_ATTEMPTS = 3;
// `miss` with reason all_busy: every holder is at its upload cap, most often with our own other
// wants or with the rest of a crowd. Asking again when one of our transfers finishes (or after a
// while) finds a free slot sooner or later and keeps bytes off the origin, which a crowd shares (in
// a flash crowd it is the bottleneck: every extra origin piece delays everyone's). The item goes to
// the origin only after BUSY_DEADLINE_MS in which no item reached us from a peer: while the crowd
// keeps delivering, it will get to this one too; but never longer than BUSY_MAX_MS (a page that
// keeps loading other things). Both count from the first all_busy, not from a `fetching` wait.
const BUSY_DEADLINE_MS = 5_000;
const BUSY_MAX_MS = 30_000;
// `miss` with reason fetching: another visitor is getting the item from the origin right now (a
// flash crowd). Waiting for it keeps the origin's bytes to one copy; the server stops saying so
// after its fetch grace (10 s), so this deadline only guards against a silent tracker.
const FETCHING_DEADLINE_MS = 12_000;
export const MISS_HEADER = 'X-Circle-Miss';

export type Source = 'store' | 'peer' | 'origin';

export interface Loaded {
  bytes: Uint8Array;
  source: Source;
  peer?: string;
  /** Why an item came from the origin: the tracker's miss reason or the last peer failure code. */
  why?: string;
}

export interface LoaderHooks {
  loaded(item: Item, got: Loaded): void;
  stored(hash: string): void;
  liar(peer: string, hash: string): void;
  originMismatch(hash: string): void;
}

export class ItemLoader {
  private _inflight = new Map<string, Promise<Loaded>>();
  private _fromPeerAt = 0; // ms: when an item last reached us from a peer

  constructor(
    private _store: ContentStore,
    private _tracker: Tracker,
    private _wants: Wants,
    private _hooks: LoaderHooks,
  ) {}

  // A file's items, in file order. They are asked for from a random item on, wrapping around: each
  // visitor its own rotation, so a crowd's first holders spend their few upload slots on different
  // pieces and the late visitors soon hold pieces to trade with each other.
  loadAll(url: string, items: Item[], first = Math.floor(Math.random() * items.length)): Promise<Loaded[]> {
    const got: Loaded[] = [];
    return Promise.all(
      items.map((_, i) => {
        const k = (i + first) % items.length;
        return this.load(url, items[k]).then((g) => (got[k] = g));
      }),
    ).then(() => got);
  }

  // Concurrent loads of one hash share one transfer.
  load(url: string, item: Item): Promise<Loaded> {
    let p = this._inflight.get(item.hash);
    if (!p) {
      p = this._fetchItem(url, item).finally(() => this._inflight.delete(item.hash));
      this._inflight.set(item.hash, p);
    }
    return p;
  }

  private async _fetchItem(url: string, item: Item): Promise<Loaded> {
    const stored = await this._store.get(item.hash).catch(() => undefined);
    if (stored) return this._done(item, { bytes: stored, source: 'store' });
    let token = '';
    let why = 'no_tracker';
    if (await this._tracker.whenReady(TRACKER_WAIT_MS)) {
      const budget: Budget = {};
      for (let attempt = 0, fetchingSince = 0, busySince = 0; attempt < PEER_ATTEMPTS; ) {
        const r = await this._wants.want(item.hash, item.end - item.start, budget);
        const now = Date.now();
        const left = (budget.until ?? Infinity) - now;
        if ('bytes' in r) {
          this._fromPeerAt = now;
          return this._keep(item, { bytes: r.bytes, source: 'peer', peer: r.peer });
        }
        if ('token' in r) {
          why = r.reason;
          let wait = 0;
          if (why === 'fetching') wait = (fetchingSince ||= now) + FETCHING_DEADLINE_MS - now;
          else if (why === 'all_busy') {
            busySince ||= now;
            const quiet = Math.max(busySince, this._fromPeerAt) + BUSY_DEADLINE_MS;
            wait = Math.min(quiet, busySince + BUSY_MAX_MS) - now;
          }
          // Once a path has been tried, waiting is bounded by the item's deadline as well, less a
          // first-byte budget: a path matched later could only fail at the deadline, and its
          // `done` would blame a working holder (seen in the WAN lab: matched 0.3 s before it).
          if ((wait = Math.min(wait, left - this._wants.firstByteMs)) > 0) {
            await this._wants.nextFinish(wait);
            continue;
          }
          token = r.token;
          break;
        }
        if ('liar' in r) {
          why = 'ERR_VERIFY';
          this._hooks.liar(r.liar, item.hash);
        } else if ((why = r.fail).startsWith('ERR_TRACKER')) break; // down or silent: it will not answer now
        attempt++;
        if (left <= this._wants.firstByteMs) break;
      }
    }
    const bytes = await this._fromOrigin(url, item, token);
    // Bytes from the origin that do not match mean a stale manifest: use them, never share them.
    if (await verifyHash(bytes, item.hash)) return this._keep(item, { bytes, source: 'origin', why });
    this._hooks.originMismatch(item.hash);
    return this._done(item, { bytes, source: 'origin', why });
  }

  private async _fromOrigin(url: string, item: Item, token: string): Promise<Uint8Array> {
    const headers: Record<string, string> = {};
    if (token) headers[MISS_HEADER] = token;
    if (!item.whole) headers.Range = `bytes=${item.start}-${item.end - 1}`;
    const res = await fetch(url, { headers, credentials: 'same-origin' });
    if (!res.ok) throw new CircleError('ERR_ORIGIN', `${res.status} for ${url}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // A server that ignores Range sends the whole file (200): cut the piece out.
    return !item.whole && res.status === 200 ? bytes.subarray(item.start, item.end) : bytes;
  }

  // Storing does not hold up the caller; the item is announced once it is in the store.
  private _keep(item: Item, got: Loaded): Loaded {
    this._store.put(item.hash, got.bytes).then((ok) => ok && this._hooks.stored(item.hash));
    return this._done(item, got);
  }

  private _done(item: Item, got: Loaded): Loaded {
    this._hooks.loaded(item, got);
    return got;
  }
}
