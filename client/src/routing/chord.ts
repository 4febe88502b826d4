// Chord (Stoica et al. 2001) as a state machine per browser. A peer's position is its public peer
// id's first 32 bits; it keeps a predecessor, a successor list and a finger table; provider
// records for a content hash live at the successor of its key, published and refreshed by the
// holders, expiring when not refreshed. Lookups are routed recursively through the closest
// preceding finger (O(log N) hops), each hop acknowledged (a silent next hop is dropped from the
// tables and the message goes another way), and the reply retraces the path over connections
// that are already open. The server only brokers connections. A peer's message is parsed
// (chord-messages.ts) and checked against who may send it (docs/routing.md, "What a peer
// checks") before it touches a table or a timer.
//
// From the simulator (docs/simulation.md, docs/routing.md): every connection is a WebRTC set-up
// relayed by the server, and churn keeps replacing fingers, so finger *entries* are refreshed by
// messages (fix_fingers, one per tick) but a finger's *connection* is opened only when a route
// first uses it, and a peer holds at most CHORD_MAX_CONNECTIONS: past it the least recently used
// connection that is not a ring link (successors, predecessor) is closed.
import { CHORD_HANDOFF_MAX, CHORD_MAX_HOPS, CHORD_RECORDS_RETURNED, parseChord, type ChordMessage, type Find, type Op, type Reply } from './chord-messages';
import { RecordStore, type ProviderRecord } from './chord-records';
import { RouteTable } from './chord-routes';
import { fingerStart, idOfPeer, inHalfOpen, inOpen, keyOfHash } from './ids';
import type { RoutingClock, RoutingTransport } from './transport';
import { randomId, type Dropped } from './wire';

import {
  CHORD_CLOCK_SKEW_MS, CHORD_DEADLINE_MS, CHORD_FINGERS, CHORD_FIX_PERIOD_MS, CHORD_HOP_TIMEOUT_MS, CHORD_MAX_CONNECTIONS,
  CHORD_MAX_ROUTES, CHORD_RECORD_TTL_MS, CHORD_REPUBLISH_MS, CHORD_STABILISE_MS, CHORD_SUCCESSORS,
  type ChordLookup, type ChordOptions,
} from './chord-config';

export * from './chord-config';
export { CHORD_RECORDS_RETURNED, type ChordMessage } from './chord-messages';

interface Pending {
  resolve: (r: ChordLookup) => void;
  cancel: () => void;
  op: Op;
}


export class ChordNode {
  readonly peer: string;
  readonly id: number;
  private _pred: string | null = null;
  private _succs: string[] = [];
  private readonly _fingers: (string | null)[];
  private readonly _open = new Map<string, number>(); // peer -> last use (ms)
  private readonly _records = new RecordStore();
  private readonly _published = new Set<string>();
  private readonly _pending = new Map<number, Pending>();
  private readonly _routes = new RouteTable(CHORD_MAX_ROUTES);
  private readonly _acks = new Map<number, { msg: Find; to: string; cancel: () => void }>();
  private readonly _asks = new Map<number, { to: string; done: (m: ChordMessage | null) => void; cancel: () => void }>();
  private _next = 1;
  private _fix = 0;
  private _bootstrap: string | null = null; // until joined, routes go through it
  private readonly _timers: (() => void)[] = []; // one cancel per loop
  private _stopped = false;
  private readonly o: Required<ChordOptions>;
  /** Connections this peer opened for routing (a first send to a peer), for the cost figures. */
  opened = 0;
  /** Messages dropped at the boundary (docs/routing.md, "What a peer checks"). */
  readonly dropped: Dropped = { malformed: 0, refused: 0 };

  constructor(
    peer: string,
    private readonly _net: RoutingTransport<ChordMessage>,
    private readonly _clock: RoutingClock,
    opts: ChordOptions = {},
  ) {
    this.peer = peer;
    this.id = idOfPeer(peer);
    this.o = {
      fingers: opts.fingers ?? CHORD_FINGERS,
      successors: opts.successors ?? CHORD_SUCCESSORS,
      maxConnections: opts.maxConnections ?? CHORD_MAX_CONNECTIONS,
      stabiliseMs: opts.stabiliseMs ?? CHORD_STABILISE_MS,
      fixPeriodMs: opts.fixPeriodMs ?? CHORD_FIX_PERIOD_MS,
      republishMs: opts.republishMs ?? CHORD_REPUBLISH_MS,
      recordTtlMs: opts.recordTtlMs ?? CHORD_RECORD_TTL_MS,
      hopTimeoutMs: opts.hopTimeoutMs ?? CHORD_HOP_TIMEOUT_MS,
      deadlineMs: opts.deadlineMs ?? CHORD_DEADLINE_MS,
    };
    this._fingers = new Array<string | null>(this.o.fingers).fill(null);
  }

  get predecessor(): string | null {
    return this._pred;
  }
  get successors(): readonly string[] {
    return this._succs;
  }
  get fingers(): readonly (string | null)[] {
    return this._fingers;
  }
  get records(): number {
    return this._records.size;
  }
  get connections(): number {
    return this._open.size;
  }

  /** Creates a ring (bootstrap null: the first peer) or joins through any peer on it. */
  start(bootstrap: string | null): void {
    this._loop(this.o.stabiliseMs, () => this._stabilise());
    this._loop(this.o.fixPeriodMs / this.o.fingers, () => this._fixFinger());
    this._loop(this.o.republishMs, () => this._republish());
    this._bootstrap = bootstrap;
    if (bootstrap) this._join(bootstrap);
  }

  // find_successor(own id) through the peer the server named; again a stabilisation period later
  // if it did not answer in time (a long first route, a peer on it that left).
  private _join(bootstrap: string): void {
    void this._find(this.id, 'find', undefined, bootstrap).then((r) => {
      if (this._stopped || this._succs.length) return;
      // Joined: stabilise at once (fill the successor list from the successor's, and notify it
      // so it hands over the records of our keys), not a period later: a newcomer with one
      // successor that leaves meanwhile would be alone again, and its keys' records elsewhere.
      if (r.found && r.owner !== this.peer) {
        this._adoptSuccessor(r.owner);
        this._timers.push(this._clock.after(0, () => !this._stopped && this._stabilise()));
      }
      else this._timers.push(this._clock.after(this.o.stabiliseMs, () => this._join(bootstrap)));
    });
  }

  /** Joins (again) through `via` when this node has no successor: its bootstrap left before the
   * join, or every successor it knew has left (in the browser: a peer it still has a channel to). */
  join(via: string): void {
    if (this._stopped || this._succs.length || via === this.peer) return;
    this._bootstrap = via;
    this._join(via);
  }

  /** Finds the owner of a content hash's key and its provider records. */
  // Records this peer keeps answer at once: it owns their key, or did until a join moved the key
  // (then they are valid still, until handed over), or they were handed to it (a newcomer gets
  // its keys' records on its first notify, before the ring routes those keys to it).
  lookup(hash: string): Promise<ChordLookup> {
    const here = this._records.get(hash, this._clock.now(), CHORD_RECORDS_RETURNED);
    if (here.length) return Promise.resolve({ found: true, owner: this.peer, hops: 0, records: here });
    return this._find(keyOfHash(hash), 'get', hash).then((r) =>
      r.found && r.records.length === 0 ? { found: false, reason: 'no_record', hops: r.hops } : r,
    );
  }

  /** Finds the owner of a key (fix_fingers and joins use this; tests too). */
  findOwner(key: number): Promise<ChordLookup> {
    return this._find(key, 'find');
  }

  /** Announces that this peer holds `hash`: a record at its key's owner, refreshed until unpublished. */
  publish(hash: string): Promise<ChordLookup> {
    this._published.add(hash);
    return this._put(hash);
  }

  // A record names the peer that sends it, so it is sent straight to the key's owner (found
  // first): an owner takes a put only from its holder (docs/routing.md, "What a peer checks").
  private _put(hash: string): Promise<ChordLookup> {
    const key = keyOfHash(hash);
    return this._find(key, 'find').then((r) => {
      if (!r.found || this._stopped) return r;
      if (r.owner !== this.peer) return this._find(key, 'put', hash, r.owner, true);
      const now = this._clock.now();
      this._records.put(hash, this.peer, now + this.o.recordTtlMs, now);
      return r;
    });
  }

  unpublish(hash: string): void {
    this._published.delete(hash);
  }

  /** Leaves the ring. Clean: the records go to the successor and both neighbours are told. */
  leave(clean: boolean): void {
    if (clean && this._succs.length) {
      const succ = this._succs[0];
      this._handoff(succ, this._records.takeAll(this._clock.now()));
      this._send(succ, { t: 'chord.leave', pred: this._pred, succs: [] });
      if (this._pred) this._send(this._pred, { t: 'chord.leave', pred: null, succs: this._succs });
    }
    this._stopped = true;
    for (const cancel of this._timers) cancel();
    for (const a of this._acks.values()) a.cancel();
    for (const a of this._asks.values()) a.cancel();
    this._routes.clear();
    for (const [id, p] of this._pending) {
      p.cancel();
      p.resolve({ found: false, reason: 'deadline', hops: 0 });
      this._pending.delete(id);
    }
  }

  /** A message from a peer, as it came off the wire: parsed and checked before it is used. */
  receive(from: string, raw: unknown): void {
    if (this._stopped) return;
    const msg = parseChord(raw, this.o.successors);
    if (!msg) {
      this.dropped.malformed++;
      return;
    }
    this._touch(from);
    switch (msg.t) {
      case 'chord.find':
        return this._onFind(from, msg);
      case 'chord.ack': {
        const a = this._acks.get(msg.a);
        if (a && a.to === from) (a.cancel(), this._acks.delete(msg.a));
        else this.dropped.refused++;
        return;
      }
      case 'chord.reply':
        return this._onReply(from, msg);
      case 'chord.ask':
        this._send(from, { t: 'chord.answer', q: msg.q, pred: this._pred, succs: this._succs });
        return;
      case 'chord.answer': {
        const a = this._asks.get(msg.q);
        if (a && a.to === from) (a.cancel(), this._asks.delete(msg.q), a.done(msg));
        else this.dropped.refused++;
        return;
      }
      case 'chord.notify':
        return this._onNotify(from);
      case 'chord.handoff': {
        // Only a ring neighbour hands records over (a join: the successor; a clean leave: the
        // predecessor; a record out of range: either), or a peer that chord.notify would take as
        // the predecessor (no stronger claim than a notify's); anyone else would be planting.
        if (!this._neighbour(from)) return void this.dropped.refused++;
        const now = this._clock.now();
        for (const r of msg.records)
          if (!this._records.put(r.hash, r.peer, now + Math.min(r.expires, this.o.recordTtlMs), now)) this.dropped.refused++;
        return;
      }
      case 'chord.leave':
        // From a successor that leaves: its successors follow ours. From a predecessor: its own.
        if (from === this._succs[0]) this._setSuccessors(msg.succs.filter((p) => p !== this.peer));
        if (from === this._pred) this._pred = msg.pred === this.peer ? null : msg.pred;
        this._forget(from);
        return;
    }
  }

  // A find from a peer: the sender is the last entry of its path; a put comes straight from its
  // holder (one hop, final, origin = sender); a lookup claiming to be this peer's must be one.
  private _onFind(from: string, msg: Find): void {
    const now = this._clock.now();
    const direct = msg.final && msg.hops === 1 && msg.origin === from;
    if (msg.path[msg.path.length - 1] !== from || (msg.op === 'put' && !direct)) return void this.dropped.refused++;
    const deadline = Math.min(msg.deadline, now + this.o.deadlineMs + CHORD_CLOCK_SKEW_MS);
    if (!this._routes.has(msg.origin, msg.id))
      if (msg.origin === this.peer || !this._routes.relay(msg.origin, msg.id, from, deadline, now))
        return void this.dropped.refused++;
    this._send(from, { t: 'chord.ack', a: msg.a });
    this._route({ ...msg, deadline });
  }

  // --- lookups -------------------------------------------------------------------------------

  private _find(key: number, op: Op, hash?: string, via?: string, final = false): Promise<ChordLookup> {
    return new Promise((resolve) => {
      const id = randomId(); // not guessable: a peer the lookup did not pass cannot answer it
      const deadline = this._clock.now() + this.o.deadlineMs;
      const cancel = this._clock.after(this.o.deadlineMs, () => this._settle(id, { found: false, reason: 'deadline', hops: 0 }));
      this._pending.set(id, { resolve, cancel, op });
      this._routes.own(this.peer, id, deadline);
      const msg: Find = {
        t: 'chord.find', a: 0, id, origin: this.peer, key, op, hash, hops: 0, final: false, deadline, path: [],
        ttl: op === 'put' ? this.o.recordTtlMs : undefined,
      };
      if (via) this._forward(msg, via, final);
      else this._route(msg);
    });
  }

  // One step of find_successor at this peer (the simulator's chord::route_step, same rule).
  private _route(msg: Find): void {
    if (this._clock.now() > msg.deadline) return; // the origin has given up (its clock decides)
    const starting = msg.origin === this.peer && msg.hops === 0;
    const owns = starting && (this._succs.length === 0 || (this._pred !== null && inHalfOpen(msg.key, idOfPeer(this._pred), this.id)));
    if (msg.final || msg.key === this.id || owns) return this._arrive(msg);
    for (let j = this.o.fingers - 1; j >= 0; j--) {
      const f = this._fingers[j];
      if (!f || f === this.peer || !inOpen(idOfPeer(f), this.id, msg.key)) continue;
      return this._forward(msg, f, false);
    }
    const succ = this._succs[0];
    if (!succ && this._bootstrap && this._bootstrap !== msg.path[msg.path.length - 1])
      return this._forward(msg, this._bootstrap, false); // not joined yet
    if (!succ) return this._arrive(msg); // alone: this peer owns every key
    this._forward(msg, succ, inHalfOpen(msg.key, this.id, idOfPeer(succ)));
  }

  private _forward(msg: Find, to: string, final: boolean): void {
    if (msg.hops >= CHORD_MAX_HOPS) return; // a loop in stale tables: the origin's deadline ends it
    const a = this._next++;
    this._routes.sentTo(msg.origin, msg.id, to);
    const out: Find = { ...msg, a, final, hops: msg.hops + 1, path: [...msg.path, this.peer] };
    if (!this._send(to, out)) {
      this._forget(to);
      return this._route(msg);
    }
    // A hop to a peer whose connection is still being set up waits for it (until the deadline).
    const expire = (): void => {
      const e = this._acks.get(a);
      if (!e) return;
      if (this._net.connecting?.(to) && this._clock.now() < msg.deadline) return void (e.cancel = this._clock.after(this.o.hopTimeoutMs, expire));
      this._acks.delete(a);
      this._forget(to); // silent: gone (abruptly); route around it
      this._route(msg);
    };
    this._acks.set(a, { msg, to, cancel: this._clock.after(this.o.hopTimeoutMs, expire) });
  }

  private _arrive(msg: Find): void {
    const now = this._clock.now();
    // A put names its sender (checked in _onFind), for at most a record's lifetime.
    if (msg.op === 'put' && msg.hash) {
      const ttl = Math.min(msg.ttl ?? this.o.recordTtlMs, this.o.recordTtlMs);
      if (!this._records.put(msg.hash, msg.origin, now + ttl, now)) this.dropped.refused++;
    }
    const records = msg.op === 'get' && msg.hash ? this._records.get(msg.hash, now, CHORD_RECORDS_RETURNED) : [];
    this._answer({ t: 'chord.reply', id: msg.id, origin: msg.origin, owner: this.peer, hops: msg.hops, records });
  }

  // A reply is taken only from a peer this lookup was sent on to.
  private _onReply(from: string, msg: Reply): void {
    if (!this._routes.expects(msg.origin, msg.id, from)) return void this.dropped.refused++;
    this._answer(msg);
  }

  // The reply retraces the lookup's way back, over connections already open, to the peer each
  // hop got it from (kept here, not carried in the message). If that peer left, the reply is
  // lost and the origin's deadline ends the lookup: a reply straight to the origin from a peer
  // it did not send the lookup to could not be told from a forgery.
  private _answer(msg: Reply): void {
    const route = this._routes.take(msg.origin, msg.id);
    if (!route) return;
    if (route.back === null) this._settle(msg.id, { found: true, owner: msg.owner, hops: msg.hops, records: msg.records });
    else this._send(route.back, msg);
  }

  private _settle(id: number, r: ChordLookup): void {
    const p = this._pending.get(id);
    this._routes.take(this.peer, id);
    if (!p) return;
    this._pending.delete(id);
    p.cancel();
    p.resolve(r);
  }

  // --- ring maintenance (stabilise, notify, fix_fingers, check_predecessor) ----------------------

  private _stabilise(): void {
    const succ = this._succs[0];
    if (succ) {
      this._ask(succ, 'pred', (m) => {
        if (!m || m.t !== 'chord.answer') return this._forget(succ);
        const x = m.pred;
        if (x && x !== this.peer && inOpen(idOfPeer(x), this.id, idOfPeer(succ))) this._adoptSuccessor(x);
        else this._setSuccessors([succ, ...m.succs]);
        if (this._succs[0]) this._send(this._succs[0], { t: 'chord.notify' });
      });
    }
    const pred = this._pred;
    if (pred) this._ask(pred, 'ping', (m) => m || this._pred !== pred || (this._pred = null, this._forget(pred)));
    // Records for keys this peer does not own (stored before the ring settled) go to the
    // neighbour on their side, who passes them on the same way until they reach their owner (a
    // put would name this peer as the sender, and the owner takes a put only from its holder).
    if (pred) {
      const succ = this._succs[0];
      const ahead: ProviderRecord[] = [];
      const behind: ProviderRecord[] = [];
      for (const r of this._records.takeOutside(idOfPeer(pred), this.id, this._clock.now()))
        (succ && inHalfOpen(keyOfHash(r.hash), this.id, idOfPeer(succ)) ? ahead : behind).push(r);
      if (succ) this._handoff(succ, ahead);
      this._handoff(pred, behind);
    }
  }

  private _handoff(to: string, records: ProviderRecord[]): void {
    for (let i = 0; i < records.length; i += CHORD_HANDOFF_MAX)
      this._send(to, { t: 'chord.handoff', records: records.slice(i, i + CHORD_HANDOFF_MAX) });
  }

  private _neighbour(p: string): boolean {
    return p === this._succs[0] || this._predecessorCandidate(p);
  }

  private _predecessorCandidate(p: string): boolean {
    const old = this._pred;
    return !old || old === p || inOpen(idOfPeer(p), idOfPeer(old), this.id);
  }

  private _onNotify(from: string): void {
    const old = this._pred;
    if (!this._predecessorCandidate(from)) return;
    this._pred = from;
    if (this._succs.length === 0) this._adoptSuccessor(from); // the ring's second peer
    if (old === from) return;
    // The keys in (old, from] are the newcomer's now.
    this._handoff(from, this._records.takeOutside(idOfPeer(from), this.id, this._clock.now()));
  }

  private _fixFinger(): void {
    const j = this._fix;
    this._fix = (j + 1) % this.o.fingers;
    const start = fingerStart(this.id, j, this.o.fingers);
    const succ = this._succs[0];
    if (!succ) return;
    if (inHalfOpen(start, this.id, idOfPeer(succ))) {
      this._fingers[j] = succ;
      return;
    }
    void this._find(start, 'find').then((r) => {
      if (r.found && !this._stopped) this._fingers[j] = r.owner === this.peer ? null : r.owner;
    });
  }

  private _republish(): void {
    for (const hash of this._published) void this._put(hash);
  }

  private _adoptSuccessor(p: string): void {
    this._setSuccessors([p, ...this._succs]);
  }

  private _setSuccessors(list: string[]): void {
    const seen = new Set<string>();
    this._succs = list.filter((p) => p !== this.peer && !seen.has(p) && (seen.add(p), true)).slice(0, this.o.successors);
  }

  /** The transport lost `p` (its channel closed, or the server says it is gone): out of every table. */
  gone(p: string): void {
    if (!this._stopped) this._forget(p);
  }

  /** A peer that left (or went silent): out of every table, its connection closed. */
  private _forget(p: string): void {
    this._succs = this._succs.filter((s) => s !== p);
    for (let j = 0; j < this._fingers.length; j++) if (this._fingers[j] === p) this._fingers[j] = null;
    if (this._pred === p) this._pred = null;
    if (this._open.delete(p)) this._net.close?.(p);
  }

  // --- plumbing ------------------------------------------------------------------------------------

  private _ask(to: string, what: 'pred' | 'ping', done: (m: ChordMessage | null) => void): void {
    const q = this._next++;
    if (!this._send(to, { t: 'chord.ask', q, what })) return done(null);
    const expire = (): void => {
      const e = this._asks.get(q);
      if (!e) return;
      if (this._net.connecting?.(to)) return void (e.cancel = this._clock.after(this.o.hopTimeoutMs, expire));
      this._asks.delete(q);
      done(null);
    };
    this._asks.set(q, { to, done, cancel: this._clock.after(this.o.hopTimeoutMs, expire) });
  }

  private _send(to: string, msg: ChordMessage): boolean {
    if (!this._open.has(to)) this.opened++;
    this._touch(to);
    this._trim();
    return this._net.send(to, msg);
  }

  private _touch(p: string): void {
    this._open.delete(p);
    this._open.set(p, this._clock.now());
  }

  // Over the cap: close the least recently used connection that is neither a successor nor the
  // predecessor (those carry the ring; fingers are a shortcut).
  private _trim(): void {
    for (const p of this._open.keys()) {
      if (this._open.size <= this.o.maxConnections) return;
      if (p === this._pred || this._succs.includes(p)) continue;
      this._open.delete(p);
      this._net.close?.(p);
    }
  }

  // A periodic task, its first run at a phase that depends on the id (peers do not tick together).
  // Re-armed even when fn throws: one bad entry must not stop a node's maintenance for good.
  private _loop(ms: number, fn: () => void): void {
    const slot = this._timers.length;
    const tick = () => {
      if (this._stopped) return;
      try {
        fn();
      } finally {
        this._timers[slot] = this._clock.after(ms, tick);
      }
    };
    this._timers.push(this._clock.after(ms * (0.5 + (this.id % 1000) / 2000), tick));
  }
}
