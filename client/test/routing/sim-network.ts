// A simulated network for the routing state machines: a clock with timers (events in time order,
// ties in the order they were made), seeded latencies per message (in order per link, as on a
// DataChannel), and peers that leave cleanly
// (a send to them fails at once) or abruptly (a send succeeds and the message is lost).
import type { RoutingClock, RoutingTransport } from '../../src/routing/transport';

/** mulberry32: small, seeded, good enough for tests. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random 22-character base64url peer id from the generator. */
export function peerIdFrom(random: () => number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < 21; i++) s += alphabet[Math.floor(random() * 64)];
  return s + 'AQgw'[Math.floor(random() * 4)]; // the last character carries 2 bits
}

/** A peer id whose first 32 bits are `id` (to place a peer at a chosen position). */
export function peerIdAt(id: number, random: () => number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let v = id * 16 + Math.floor(random() * 16); // 36 bits in 6 characters
  let head = '';
  for (let i = 0; i < 6; i++) {
    head = alphabet[v % 64] + head;
    v = Math.floor(v / 64);
  }
  return head + peerIdFrom(random).slice(6);
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

export class SimClock implements RoutingClock {
  private _now = 0;
  private _seq = 0;
  private readonly _heap: Timer[] = []; // a binary heap on (at, seq)
  now(): number {
    return this._now;
  }
  after(ms: number, fn: () => void): () => void {
    const t: Timer = { at: this._now + Math.max(0, ms), seq: this._seq++, fn, live: true };
    const h = this._heap;
    h.push(t);
    for (let i = h.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!before(h[i], h[up])) break;
      [h[i], h[up]] = [h[up], h[i]];
      i = up;
    }
    return () => {
      t.live = false;
    };
  }
  /** Runs every event up to `until` (ms), in time order. */
  runUntil(until: number): void {
    const h = this._heap;
    while (h.length && h[0].at <= until) {
      const t = h[0];
      const last = h.pop()!;
      if (h.length) {
        h[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && before(h[l], h[m])) m = l;
          if (r < h.length && before(h[r], h[m])) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m], h[i]];
          i = m;
        }
      }
      if (!t.live) continue;
      this._now = t.at;
      t.fn();
    }
    this._now = Math.max(this._now, until);
  }
  /** Runs for `ms` more, letting promise callbacks run between slices of 50 ms. */
  async advance(ms: number): Promise<void> {
    const end = this._now + ms;
    while (this._now < end) {
      this.runUntil(Math.min(end, this._now + 50));
      for (let i = 0; i < 4; i++) await Promise.resolve();
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export interface Receiver<M> {
  receive(from: string, msg: M): void;
}

export class SimNetwork<M> {
  readonly clock = new SimClock();
  private readonly _nodes = new Map<string, Receiver<M>>();
  private readonly _gone = new Map<string, 'clean' | 'abrupt'>();
  private readonly _last = new Map<string, number>(); // link -> when its last message arrives
  readonly random: () => number;
  sent = 0;
  lost = 0;
  /** Connections each peer opened (a first send to a peer), and the most it held at once. */
  readonly open = new Map<string, Set<string>>();

  constructor(seed: number, private readonly _latency: [number, number] = [5, 40]) {
    this.random = seeded(seed);
  }

  transport(self: string): RoutingTransport<M> {
    return {
      send: (to, msg) => {
        if (this._gone.get(self)) return false;
        if (this._gone.get(to) === 'clean' || (!this._nodes.has(to) && !this._gone.has(to))) return false;
        this.sent++;
        let mine = this.open.get(self);
        if (!mine) this.open.set(self, (mine = new Set()));
        mine.add(to);
        const [lo, hi] = this._latency;
        const copy = JSON.parse(JSON.stringify(msg)) as M; // what goes on the wire
        // A DataChannel is ordered: a message never overtakes an earlier one on the same link.
        const link = `${self} ${to}`;
        const at = Math.max(this.clock.now() + lo + this.random() * (hi - lo), this._last.get(link) ?? 0);
        this._last.set(link, at);
        this.clock.after(at - this.clock.now(), () => {
          const node = this._nodes.get(to);
          if (!node || this._gone.has(to)) {
            this.lost++;
            return;
          }
          node.receive(self, copy);
        });
        return true;
      },
      close: (peer) => {
        this.open.get(self)?.delete(peer);
      },
    };
  }

  attach(peer: string, node: Receiver<M>): void {
    this._nodes.set(peer, node);
    this._gone.delete(peer);
  }

  leave(peer: string, how: 'clean' | 'abrupt'): void {
    this._nodes.delete(peer);
    this._gone.set(peer, how);
    this.open.delete(peer);
  }

  alive(peer: string): boolean {
    return this._nodes.has(peer);
  }
}
