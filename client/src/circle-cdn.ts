// CircleCDN: the one object a page creates. It assembles the parts (tracker, peers, wants,
// uploads, store, loader) and reports what happens as DOM events.
import { applySource, circleElements } from './dom/declarative';
import { optOutReason, setVisitorOptOut } from './dom/opt-out';
import { ItemLoader, type Source } from './fetch/item-loader';
import { mimeType } from './fetch/mime';
import { OriginMeter } from './fetch/origin-meter';
import { DEFAULT_FIRST_BYTE_MS, Wants } from './fetch/wants';
import { DEFAULT_CONNECT_MS, PeerPool } from './peer/peer-pool';
import { answerChallenge } from './signal/challenge';
import { reloadManifest } from './signal/manifest-updates';
import type { ServerMessage } from './signal/messages';
import { DEFAULT_MAX_UPLOADS, Tracker } from './signal/tracker';
import { UsageReport } from './signal/usage-report';
import { ContentStore } from './store/content-store';
import { useServiceWorker } from './sw-bridge/register';
import { UploadGate } from './transfer/upload-gate';
import { Uploader } from './transfer/uploader';
import { Manifest } from './verify/manifest';

const DEFAULT_STORE_QUOTA_BYTES = 64 * 1024 * 1024;
// Below the server's 16 wants in flight, above its 4 uploads per holder (protocol.md).
const DEFAULT_MAX_WANTS = 6;
// Holdings are announced in batches: fewer messages, each under the server's 16 KiB cap (~67 B/hash).
const ANNOUNCE_DELAY_MS = 100;
const ANNOUNCE_BATCH = 200;
const PREFIX = '/.circlecdn/';
// Without a secure context (HTTPS or localhost) there is no crypto.subtle to verify with.
const INSECURE = 'insecure-context';
// A welcome's budget in ms, or the default when it has none (an older server).
const budget = (ms: unknown, fallback: number): number => (typeof ms == 'number' && ms > 0 ? ms : fallback);

export interface CircleOptions {
  /** Base URL of the circlecdn server (tracker, manifest, origin). Default: the page's origin. */
  server?: string;
  /** Operator switch: false = origin only, no tracker, no uploads. Default true. */
  enabled?: boolean;
  /** Concurrent pushes to other visitors; 0 = take from peers but never upload. Default 4. */
  maxUploads?: number;
  /**
   * true: every item asks the crowd first and the origin is only the fallback, for the most
   * offload. Default false: the origin is one more source (docs/client.md), so pages are not
   * slower than without the library when the origin is not loaded.
   */
  preferPeers?: boolean;
  /** Concurrent wants with the tracker. Default 6. */
  maxWants?: number;
  /** Bytes of verified content kept in IndexedDB (least recently used evicted). Default 64 MiB. */
  storeQuotaBytes?: number;
  /** IndexedDB database name. Default "circlecdn". */
  dbName?: string;
  /** The page's own STUN/TURN servers, added after the server's (welcome.ice_servers) for every connection. */
  iceServers?: RTCIceServer[];
  /** Start nothing (no manifest, no tracker, no store: every fetch from the origin) until grantConsent(). */
  requireConsent?: boolean;
  /** Service worker mode: register /.circlecdn/sw.js (scope /) and answer it (docs/client.md). Default false. */
  serviceWorker?: boolean;
}

export interface CircleStats {
  bytesFromPeers: number;
  bytesFromOrigin: number;
  bytesFromStore: number;
  bytesUploaded: number;
  itemsVerified: number;
  /** Hashes announced to the tracker as held (every announce counts). */
  announced: number;
  verifyFailures: number;
  peersConnected: number;
  /** Raw bytes received per peer id, before verification. */
  receivedFrom: Record<string, number>;
  /** Peers the server said it penalised after our reports. */
  penalised: string[];
}

export interface ResourceDetail {
  url: string;
  bytes: number;
  fromPeers: number;
  fromOrigin: number;
  fromStore: number;
}

export interface CircleEventMap {
  ready: CustomEvent<{ peer: string }>;
  peerconnect: CustomEvent<{ peer: string }>;
  peerclose: CustomEvent<{ peer: string; code?: string }>;
  item: CustomEvent<{ hash: string; bytes: number; source: Source; peer?: string; why?: string }>;
  resource: CustomEvent<ResourceDetail>;
  upload: CustomEvent<{ peer: string; hash: string; bytes: number }>;
  verifyfailure: CustomEvent<{ hash: string; peer?: string }>;
  penalised: CustomEvent<{ peer: string }>;
  servererror: CustomEvent<{ code: string; message?: string }>;
  /** The library is off for this page: `insecure-context` or an opt-out (`optedOut`). */
  disabled: CustomEvent<{ reason: string }>;
}

type Listener<K extends keyof CircleEventMap> = (ev: CircleEventMap[K]) => void;

export interface CircleCDN {
  addEventListener<K extends keyof CircleEventMap>(type: K, listener: Listener<K>, options?: AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: AddEventListenerOptions): void;
  removeEventListener<K extends keyof CircleEventMap>(type: K, listener: Listener<K>): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject): void;
}

export class CircleCDN extends EventTarget {
  /** Why this visitor does not take part ('insecure-context', 'operator', 'visitor', 'save-data', 'metered', 'consent'), or null. */
  optedOut: string | null = null;
  readonly stats: CircleStats = {
    bytesFromPeers: 0, bytesFromOrigin: 0, bytesFromStore: 0, bytesUploaded: 0, itemsVerified: 0, announced: 0,
    verifyFailures: 0, peersConnected: 0, receivedFrom: {}, penalised: [],
  };
  private _base: URL;
  private _started?: Promise<void>;
  private _manifest?: Manifest;
  private _tracker?: Tracker;
  private _pool?: PeerPool;
  private _store?: ContentStore;
  private _loader?: ItemLoader;
  private _wants?: Wants;
  private _uploader?: Uploader;
  private _gate?: UploadGate;
  private _consent = false;
  private _usage?: UsageReport;
  private _toAnnounce = new Set<string>();
  private _announceTimer?: ReturnType<typeof setTimeout>;

  constructor(private _options: CircleOptions = {}) {
    super();
    this._base = new URL(_options.server ?? location.origin);
    if (_options.serviceWorker) useServiceWorker(this, this._base);
  }

  /** The visitor's own switch, kept in localStorage; takes effect on the next page load. */
  static setVisitorOptOut(optOut: boolean): void {
    setVisitorOptOut(optOut);
  }

  /** This visitor's peer id once the tracker has welcomed it. */
  get peerId(): string {
    return this._tracker?.peerId ?? '';
  }

  /** Why this visitor offers nothing to others now ('uploads-off', 'gpc', 'budget', 'hidden', 'no-policy'), or null. */
  get uploadsPaused(): string | null {
    return this._gate?.paused ?? this.optedOut;
  }

  /** Opens the store, loads the manifest and connects to the tracker. Idempotent; fetch() calls it. */
  start(): Promise<void> {
    if (this._options.requireConsent && !this._consent) {
      this.optedOut = 'consent';
      return Promise.resolve();
    }
    return (this._started ??= this._boot());
  }

  /** With `requireConsent`: the visitor agreed, so the library starts (what loads from now on may come from peers). */
  grantConsent(): Promise<void> {
    this._consent = true;
    return this.start();
  }

  /** Like window.fetch for GET: a standard Response with content from the store, peers or origin. */
  async fetch(input: string | URL): Promise<Response> {
    await this.start();
    const url = new URL(input, location.href);
    const file = url.origin === this._base.origin ? this._manifest?.byPath.get(decodeURI(url.pathname)) : undefined;
    if (!file || !this._loader) return fetch(url);
    const started = performance.now();
    const got = await this._loader.loadAll(url.href, this._manifest!.items(file));
    const detail: ResourceDetail = { url: url.href, bytes: file.size, fromPeers: 0, fromOrigin: 0, fromStore: 0 };
    for (const g of got) {
      const key = g.source === 'peer' ? 'fromPeers' : g.source === 'origin' ? 'fromOrigin' : 'fromStore';
      detail[key] += g.bytes.length;
    }
    const most = Math.max(detail.fromPeers, detail.fromOrigin, detail.fromStore);
    this._usage?.resource(most === detail.fromPeers ? 'peer' : most === detail.fromOrigin ? 'origin' : 'store', performance.now() - started);
    this._emit('resource', detail);
    const blob = new Blob(got.map((g) => g.bytes as BlobPart), { type: mimeType(file.path) });
    return new Response(blob, { headers: { 'Content-Type': blob.type } });
  }

  /** Declarative mode: loads every [data-circle-src] element under `root`; with the library off, from its URL. */
  async scan(root: ParentNode = document): Promise<void> {
    await this.start();
    const load = this._loader && ((u: string) => this.fetch(u));
    await Promise.all(circleElements(root).map((el) => applySource(el, load)));
  }

  /** Closes the tracker socket, every peer and the store. */
  destroy(): void {
    this._usage?.stop();
    this._tracker?.stop();
    this._pool?.destroyAll();
    this._store?.close();
    this._loader = undefined;
  }

  private async _boot(): Promise<void> {
    const o = this._options;
    const off = (this.optedOut = isSecureContext && crypto.subtle ? optOutReason(o.enabled !== false) : INSECURE);
    if (off) {
      if (off === INSECURE) console.warn('CircleCDN off: insecure context');
      await 0; // listeners added right after start(), scan() or fetch() still hear it
      return this._emit('disabled', { reason: off });
    }
    const meter = o.preferPeers ? undefined : new OriginMeter();
    // The store opens while the manifest comes (IndexedDB is slow on a busy machine).
    const opening = ContentStore.open(o.dbName ?? 'circlecdn', o.storeQuotaBytes ?? DEFAULT_STORE_QUOTA_BYTES,
      (hashes) => this._tracker!.send({ type: 'drop', hashes }));
    try {
      // The manifest is the origin meter's first sample: a small file, so a latency-bound
      // (low) rate that makes only small items go straight to the origin until real ones come.
      meter?.start(0);
      const text = await (await fetch(new URL(PREFIX + 'manifest.json', this._base), { cache: 'no-cache' })).text();
      meter?.end(0, text.length);
      this._manifest = Manifest.parse(JSON.parse(text));
    } catch {
      return; // no manifest: every fetch goes to the origin as is
    }
    const maxUploads = o.maxUploads ?? DEFAULT_MAX_UPLOADS;
    const store = (this._store = await opening);
    const ws = new URL(PREFIX + 'ws', this._base);
    ws.protocol = ws.protocol.replace('http', 'ws'); // https: -> wss:, http: -> ws:
    const tracker = (this._tracker = new Tracker(ws.href, maxUploads, {
      ready: (w) => {
        pool.setIce(w);
        pool.connectMs = budget(w.connect_timeout, DEFAULT_CONNECT_MS);
        wants.firstByteMs = budget(w.first_byte_timeout, DEFAULT_FIRST_BYTE_MS);
        gate.setPolicy(w.uploads);
        // The tracker must know whether we upload (a paused visitor is never chosen as a holder
        // and never made the one others wait for): say so with a hello; its welcome comes back here.
        if (gate.open !== serverUploads) return setUploads(gate.open);
        this._announce(store.keys());
        this._emit('ready', { peer: w.peer });
      },
      message: (m) => this._onMessage(m),
      down: () => {
        serverUploads = maxUploads > 0; // a new connection starts from the page's cap
        wants.trackerDown();
        uploader.clear();
      },
    }));
    let serverUploads = maxUploads > 0;
    const setUploads = (open: boolean) => {
      serverUploads = open;
      tracker.send({ type: 'hello', upload: open, max_uploads: open ? maxUploads : 0 });
    };
    const gate = (this._gate = new UploadGate(maxUploads, (open) => {
      if (!open) uploader.clear();
      if (tracker.isReady && open !== serverUploads) setUploads(open);
    }));
    const pool = (this._pool = new PeerPool(() => tracker.peerId, {
      signal: (to, data) => tracker.send({ type: 'signal', to, data }),
      open: (peer) => {
        this.stats.peersConnected = pool.openCount();
        wants.peerOpen(peer);
        this._emit('peerconnect', { peer });
      },
      frame: (peer, f) => {
        this.stats.receivedFrom[peer] = (this.stats.receivedFrom[peer] ?? 0) + f.payload.length;
        wants.frame(peer, f);
      },
      close: (peer, err) => {
        this.stats.peersConnected = pool.openCount();
        wants.peerClosed(peer);
        this._emit('peerclose', { peer, code: err?.code });
      },
    }, o.iceServers));
    const wants = new Wants(tracker, pool, o.maxWants ?? DEFAULT_MAX_WANTS);
    const usage = (this._usage = new UsageReport((m) => tracker.send(m)));
    const uploader = new Uploader(maxUploads, pool, (h) => store.get(h), (peer, hash, bytes) => {
      this.stats.bytesUploaded += bytes;
      gate.sent(bytes);
      this._emit('upload', { peer, hash, bytes });
    });
    this._loader = new ItemLoader(store, tracker, wants, {
      loaded: (item, got) => {
        const s = this.stats;
        const n = got.bytes.length;
        if (got.source === 'peer') s.bytesFromPeers += n;
        else if (got.source === 'origin') s.bytesFromOrigin += n;
        else s.bytesFromStore += n;
        usage.bytes(got.source, n);
        if (got.source !== 'store') s.itemsVerified++;
        this._emit('item', { hash: item.hash, bytes: n, source: got.source, peer: got.peer, why: got.why });
      },
      stored: (hash) => this._announce([hash]),
      liar: (peer, hash) => {
        this.stats.verifyFailures++;
        usage.verifyFailure();
        this._emit('verifyfailure', { hash, peer });
      },
      originMismatch: (hash) => this._emit('verifyfailure', { hash }),
    }, meter);
    this._wants = wants;
    this._uploader = uploader;
    tracker.start();
  }

  private _onMessage(m: ServerMessage): void {
    const { _wants: wants, _uploader: uploader, _pool: pool } = this;
    switch (m.type) {
      case 'match':
        return wants!.match(m);
      case 'ice':
        return pool!.setIce(m);
      case 'push':
        if (!this._gate!.open) return; // our hello saying so is on its way
        pool!.accept(m.peer);
        return uploader!.push(m);
      case 'miss':
        return wants!.miss(m);
      case 'cancel':
        // `role` says which side of want `id` we were; without it (older servers) try both.
        if (m.role !== 'holder') wants!.cancel(m);
        if (m.role !== 'wanter') uploader!.cancel(m.peer, m.id);
        return;
      case 'signal':
        return pool!.signal(m.from, m.data);
      case 'challenge': {
        const store = this._store;
        const tracker = this._tracker;
        if (!store || !tracker) return;
        void answerChallenge(m, (h) => store.get(h)).then((proof) => proof && tracker.send(proof));
        return;
      }
      case 'manifest':
        return void reloadManifest(this._base, m, this._manifest).then((next) => next && (this._manifest = next));
      case 'penalised':
        this.stats.penalised.push(m.peer);
        return this._emit('penalised', { peer: m.peer });
      case 'error':
        // An error about a `want` carries its id: that want is over (too_many_wants, duplicate_id).
        if (m.ref === 'want' && typeof m.id === 'number') wants!.refused(m.id);
        this._emit('servererror', { code: m.code, message: m.message });
    }
  }

  private _announce(hashes: string[]): void {
    if (!this._gate!.open) return;
    for (const h of hashes) this._toAnnounce.add(h);
    this._announceTimer ??= setTimeout(() => {
      this._announceTimer = undefined;
      const all = [...this._toAnnounce].filter((h) => this._store!.has(h));
      this._toAnnounce.clear();
      for (let i = 0; i < all.length; i += ANNOUNCE_BATCH) {
        const have = all.slice(i, i + ANNOUNCE_BATCH);
        if (this._tracker!.send({ type: 'announce', have })) this.stats.announced += have.length;
      }
    }, ANNOUNCE_DELAY_MS);
  }

  private _emit<K extends keyof CircleEventMap>(type: K, detail: CircleEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
