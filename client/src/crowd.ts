// The crowd's parts, wired: the tracker socket, the peer pool, wants, uploads, the upload gate,
// possession proofs, announcements and the item loader. Each part subscribes to the tracker and
// the pool for what concerns it; what is left here is the welcome's order (the gate's hello before
// any announce) and the announce batching. The public face (circle-cdn.ts) only reads `loader`.
import { ItemLoader, type LoaderHooks } from './fetch/item-loader';
import type { OriginMeter } from './fetch/origin-meter';
import { Wants } from './fetch/wants';
import { PeerPool } from './peer/peer-pool';
import { Routing } from './routing/follow';
import { answerChallenge } from './signal/challenge';
import { Tracker } from './signal/tracker';
import { UsageReport } from './signal/usage-report';
import type { ContentStore } from './store/content-store';
import { UploadGate } from './transfer/upload-gate';
import { Uploader } from './transfer/uploader';

// Holdings are announced in batches: fewer messages, each under the server's 16 KiB cap (~67 B/hash).
const ANNOUNCE_DELAY_MS = 100;
const ANNOUNCE_BATCH = 200;

export interface CrowdOptions {
  wsUrl: string;
  maxUploads: number;
  maxWants: number;
  iceServers?: RTCIceServer[];
  meter?: OriginMeter;
}

export interface CrowdHooks extends Omit<LoaderHooks, 'stored'> {
  ready(peer: string): void;
  uploaded(peer: string, hash: string, bytes: number): void;
  announced(count: number): void;
}

export class Crowd {
  readonly tracker: Tracker;
  readonly pool: PeerPool;
  readonly gate: UploadGate;
  readonly loader: ItemLoader;
  readonly usage: UsageReport;
  /** welcome.routing followed: ring or Chord lookups instead of `want` (routing/follow.ts). */
  readonly routing: Routing;
  private _toAnnounce = new Set<string>();
  private _announceTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private _store: ContentStore,
    o: CrowdOptions,
    hooks: CrowdHooks,
  ) {
    const { maxUploads } = o;
    const tracker = (this.tracker = new Tracker(o.wsUrl, maxUploads));
    // Subscribed first: the pool's ICE and connect budget and the wants' first-byte budget are
    // set from a welcome before anything below acts on it.
    const pool = (this.pool = new PeerPool(tracker, o.iceServers));
    const wants = new Wants(tracker, pool, o.maxWants);
    let serverUploads = maxUploads > 0;
    const setUploads = (open: boolean) => {
      serverUploads = open;
      tracker.send({ type: 'hello', upload: open, max_uploads: open ? maxUploads : 0 });
    };
    const gate = (this.gate = new UploadGate(maxUploads, (open) => {
      if (!open) uploader.clear();
      if (tracker.isReady && open !== serverUploads) setUploads(open);
    }));
    const uploader = new Uploader(maxUploads, tracker, pool, (h) => _store.get(h), (peer, hash, bytes) => {
      gate.sent(bytes);
      hooks.uploaded(peer, hash, bytes);
    }, () => gate.open);
    this.routing = new Routing(tracker, pool, { tracker, pool, canServe: (h) => _store.has(h) && uploader.free }, (r) => (wants.router = r));
    tracker.on('ready', (w) => {
      gate.setPolicy(w.uploads);
      // The tracker must know whether we upload (a paused visitor is never chosen as a holder
      // and never made the one others wait for): say so with a hello; its welcome comes back here.
      if (gate.open !== serverUploads) return setUploads(gate.open);
      this._announce(_store.keys(), hooks);
      hooks.ready(w.peer);
    });
    tracker.on('down', () => (serverUploads = maxUploads > 0)); // a new connection starts from the page's cap
    tracker.on('challenge', (m) => void answerChallenge(m, (h) => _store.get(h)).then((proof) => proof && tracker.send(proof)));
    this.usage = new UsageReport((m) => tracker.send(m));
    this.loader = new ItemLoader(_store, tracker, wants, { ...hooks, stored: (hash) => this._announce([hash], hooks) }, o.meter);
    tracker.start();
  }

  /** The store's holdings may be announced again (an eviction is told with `drop`). */
  dropped(hashes: string[]): void {
    this.tracker.send({ type: 'drop', hashes });
    this.routing.dropped(hashes);
  }

  stop(): void {
    clearTimeout(this._announceTimer);
    this.usage.stop();
    this.routing.stop();
    this.tracker.stop();
    this.pool.destroyAll();
  }

  private _announce(hashes: string[], hooks: CrowdHooks): void {
    if (!this.gate.open) return;
    for (const h of hashes) this._toAnnounce.add(h);
    this._announceTimer ??= setTimeout(() => {
      this._announceTimer = undefined;
      const all = [...this._toAnnounce].filter((h) => this._store.has(h));
      this._toAnnounce.clear();
      for (let i = 0; i < all.length; i += ANNOUNCE_BATCH) {
        const have = all.slice(i, i + ANNOUNCE_BATCH);
        if (this.tracker.send({ type: 'announce', have })) hooks.announced(have.length), this.routing.held(have);
      }
    }, ANNOUNCE_DELAY_MS);
  }
}
