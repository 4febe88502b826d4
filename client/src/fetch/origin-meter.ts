// How fast the origin serves this visitor now, from the library's own origin fetches: the bytes
// delivered over the time at least one fetch was in flight. With the bytes still owed by fetches in
// flight (the browser queues requests on its few connections), that predicts when a new fetch would
// end. A saturated origin (a flash crowd) shows as a low rate, and the loader leans on the peers.
// Busy time past FADE_MS halves both sums, so the estimate follows a load that changes.
const FADE_MS = 10_000;

export class OriginMeter {
  private _bytes = 0; // delivered by fetches that ended
  private _ms = 0; // busy time up to _since
  private _since = 0;
  private _owed = 0; // asked for by fetches in flight
  private _n = 0; // fetches in flight

  start(size: number): void {
    if (!this._n++) this._since = Date.now();
    this._owed += size;
  }

  end(size: number, got: number): void {
    const now = Date.now();
    this._owed -= size;
    this._bytes += got;
    this._ms += now - this._since;
    this._since = now;
    this._n--;
    if (this._ms > FADE_MS) (this._ms /= 2), (this._bytes /= 2);
  }

  /**
   * ms until `size` more bytes would arrive if asked for now, behind the bytes owed (`queued`) or
   * on their own (the origin's speed for us); undefined until a fetch has ended.
   */
  eta(size: number, queued = true): number | undefined {
    const ms = this._ms + (this._n ? Date.now() - this._since : 0);
    return this._bytes ? (((queued ? this._owed : 0) + size) * ms) / this._bytes : undefined;
  }
}
