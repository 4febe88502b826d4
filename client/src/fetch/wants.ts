// The wanter's side of one item: `want` to the tracker, then the matched peer's chunks reassembled,
// verified, and `done` (plus `report` for a liar). Every wait has a deadline; a miss, cancel, dead
// peer or deadline comes back as a value the loader turns into another attempt or the origin.
import { CircleError } from '../circle-error';
import { budget as welcomeBudget, type PeerPool } from '../peer/peer-pool';
import type { Cancel, Match, Miss } from '../signal/messages';
import type { Tracker } from '../signal/tracker';
import { Assembly } from '../transfer/assembly';
import { FRAME_ABORT, type Frame } from '../transfer/frame';
import { verifyHash } from '../verify/sha256';

// The tracker answers a want at once; no answer in this long means it is stuck.
const MATCH_TIMEOUT_MS = 5_000;
// A peer path's budget (protocol.md, welcome): `connectMs` from `match` to the channel open (when
// it is not open yet), then `firstByteMs` to the first chunk. These defaults apply until a welcome
// says otherwise (an older server sends neither).
export const DEFAULT_FIRST_BYTE_MS = 3_000;
// Between two chunks of one item once bytes flow.
const STALL_TIMEOUT_MS = 6_000;
// An item whose holders are busy or still fetching asks again when one of our transfers finishes,
// else after a pause. The waiting items share a budget of RETRY_PER_S asks per second (half the
// tracker socket's pace), so the pause is short when few wait, as for a flash crowd's last pieces
// (found soon after their first holder has them), and long when many do (no burst of wants).
const RETRY_PER_S = 20;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 1_500;
const MAX_WANT_ID = 2 ** 31 - 1;
const CANCELLED = { fail: 'ERR_CANCELLED' };
// Messages that carry a want id: an error about one of them ends that want.
const WANT_REFS = new Set<unknown>(['want', 'connect', 'miss_token']);
// The loader got the item from the origin first (it raced this path): `done` says `superseded`,
// which frees the holder's slot and neither blames nor credits it (protocol.md).
export const SUPERSEDED = 'ERR_SUPERSEDED';
// Failure codes of a matched want and the `done` reason each is reported with (protocol.md).
// ERR_DEADLINE: open, but no first byte in time (or a stall); ERR_PEER_GONE and ERR_HOLDER_ABORT:
// the channel closed, or the holder gave up, mid-transfer ("closed").
const CONNECT_FAILED = 'ERR_CONNECT_FAILED';

// Where a lookup goes when the routing strategy is not the tracker (routing/follow.ts): the crowd
// finds a holder (then `connect {id, peer, hash, reason}` asks the server for the transfer, answered
// with `match` as a want is) or ends with a reason (then `miss_token {id, hash, reason}` brings the
// origin's miss token). The want id is the same in both: the server counts it as a want in flight.
export type RouteAnswer = { peer: string; reason: string } | { miss: string };
export interface Router {
  /** The longest a lookup takes (its deadline plus waiting for the routing links), ms. */
  readonly deadlineMs: number;
  find(hash: string): Promise<RouteAnswer>;
}

export type WantResult =
  | { bytes: Uint8Array; peer: string } // verified
  | { liar: string } // failed verification, reported
  | { token: string; reason: string } // miss: fetch from the origin with this token
  | { fail: string }; // cancelled, timed out, peer gone, tracker down or silent

// The first-byte deadline that every peer path of one item shares (ms since the epoch), set at the
// item's first `match`: that match's connect + first-byte budget. Later paths are cut to it.
// The current path's progress, for the loader's race with the origin: when it was matched, when
// its first byte came, and its bytes so far. `direct`, asked once a want slot is free: true sends
// the item to the origin without asking the tracker (a `miss` with reason `origin`).
export interface Budget {
  until?: number;
  at?: number;
  first?: number;
  got?: number;
  direct?: () => boolean;
}

interface Pending {
  hash: string;
  size: number;
  peer?: string;
  _matched: boolean;
  _open?: boolean; // the channel to the matched holder is open
  _budget: Budget;
  _assembly?: Assembly;
  _timer?: ReturnType<typeof setTimeout>;
  _settle(r: WantResult | { raw: Uint8Array; peer: string }): void;
}

export class Wants {
  /** welcome.first_byte_timeout (the connect budget is the pool's `connectMs`). */
  firstByteMs = DEFAULT_FIRST_BYTE_MS;
  /** Set while welcome.routing is `ring` or `chord`: lookups go to the crowd, not `want`. */
  router?: Router;
  private _pending = new Map<number, Pending>();
  private _nextId = 1;
  private _active = 0;
  private _slots: Array<() => void> = [];
  private _finished: Array<() => void> = [];

  // Subscribes to what concerns wants: the tracker's answers and the pool's channels.
  constructor(
    private _tracker: Tracker,
    private _pool: PeerPool,
    private _maxInFlight: number,
  ) {
    _tracker.on('ready', (w) => (this.firstByteMs = welcomeBudget(w.first_byte_timeout, DEFAULT_FIRST_BYTE_MS)));
    _tracker.on('match', (m) => this.match(m));
    _tracker.on('miss', (m) => this.miss(m));
    // `role` says which side of want `id` we were; without it (older servers) try both.
    _tracker.on('cancel', (m) => m.role !== 'holder' && this.cancel(m));
    // An error about a `want` carries its id: that want is over (too_many_wants, duplicate_id).
    _tracker.on('error', (m) => WANT_REFS.has(m.ref) && typeof m.id === 'number' && this.refused(m.id));
    _tracker.on('down', () => this.trackerDown());
    _pool.on('open', (peer) => this.peerOpen(peer));
    _pool.on('frame', (peer, f) => this.frame(peer, f));
    _pool.on('close', (peer) => this.peerClosed(peer));
  }

  async want(hash: string, size: number, budget: Budget = {}): Promise<WantResult> {
    if (this._active >= this._maxInFlight) await new Promise<void>((r) => this._slots.push(r));
    this._active++;
    try {
      if (budget.direct?.()) return { token: '', reason: 'origin' };
      const id = this._nextId;
      this._nextId = (this._nextId % MAX_WANT_ID) + 1;
      const r = await this._once(id, hash, size, budget);
      if (!('raw' in r)) return r;
      const ok = await verifyHash(r.raw, hash);
      if (!ok) this._tracker.send({ type: 'report', peer: r.peer, hash });
      this._tracker.send({ type: 'done', id, ok, bytes: r.raw.length });
      this._slotFreed();
      return ok ? { bytes: r.raw, peer: r.peer } : { liar: r.peer };
    } finally {
      this._active--;
      this._slots.shift()?.();
    }
  }

  // Resolves when a holder's upload slot taken by one of our wants is free again, or after the
  // retry pause (at most `ms`).
  nextFinish(ms: number): Promise<void> {
    ms = Math.min(ms, Math.max(RETRY_MIN_MS, Math.min(RETRY_MAX_MS, (this._finished.length * 1000) / RETRY_PER_S)));
    return new Promise((resolve) => {
      const wake = () => (clearTimeout(t), resolve());
      const t = setTimeout(() => {
        this._finished = this._finished.filter((f) => f !== wake);
        resolve();
      }, ms);
      this._finished.push(wake);
    });
  }

  // The path's budget depends on the channel, not on `connect`: an open channel is reused whatever
  // the flag says (first byte due within firstByteMs), and a missing one is opened (connectMs first).
  match(m: Match): void {
    const w = this._pending.get(m.id);
    if (!w || w.hash !== m.hash || w._matched) return;
    w._matched = true;
    w.peer ??= m.peer;
    w._budget.at = Date.now();
    w._budget.first = w._budget.got = undefined;
    const connectMs = this._pool.connectMs;
    w._budget.until ??= Date.now() + connectMs + this.firstByteMs;
    if (this._pool.connect(m.peer).isOpen) this._opened(w);
    else this._arm(w, connectMs, CONNECT_FAILED);
  }

  // A channel opened: wants matched with that peer now wait for their first byte.
  peerOpen(peer: string): void {
    for (const w of this._pending.values()) if (!w._open && w.peer === peer) this._opened(w); // a want has a peer once matched, or open once chunks came
  }

  miss(m: Miss): void {
    const w = this._pending.get(m.id);
    if (w && w.hash === m.hash) w._settle({ token: m.token, reason: m.reason ?? '' });
  }

  // The server already freed the want: no `done` follows.
  cancel(m: Cancel): void {
    const w = this._pending.get(m.id);
    if (w && (!m.peer || !w.peer || w.peer === m.peer)) {
      w._matched = false;
      w._settle(CANCELLED);
    }
  }

  // An error naming a want id (too_many_wants, duplicate_id): that want is over.
  refused(id: number): void {
    const w = this._pending.get(id);
    if (w) {
      w._matched = false;
      w._settle({ fail: 'ERR_REFUSED' });
    }
  }

  frame(peer: string, f: Frame): void {
    const w = this._pending.get(f.id);
    // Chunks can beat the `match` here when a channel already exists; the first sender is bound.
    if (!w || (w.peer && w.peer !== peer)) return;
    w.peer = peer;
    w._open = true;
    // Bytes from `peer`: it is alive and sending to us, and our other items matched with it queue
    // behind this one on its channel (it pushes several at once, up to 1 MiB buffered). Their
    // first-byte waits start again, never past their item's deadline: on a slow or lossy path
    // (the WAN lab: ~2.3 Mbit/s at 1 % loss and 50 ms RTT) a queued item's first byte can take
    // longer than first_byte_timeout, and a `timeout` would have the tracker exclude a working
    // holder. (This want's own timer is set again just below.)
    for (const o of this._pending.values()) if (o.peer === peer && o._open && !o._assembly) this._arm(o, this.firstByteMs, 'ERR_DEADLINE');
    if (f.kind === FRAME_ABORT) return w._settle({ fail: 'ERR_HOLDER_ABORT' });
    const b = w._budget;
    b.first ??= Date.now();
    b.at ??= b.first; // chunks can beat the match
    b.got = (b.got ?? 0) + f.payload.length;
    try {
      if (f.total !== w.size) throw new CircleError('ERR_FRAME_SIZE');
      w._assembly ??= new Assembly(w.size);
      if (w._assembly.add(f.offset, f.payload)) return w._settle({ raw: w._assembly.bytes, peer });
      this._arm(w, STALL_TIMEOUT_MS, 'ERR_DEADLINE');
    } catch {
      w._settle({ raw: new Uint8Array(0), peer }); // fails verification: reported like altered bytes
    }
  }

  // The origin won the race for the item of `budget`: this path ends as `superseded`.
  supersede(budget: Budget): void {
    for (const w of this._pending.values()) if (w._budget === budget) w._settle({ fail: SUPERSEDED });
  }

  // Before the channel opened this is a failed connection (ICE or DTLS failed, or connectMs passed).
  peerClosed(peer: string): void {
    for (const w of this._pending.values()) if (w.peer === peer) w._settle({ fail: w._open ? 'ERR_PEER_GONE' : CONNECT_FAILED });
  }

  // The socket dropped: the server forgets every want of this connection.
  trackerDown(): void {
    for (const w of this._pending.values()) {
      w._matched = false;
      w._settle({ fail: 'ERR_TRACKER_DOWN' });
    }
  }

  private _once(id: number, hash: string, size: number, budget: Budget): Promise<WantResult | { raw: Uint8Array; peer: string }> {
    return new Promise((resolve) => {
      const w: Pending = {
        hash,
        size,
        _matched: false,
        _budget: budget,
        _settle: (r) => {
          if (this._pending.get(id) !== w) return;
          clearTimeout(w._timer);
          this._pending.delete(id);
          // A matched want that ends without bytes still frees the holder's slot.
          if (w._matched && 'fail' in r) this._tracker.send({ type: 'done', id, ok: false, reason: r.fail == CONNECT_FAILED ? 'connect_failed' : r.fail == 'ERR_DEADLINE' ? 'timeout' : r.fail == SUPERSEDED ? 'superseded' : 'closed' });
          if ((w._matched || r === CANCELLED) && 'fail' in r) this._slotFreed();
          resolve(r);
        },
      };
      this._pending.set(id, w);
      if (this.router) return this._route(this.router, id, hash, w);
      if (!this._tracker.send({ type: 'want', id, hash })) return w._settle({ fail: 'ERR_TRACKER_DOWN' });
      this._arm(w, MATCH_TIMEOUT_MS, 'ERR_TRACKER_SILENT');
    });
  }

  // The crowd looks the item up; its answer goes to the server under the want's id.
  private _route(router: Router, id: number, hash: string, w: Pending): void {
    if (!this._tracker.isReady) return w._settle({ fail: 'ERR_TRACKER_DOWN' });
    this._arm(w, router.deadlineMs + MATCH_TIMEOUT_MS, 'ERR_TRACKER_SILENT');
    void router.find(hash).then((r) => {
      if (this._pending.get(id) !== w) return;
      const msg = 'peer' in r ? { type: 'connect', id, peer: r.peer, hash, reason: r.reason } : { type: 'miss_token', id, hash, reason: r.miss };
      if (!this._tracker.send(msg)) return w._settle({ fail: 'ERR_TRACKER_DOWN' });
      this._arm(w, MATCH_TIMEOUT_MS, 'ERR_TRACKER_SILENT');
    });
  }

  // One freed slot wakes one waiter: waking them all would send a burst of wants for one slot.
  private _slotFreed(): void {
    this._finished.shift()?.();
  }

  private _opened(w: Pending): void {
    w._open = true;
    if (!w._assembly) this._arm(w, this.firstByteMs, 'ERR_DEADLINE');
  }

  // Until bytes flow, every wait is also cut to the item's first-byte deadline.
  private _arm(w: Pending, ms: number, fail: string): void {
    clearTimeout(w._timer);
    if (!w._assembly && w._budget.until) ms = Math.min(ms, w._budget.until - Date.now());
    w._timer = setTimeout(() => w._settle({ fail }), ms);
  }
}
