// Gets one item (a small file or one piece of a large one) from the best place: the store, else a
// peer through the tracker, else the origin with the miss token. Peer bytes are verified before
// use; verified bytes are stored and announced. Never a broken item: the origin is the last resort.
import { CircleError } from '../circle-error';
import type { Tracker } from '../signal/tracker';
import type { ContentStore } from '../store/content-store';
import type { Item } from '../verify/manifest';
import { verifyHash } from '../verify/sha256';
import type { OriginMeter } from './origin-meter';
import type { Budget, WantResult, Wants } from './wants';

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
// On every origin fetch of the library, token or not: the service worker sends it to the network
// (sw/routing.ts), never back to a page.
export const LIBRARY_HEADER = 'X-Circle-Library';
// The origin is one more source, as a web seed is to BitTorrent (docs/client.md, "Origin as a
// source"). What a peer path is expected to cost: from `want` to its first byte PEER_SETUP_MS (WAN
// lab, 2026-12-07: match to first byte p50 1.1-1.4 s on a new connection, less on an open one),
// then PEER_RATE bytes per ms until a peer item has been measured (a DataChannel between two lab
// homes at 0.5 % loss each way: 1.9-2.2 Mbit/s). A peer's figure is a guess made before its holder's
// load is known. The origin takes an item at once only when predicted ORIGIN_MARGIN times faster
// than a peer: in a flash crowd each visitor sees a share of a saturated origin, about as fast as a
// peer, and every visitor asking it directly is what the tracker's `no_holder`/`fetching` answers
// avoid (one origin copy, then the crowd).
const PEER_SETUP_MS = 1_000;
const PEER_RATE = 250; // bytes per ms
const RATE_MIN_BYTES = 65_536;
const ORIGIN_MARGIN = 2;
// A matched path is raced by the origin (the item fetched from it too, the first verified copy
// wins) when the path's predicted remaining time is over RACE_MARGIN times what the origin needs:
// at the path's own rate once bytes flow, and before that as if it were as late again as it is.
// Checked every RACE_CHECK_MS.
const RACE_MARGIN = 2;
const RACE_CHECK_MS = 250;
// A `fetching` miss means another visitor is getting the same item from the origin right now: a
// crowd. For CROWD_MS after one, nothing goes straight to the origin: each visitor's share of a busy
// origin can still look fast next to slow peers, and direct fetches are copies the tracker cannot
// see (WAN lab flash crowd: 149 direct items, the origin sent 69 MiB, every visitor done at 63 s).
const CROWD_MS = 30_000;
// In a crowd, origin fetches run CROWD_ORIGIN_FETCHES at a time: the origin is shared by every
// visitor, and a piece that arrives whole in a few seconds is announced and spread by the crowd,
// where six pieces that share our slice of it all arrive late (past the tracker's 10 s `fetching`
// grace: then others fetch them too).
const CROWD_ORIGIN_FETCHES = 2;
// Origin items waiting to be stored until the page's loads are over (see _keep) are stored at once
// past this many bytes: a stream keeps loads in flight for as long as it plays, and must not pile
// up the whole file in memory.
const LATER_MAX_BYTES = 8 * 1024 * 1024;

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
  private _crowdAt = -CROWD_MS; // ms: the last `fetching` miss
  private _originBusy = 0; // crowd-mode origin fetches in flight, and those waiting for one
  private _originWait: Array<() => void> = [];
  private _later: Array<[Item, Uint8Array]> = []; // origin items to store when the loads are over
  private _laterBytes = 0;
  private _noStore = new Set<string>(); // items used but not kept (a large file's share, piece-stream.ts)
  private _peerRate = PEER_RATE; // bytes per ms of peer items once their bytes flow (moving average)

  constructor(
    private _store: ContentStore,
    private _tracker: Tracker,
    private _wants: Wants,
    private _hooks: LoaderHooks,
    /** Without one (option preferPeers) the origin is only the fallback: no direct fetch, no race. */
    readonly origin?: OriginMeter,
  ) {}

  // A file's items, in file order. They are asked for from a random item on, wrapping around: each
  // visitor its own rotation, so a crowd's first holders spend their few upload slots on different
  // pieces and the late visitors soon hold pieces to trade with each other.
  // A file in pieces that goes straight to the origin, none of them held or on its way, is one
  // request (one Range over them all), each piece then checked on its own: a request per piece
  // costs a round trip each on the browser's six connections (WAN lab: 76 requests against the
  // plain page's 37 made the far homes 1-3 s slower).
  loadAll(url: string, items: Item[], first = Math.floor(Math.random() * items.length)): Promise<Loaded[]> {
    const got: Loaded[] = [];
    const [a] = items;
    const span = { hash: '', start: a.start, end: items[items.length - 1].end, whole: false };
    const whole =
      items.length > 1 && this._originFirst(a.end - a.start, span.end - span.start) && !items.some((i) => this._store.has(i.hash) || this._inflight.has(i.hash))
        ? this._fromOrigin(url, span, '').catch(() => undefined) // failed: each piece the usual way
        : undefined;
    return Promise.all(
      items.map((_, i) => {
        const k = (i + first) % items.length;
        return this.load(url, items[k], whole?.then((b) => b?.subarray(items[k].start - a.start, items[k].end - a.start))).then((g) => (got[k] = g));
      }),
    ).then(() => got);
  }

  // Concurrent loads of one hash share one transfer. `keep` false: the verified bytes are used
  // but not stored (nor announced), unless another load of the same hash wants them kept.
  load(url: string, item: Item, whole?: Promise<Uint8Array | undefined>, keep = true): Promise<Loaded> {
    let p = this._inflight.get(item.hash);
    if (keep) this._noStore.delete(item.hash);
    if (!p) {
      if (!keep) this._noStore.add(item.hash);
      p = this._fetchItem(url, item, whole).finally(() => {
        this._inflight.delete(item.hash);
        this._noStore.delete(item.hash);
        if (!this._inflight.size) this._storeLater();
      });
      this._inflight.set(item.hash, p);
    }
    return p;
  }

  private async _fetchItem(url: string, item: Item, whole?: Promise<Uint8Array | undefined>): Promise<Loaded> {
    const stored = await this._store.get(item.hash).catch(() => undefined);
    if (stored) return this._done(item, { bytes: stored, source: 'store' });
    let token = '';
    let why = 'origin';
    const piece = await whole;
    if (piece) return this._checked(item, piece, why);
    const size = item.end - item.start;
    const direct = () => this._originFirst(size);
    if (!direct() && (why = 'no_tracker') && (await this._tracker.whenReady(TRACKER_WAIT_MS))) {
      const budget: Budget = { direct };
      for (let attempt = 0, fetchingSince = 0, busySince = 0; attempt < PEER_ATTEMPTS; ) {
        const r = await this._race(url, item, budget);
        const now = Date.now();
        const left = (budget.until ?? Infinity) - now;
        if ('origin' in r) return this._keep(item, { bytes: r.origin, source: 'origin', why: 'race' });
        if ('bytes' in r) {
          this._fromPeerAt = now;
          // From the match, so a path's setup and queueing count; pieces only (a small item's time
          // is all setup: a 4 KiB item in one chunk would claim a huge rate).
          if (size >= RATE_MIN_BYTES) this._peerRate = (this._peerRate + size / (now - budget.at! || 1)) / 2;
          return this._keep(item, { bytes: r.bytes, source: 'peer', peer: r.peer });
        }
        if ('token' in r) {
          why = r.reason;
          let wait = 0;
          if (why === 'fetching') {
            this._crowdAt = now;
            wait = (fetchingSince ||= now) + FETCHING_DEADLINE_MS - now;
          }
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
    return this._checked(item, await this._fromOrigin(url, item, token), why);
  }

  // Bytes from the origin that do not match mean a stale manifest: use them, never share them.
  private async _checked(item: Item, bytes: Uint8Array, why: string): Promise<Loaded> {
    if (await verifyHash(bytes, item.hash)) return this._keep(item, { bytes, source: 'origin', why });
    this._hooks.originMismatch(item.hash);
    return this._done(item, { bytes, source: 'origin', why });
  }

  // An item goes straight to the origin when the origin is clearly faster for us than a peer
  // (unsaturated, or the item is small), else to the tracker, as it does while the origin's speed
  // is unknown and in a crowd. The bytes already owed by our fetches in flight count once (the
  // item waits behind them), the item's own ORIGIN_MARGIN times: a page asks for all its items at
  // once, and one early sample must not commit the whole page to an origin that a crowd is about to
  // share (WAN lab, flash crowd: the first visitor, alone for 0.2 s, took all 13.5 MiB from the
  // origin, unseen by the tracker, and three others got `no_holder` copies). Items that are not
  // sent now are asked again when they get a want slot. A whole file (`all` bytes) goes to the
  // origin in one request only if it would arrive before one piece from a peer.
  private _originFirst(size: number, all = 0): boolean {
    const peer = PEER_SETUP_MS + size / this._peerRate;
    const eta = (n: number) => this.origin?.eta(n) ?? Infinity;
    return Date.now() - this._crowdAt > CROWD_MS && eta(ORIGIN_MARGIN * size) < peer && eta(all) < peer;
  }

  // One peer path, raced by the origin once the path falls behind it (RACE_MARGIN). The first
  // verified copy wins; the loser is stopped (the fetch aborted, the want ended `superseded`).
  // A path that fails while the origin's copy is on its way waits for that copy.
  private _race(url: string, item: Item, budget: Budget): Promise<WantResult | { origin: Uint8Array }> {
    const size = item.end - item.start;
    return new Promise((resolve) => {
      let abort: AbortController | undefined;
      let raced: Promise<Uint8Array | void> | undefined;
      const timer = setInterval(() => {
        const eta = this.origin?.eta(size);
        const { at, first, got } = budget;
        if (raced || !at || eta === undefined) return;
        const now = Date.now();
        const late = now - at - PEER_SETUP_MS;
        const peerLeft = got ? ((size - got) * (now - first!)) / got : late > 0 ? late + size / this._peerRate : 0;
        if (peerLeft <= RACE_MARGIN * eta) return;
        abort = new AbortController();
        raced = this._fromOrigin(url, item, '', abort.signal).then(
          async (bytes) => {
            if (!(await verifyHash(bytes, item.hash))) return;
            this._wants.supersede(budget);
            resolve({ origin: bytes });
          },
          () => {},
        );
      }, RACE_CHECK_MS);
      this._wants.want(item.hash, size, budget).then((r) => {
        clearInterval(timer);
        if ('bytes' in r || !raced) {
          abort?.abort();
          resolve(r);
        } else raced.then(() => resolve(r));
      });
    });
  }

  private async _fromOrigin(url: string, item: Item, token: string, signal?: AbortSignal): Promise<Uint8Array> {
    const headers: Record<string, string> = { [LIBRARY_HEADER]: '1' };
    if (token) headers[MISS_HEADER] = token;
    if (!item.whole) headers.Range = `bytes=${item.start}-${item.end - 1}`;
    const size = item.end - item.start;
    const meter = this.origin;
    const crowd = meter && Date.now() - this._crowdAt < CROWD_MS;
    if (crowd) {
      while (this._originBusy >= CROWD_ORIGIN_FETCHES) await new Promise<void>((r) => this._originWait.push(r));
      this._originBusy++;
    }
    meter?.start(size);
    let got = 0;
    try {
      const res = await fetch(url, { headers, credentials: 'same-origin', signal });
      if (!res.ok) throw new CircleError('ERR_ORIGIN', `${res.status} for ${url}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      got = size;
      // A server that ignores Range sends the whole file (200): cut the piece out.
      return !item.whole && res.status === 200 ? bytes.subarray(item.start, item.end) : bytes;
    } finally {
      meter?.end(size, got);
      if (crowd) this._originBusy--, this._originWait.shift()?.();
    }
  }

  // Storing does not hold up the caller; the item is announced once it is in the store. What the
  // origin sent straight away (nobody waits for it through the tracker) is stored once this page's
  // loads are over: writing a 13.5 MiB gallery to IndexedDB cost the loaded lab machine about a
  // second of page load (steady case, p50 4.5 s with, 3.5 s without).
  private _keep(item: Item, got: Loaded): Loaded {
    if (this._noStore.has(item.hash)) return this._done(item, got);
    if (got.why === 'origin') {
      this._later.push([item, got.bytes]);
      if ((this._laterBytes += got.bytes.length) > LATER_MAX_BYTES) this._storeLater();
    } else this._put(item, got.bytes);
    return this._done(item, got);
  }

  private _storeLater(): void {
    this._laterBytes = 0;
    for (const [i, b] of this._later.splice(0)) this._put(i, b);
  }

  private _put(item: Item, bytes: Uint8Array): void {
    this._store.put(item.hash, bytes).then((ok) => ok && this._hooks.stored(item.hash));
  }

  private _done(item: Item, got: Loaded): Loaded {
    this._hooks.loaded(item, got);
    return got;
  }
}
