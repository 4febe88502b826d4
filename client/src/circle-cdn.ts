// CircleCDN: the one object a page creates, the library's public face: options, start-up (store,
// manifest, then the crowd's parts in crowd.ts), fetch, declarative scan, stats and DOM events.
import { Crowd } from './crowd';
import { Declarative } from './dom/declarative';
import { optOutReason, setVisitorOptOut } from './dom/opt-out';
import { parseRange, UNSATISFIABLE } from './fetch/byte-range';
import type { Loaded, Source } from './fetch/item-loader';
import { mimeType } from './fetch/mime';
import { abortError, keepShare, pieceStream } from './fetch/piece-stream';
import { OriginMeter } from './fetch/origin-meter';
import type { RoutingStats } from './routing/follow';
import { reloadManifest } from './signal/manifest-updates';
import { DEFAULT_MAX_UPLOADS } from './signal/tracker';
import { ContentStore } from './store/content-store';
import { useServiceWorker } from './sw-bridge/register';
import { type Item, Manifest } from './verify/manifest';

const DEFAULT_STORE_QUOTA_BYTES = 64 * 1024 * 1024;
// A file up to this size with no Range is loaded whole as before (its pieces from a random one on,
// or one origin request); larger ones and ranges stream in order with a bounded look-ahead.
const WHOLE_FILE_MAX_BYTES = 8 * 1024 * 1024;
// A file keeps at most 1/FILE_STORE_SHARE of the store's quota (piece-stream.ts, keepShare).
const FILE_STORE_SHARE = 4;
// Below the server's 16 wants in flight, above its 4 uploads per holder (protocol.md).
const DEFAULT_MAX_WANTS = 6;
const PREFIX = '/.circlecdn/';
// Without a secure context (HTTPS or localhost) there is no crypto.subtle to verify with.
const INSECURE = 'insecure-context';

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
  /** The routing strategy in force and its lookups (hops, misses by reason): docs/routing.md. */
  routing?: RoutingStats;
}

export interface ResourceDetail {
  url: string;
  bytes: number;
  fromPeers: number;
  fromOrigin: number;
  fromStore: number;
  /** From the fetch() call to the body's end, ms. */
  ms: number;
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
  private _store?: ContentStore;
  private _crowd?: Crowd;
  private _consent = false;
  private _destroyed = false;
  private _dom?: Declarative;

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
    return this._crowd?.tracker.peerId ?? '';
  }

  /** Why this visitor offers nothing to others now ('uploads-off', 'gpc', 'budget', 'hidden', 'no-policy'), or null. */
  get uploadsPaused(): string | null {
    return this._crowd?.gate.paused ?? this.optedOut;
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

  /**
   * Like window.fetch for GET. A path in the manifest is answered with a streaming body, each
   * piece verified before it is enqueued: 200 with Content-Length, or 206 with Content-Range for
   * one `Range: bytes=a-b` (416 when unsatisfiable). `signal` aborts it (the promise rejects, or
   * the stream errors, with an AbortError). Anything else is the plain network fetch.
   */
  async fetch(input: RequestInfo | URL | string, init?: { headers?: HeadersInit; signal?: AbortSignal }): Promise<Response> {
    const req = input instanceof Request ? input : undefined;
    const signal = init?.signal ?? req?.signal;
    await this.start();
    if (signal?.aborted) throw abortError();
    const url = new URL(req ? req.url : input instanceof URL ? input.href : String(input), location.href);
    const file = url.origin === this._base.origin ? this._manifest?.byPath.get(decodeURI(url.pathname)) : undefined;
    const loader = this._crowd?.loader;
    if (!file || !loader || (req && req.method !== 'GET')) return fetch(req ?? url, init);
    const size = file.size;
    const range = parseRange(new Headers(init?.headers ?? req?.headers).get('Range'), size);
    const type = mimeType(file.path);
    if (range === UNSATISFIABLE)
      return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}`, 'Content-Type': type } });
    const span = range ?? { start: 0, end: size };
    const items = this._manifest!.items(file);
    const started = performance.now();
    const detail: ResourceDetail = { url: url.href, bytes: 0, fromPeers: 0, fromOrigin: 0, fromStore: 0, ms: 0 };
    const count = (g: Loaded) => {
      const key = g.source === 'peer' ? 'fromPeers' : g.source === 'origin' ? 'fromOrigin' : 'fromStore';
      detail[key] += g.bytes.length;
      detail.bytes += g.bytes.length;
      return g;
    };
    const finished = () => {
      const most = Math.max(detail.fromPeers, detail.fromOrigin, detail.fromStore);
      detail.ms = performance.now() - started;
      this._crowd?.usage.resource(most === detail.fromPeers ? 'peer' : most === detail.fromOrigin ? 'origin' : 'store', detail.ms);
      this._emit('resource', detail);
    };
    let load: (item: Item) => Promise<Loaded>;
    const indexOf = new Map(items.map((item, i) => [item, i])); // not items.indexOf: 40k pieces in 10 GiB
    if (!range && size <= WHOLE_FILE_MAX_BYTES) {
      // A file the page may hold whole is loaded as before: from a random piece on (a crowd's
      // holders spread), and in one origin request when the origin goes first.
      const all = loader.loadAll(url.href, items).then((got) => got.map(count));
      load = (item) => all.then((got) => got[indexOf.get(item)!]);
    } else {
      const keep = keepShare(size, (this._store?.quotaBytes ?? DEFAULT_STORE_QUOTA_BYTES) / FILE_STORE_SHARE);
      load = (item) => loader.load(url.href, item, undefined, keep(indexOf.get(item)!)).then(count);
    }
    const body = await pieceStream(items, span, load, signal, finished);
    const headers: Record<string, string> = { 'Content-Type': type, 'Content-Length': String(span.end - span.start), 'Accept-Ranges': 'bytes' };
    if (range) headers['Content-Range'] = `bytes ${span.start}-${span.end - 1}/${size}`;
    return new Response(body, { status: range ? 206 : 200, headers });
  }

  /**
   * Declarative mode: loads every [data-circle-src] / [data-circle-srcset] element under `root`
   * (docs/client.md); with the library off, from its URL.
   */
  async scan(root: ParentNode = document): Promise<void> {
    await this.start();
    await this._declarative().scan(root);
  }

  /** Declarative mode keeps up with the page: added elements, changed attributes, removed elements (blob: URLs revoked). */
  observe(root: Node = document.documentElement): MutationObserver {
    return this._declarative().observe(root);
  }

  private _declarative(): Declarative {
    return (this._dom ??= new Declarative(() => this._crowd && ((u: string) => this.fetch(u))));
  }

  /** Closes the tracker socket, every peer and the store; a start-up under way stops at its next step. */
  destroy(): void {
    this._destroyed = true;
    this._crowd?.stop();
    this._store?.close();
    this._crowd = undefined;
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
    // The store opens while the manifest comes (IndexedDB is slow on a busy machine). destroy()
    // may come during any await below: each one is followed by a check, and what was opened
    // meanwhile is closed.
    const opening = ContentStore.open(o.dbName ?? 'circlecdn', o.storeQuotaBytes ?? DEFAULT_STORE_QUOTA_BYTES,
      (hashes) => this._crowd?.dropped(hashes));
    const abandon = () => void opening.then((store) => store.close());
    try {
      // The manifest is the origin meter's first sample: a small file, so a latency-bound
      // (low) rate that makes only small items go straight to the origin until real ones come.
      meter?.start(0);
      const res = await fetch(new URL(PREFIX + 'manifest.json', this._base), { cache: 'no-cache' });
      const text = this._destroyed ? '' : await res.text();
      if (this._destroyed) return abandon();
      meter?.end(0, text.length);
      this._manifest = Manifest.parse(JSON.parse(text));
    } catch {
      return abandon(); // no manifest: every fetch goes to the origin as is
    }
    const store = await opening;
    if (this._destroyed) return store.close();
    this._store = store;
    const ws = new URL(PREFIX + 'ws', this._base);
    ws.protocol = ws.protocol.replace('http', 'ws'); // https: -> wss:, http: -> ws:
    const s = this.stats;
    const crowd: Crowd = (this._crowd = new Crowd(store, {
      wsUrl: ws.href,
      maxUploads: o.maxUploads ?? DEFAULT_MAX_UPLOADS,
      maxWants: o.maxWants ?? DEFAULT_MAX_WANTS,
      iceServers: o.iceServers,
      meter,
    }, {
      ready: (peer) => this._emit('ready', { peer }),
      uploaded: (peer, hash, bytes) => {
        s.bytesUploaded += bytes;
        this._emit('upload', { peer, hash, bytes });
      },
      announced: (n) => (s.announced += n),
      loaded: (item, got) => {
        const n = got.bytes.length;
        if (got.source === 'peer') s.bytesFromPeers += n;
        else if (got.source === 'origin') s.bytesFromOrigin += n;
        else s.bytesFromStore += n;
        crowd.usage.bytes(got.source, n);
        if (got.source !== 'store') s.itemsVerified++;
        this._emit('item', { hash: item.hash, bytes: n, source: got.source, peer: got.peer, why: got.why });
      },
      liar: (peer, hash) => {
        s.verifyFailures++;
        crowd.usage.verifyFailure();
        this._emit('verifyfailure', { hash, peer });
      },
      originMismatch: (hash) => this._emit('verifyfailure', { hash }),
    }));
    const { pool, tracker } = crowd;
    s.routing = crowd.routing.stats;
    pool.on('open', (peer) => {
      s.peersConnected = pool.openCount();
      this._emit('peerconnect', { peer });
    });
    pool.on('frame', (peer, f) => (s.receivedFrom[peer] = (s.receivedFrom[peer] ?? 0) + f.payload.length));
    pool.on('close', (peer, err) => {
      s.peersConnected = pool.openCount();
      this._emit('peerclose', { peer, code: err?.code });
    });
    tracker.on('penalised', (m) => {
      s.penalised.push(m.peer);
      this._emit('penalised', { peer: m.peer });
    });
    tracker.on('error', (m) => this._emit('servererror', { code: m.code, message: m.message }));
    tracker.on('manifest', (m) => {
      void reloadManifest(this._base, m, this._manifest).then((next) => next && (this._manifest = next));
    });
  }

  private _emit<K extends keyof CircleEventMap>(type: K, detail: CircleEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
