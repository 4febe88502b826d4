// The signaling WebSocket to the tracker: connects, comes back after a drop with exponential
// backoff (resuming its id), paces what it sends under the server's rate limit, and hands every
// validated server message to one handler.
import { parseServerMessage, type ServerMessage, type Welcome } from './messages';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;
// The server allows 50 messages/s with a burst of 200 (protocol.md); stay below both.
const SEND_RATE_PER_S = 40;
const SEND_BURST = 150;
const PROTOCOL = 'circlecdn.1';
export const DEFAULT_MAX_UPLOADS = 4;

export interface TrackerHooks {
  ready(welcome: Welcome): void; // the id is settled: announce now
  message(m: ServerMessage): void;
  down(): void; // the socket closed; a reconnect is scheduled
}

export class Tracker {
  peerId = '';
  isReady = false;
  private ws: WebSocket | null = null;
  private resumeToken = '';
  private backoffMs = RECONNECT_MIN_MS;
  private timer: ReturnType<typeof setTimeout> | undefined; // reconnect
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private queue: string[] = [];
  private tokens = SEND_BURST;
  private refilledAt = Date.now();
  private waiters: Array<(ready: boolean) => void> = [];

  constructor(
    private url: string,
    private maxUploads: number,
    private hooks: TrackerHooks,
  ) {}

  start(): void {
    if (this.stopped || this.ws) return;
    const ws = (this.ws = new WebSocket(this.url, PROTOCOL));
    let helloSent = false;
    ws.onmessage = (e) => {
      const m = parseServerMessage(e.data);
      if (!m) return;
      if (m.type !== 'welcome') return this.hooks.message(m);
      // A welcome comes on connect and again after a hello. Send a hello only when there is
      // something to say (an id to resume, a lower upload cap); announce on the welcome that ends it.
      const resume = this.resumeToken && m.peer !== this.peerId;
      if (!helloSent && (resume || this.maxUploads !== DEFAULT_MAX_UPLOADS)) {
        helloSent = true;
        this.sendNow({
          type: 'hello',
          ...(resume ? { resume: this.resumeToken } : {}),
          max_uploads: this.maxUploads,
          upload: this.maxUploads > 0,
        });
        return;
      }
      this.settle(m);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.isReady = false;
      this.queue = [];
      this.hooks.down();
      if (this.stopped) return;
      this.timer = setTimeout(() => this.start(), this.backoffMs * (0.5 + Math.random()));
      this.backoffMs = Math.min(this.backoffMs * 2, RECONNECT_MAX_MS);
    };
  }

  // Resolves true once ready, false if not ready within `ms`.
  whenReady(ms: number): Promise<boolean> {
    if (this.isReady || this.stopped) return Promise.resolve(this.isReady);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(this.isReady), ms);
      this.waiters.push((r) => (clearTimeout(t), resolve(r)));
    });
  }

  send(msg: object): boolean {
    if (!this.isReady) return false;
    this.queue.push(JSON.stringify(msg));
    this.flush();
    return true;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
    this.isReady = false;
    this.waiters.splice(0).forEach((w) => w(false));
  }

  private settle(m: Welcome): void {
    this.peerId = m.peer;
    if (m.resume) this.resumeToken = m.resume;
    this.isReady = true;
    this.backoffMs = RECONNECT_MIN_MS;
    this.hooks.ready(m);
    this.waiters.splice(0).forEach((w) => w(true));
  }

  private sendNow(msg: object): void {
    this.ws?.send(JSON.stringify(msg));
  }

  // Token bucket: send what the budget allows now, the rest when tokens come back.
  private flush(): void {
    const now = Date.now();
    this.tokens = Math.min(SEND_BURST, this.tokens + ((now - this.refilledAt) * SEND_RATE_PER_S) / 1000);
    this.refilledAt = now;
    while (this.queue.length && this.tokens >= 1 && this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(this.queue.shift()!);
      this.tokens--;
    }
    if (this.queue.length && !this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flush();
      }, 1000 / SEND_RATE_PER_S);
    }
  }
}
