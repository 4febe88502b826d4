// The signaling WebSocket to the tracker: connects, comes back after a drop with exponential
// backoff (resuming its id), paces what it sends under the server's rate limit, and emits every
// validated server message by its type to the parts that subscribed to it.
import { Emitter } from '../emitter';
import type { Cancel, Challenge, ErrorMessage, Ice, Link, Match, Miss, Penalised, RingOrder, SignalIn, Welcome } from './messages';
import type { ManifestChange } from './manifest-updates';
import { parseServerMessage } from './messages';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;
// Pace at 80% of the rate the server's welcome states (its bucket: 200/s, burst 400 by default,
// protocol.md); 40/s until a welcome says, and a burst below any server's.
const SEND_RATE_SHARE = 0.8;
const SEND_BURST = 150;
const PROTOCOL = 'circlecdn.1';
export const DEFAULT_MAX_UPLOADS = 4;

// One event per server message type (`match`, `push`, `miss`, ...), plus `ready` (a welcome
// settled the id: announce now) and `down` (the socket closed; a reconnect is scheduled).
export interface TrackerEvents {
  match: [Match];
  push: [Match];
  miss: [Miss];
  cancel: [Cancel];
  signal: [SignalIn];
  ice: [Ice];
  challenge: [Challenge];
  penalised: [Penalised];
  error: [ErrorMessage];
  manifest: [ManifestChange];
  ring: [RingOrder];
  link: [Link];
  ready: [Welcome];
  down: [];
}

export class Tracker extends Emitter<TrackerEvents> {
  peerId = '';
  isReady = false;
  /** Messages sent to and received from the server (the routing figures: server messages per resource). */
  sent = 0;
  received = 0;
  private _ws: WebSocket | null = null;
  private _resumeToken = '';
  private _backoffMs = RECONNECT_MIN_MS;
  private _timer: ReturnType<typeof setTimeout> | undefined; // reconnect
  private _flushTimer: ReturnType<typeof setTimeout> | undefined;
  private _stopped = false;
  private _queue: string[] = [];
  private _tokens = SEND_BURST;
  private _rate = 40;
  private _refilledAt = Date.now();
  private _waiters: Array<(ready: boolean) => void> = [];

  constructor(
    private _url: string,
    private _maxUploads: number,
  ) {
    super();
  }

  start(): void {
    if (this._stopped || this._ws) return;
    const ws = (this._ws = new WebSocket(this._url, PROTOCOL));
    let helloSent = false;
    ws.onmessage = (e) => {
      const m = parseServerMessage(e.data);
      if (!m) return;
      this.received++;
      if (m.type !== 'welcome') return this.emit(m.type, m as never);
      // A welcome comes on connect and again after a hello. Send a hello only when there is
      // something to say (an id to resume, a lower upload cap); announce on the welcome that ends it.
      const resume = this._resumeToken && m.peer !== this.peerId;
      if (!helloSent && (resume || this._maxUploads !== DEFAULT_MAX_UPLOADS)) {
        helloSent = true;
        this._sendNow({
          type: 'hello',
          ...(resume ? { resume: this._resumeToken } : {}),
          max_uploads: this._maxUploads,
          upload: this._maxUploads > 0,
        });
        return;
      }
      this._settle(m);
    };
    ws.onclose = () => {
      if (this._ws !== ws) return;
      this._ws = null;
      this.isReady = false;
      this._queue = [];
      this.emit('down');
      if (this._stopped) return;
      this._timer = setTimeout(() => this.start(), this._backoffMs * (0.5 + Math.random()));
      this._backoffMs = Math.min(this._backoffMs * 2, RECONNECT_MAX_MS);
    };
  }

  // Resolves true once ready, false if not ready within `ms`.
  whenReady(ms: number): Promise<boolean> {
    if (this.isReady || this._stopped) return Promise.resolve(this.isReady);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(this.isReady), ms);
      this._waiters.push((r) => (clearTimeout(t), resolve(r)));
    });
  }

  send(msg: object): boolean {
    if (!this.isReady) return false;
    this._queue.push(JSON.stringify(msg));
    this._flush();
    return true;
  }

  stop(): void {
    this._stopped = true;
    clearTimeout(this._timer);
    this._ws?.close(1000);
    this._ws = null;
    this.isReady = false;
    this._waiters.splice(0).forEach((w) => w(false));
  }

  private _settle(m: Welcome): void {
    this.peerId = m.peer;
    const rate = m.limits?.messages_per_s;
    if (typeof rate == 'number' && rate > 0) this._rate = rate * SEND_RATE_SHARE;
    if (m.resume) this._resumeToken = m.resume;
    this.isReady = true;
    this._backoffMs = RECONNECT_MIN_MS;
    this.emit('ready', m);
    this._waiters.splice(0).forEach((w) => w(true));
  }

  private _sendNow(msg: object): void {
    this._ws?.send(JSON.stringify(msg));
  }

  // Token bucket: send what the budget allows now, the rest when tokens come back.
  private _flush(): void {
    const now = Date.now();
    this._tokens = Math.min(SEND_BURST, this._tokens + ((now - this._refilledAt) * this._rate) / 1000);
    this._refilledAt = now;
    while (this._queue.length && this._tokens >= 1 && this._ws?.readyState === WebSocket.OPEN) {
      this._ws.send(this._queue.shift()!);
      this._tokens--;
      this.sent++;
    }
    if (this._queue.length && !this._flushTimer) {
      this._flushTimer = setTimeout(() => {
        this._flushTimer = undefined;
        this._flush();
      }, 1000 / this._rate);
    }
  }
}
