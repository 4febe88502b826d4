// Tells the server what this visitor loaded, by source, and how long its resources took: one
// `usage` message (docs/protocol.md) at most every USAGE_INTERVAL_MS, only when something changed.
// The server treats it as untrusted and bounds it per peer; it feeds the operator's dashboard and
// /metrics, nothing else.
import type { Source } from '../fetch/item-loader';

// The server refuses reports closer together than 500 ms: twice that leaves room for jitter.
export const USAGE_INTERVAL_MS = 1_000;
// The server's cap on latency samples per source per report; later ones wait for the next report.
export const USAGE_SAMPLES_MAX = 32;

type PerSource<T> = Record<Source, T>;

export class UsageReport {
  private _bytes: PerSource<number> = { peer: 0, origin: 0, store: 0 };
  private _ms: PerSource<number[]> = { peer: [], origin: [], store: [] };
  private _verifyFailures = 0;
  private _timer?: ReturnType<typeof setTimeout>;
  private _stopped = false;

  /** `send` returns false when the message could not be queued (tracker down): we try again later. */
  constructor(private _send: (msg: object) => boolean, private _intervalMs = USAGE_INTERVAL_MS) {}

  bytes(source: Source, n: number): void {
    this._bytes[source] += n;
    this._schedule();
  }

  /** One resource's time from request to its bytes, in ms, filed under the source that gave most. */
  resource(source: Source, ms: number): void {
    this._ms[source].push(Math.max(0, Math.round(ms)));
    this._schedule();
  }

  verifyFailure(): void {
    this._verifyFailures++;
    this._schedule();
  }

  stop(): void {
    this._stopped = true;
    clearTimeout(this._timer);
  }

  private _schedule(): void {
    if (this._stopped) return;
    this._timer ??= setTimeout(() => {
      this._timer = undefined;
      this._flush();
    }, this._intervalMs);
  }

  private _flush(): void {
    const b = this._bytes;
    const ms: Partial<PerSource<number[]>> = {};
    let samples = false;
    for (const s of ['peer', 'origin', 'store'] as const) {
      if (this._ms[s].length) {
        ms[s] = this._ms[s].slice(0, USAGE_SAMPLES_MAX);
        samples = true;
      }
    }
    if (!b.peer && !b.origin && !b.store && !samples && !this._verifyFailures) return;
    const msg = {
      type: 'usage', peer: b.peer, origin: b.origin, store: b.store,
      ...(this._verifyFailures ? { verify_failures: this._verifyFailures } : {}),
      ...(samples ? { ms } : {}),
    };
    if (!this._send(msg)) return this._schedule();
    this._bytes = { peer: 0, origin: 0, store: 0 };
    this._verifyFailures = 0;
    for (const s of ['peer', 'origin', 'store'] as const) this._ms[s] = this._ms[s].slice(USAGE_SAMPLES_MAX);
    if (this._ms.peer.length || this._ms.origin.length || this._ms.store.length) this._schedule();
  }
}
