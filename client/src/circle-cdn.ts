// CircleCDN: the one object a page creates, the library's public face: options, start-up (the
// opt-outs, then the crowd: session.ts, loaded as its own chunk), fetch, declarative scan, stats
// and DOM events. What only some pages run is loaded on demand (chunks.ts).
import { crowdChunk, domChunk, swChunk } from './chunks';
import type { Declarative } from './dom/declarative';
import { OBSERVED } from './dom/marks';
import { optOutReason, setVisitorOptOut } from './dom/opt-out';
import type { Source } from './fetch/item-loader';
import type { RoutingStats } from './routing/follow';
import { abortError } from './fetch/piece-stream';
import type { Session } from './session';
import { holdMessages } from './sw-bridge/hold';

// On the library's own origin fetches (fetch/item-loader.ts): a service worker sends them to the network.
const LIBRARY_HEADER = 'X-Circle-Library';
// Without a secure context (HTTPS or localhost) there is no crypto.subtle to verify with.
const INSECURE = 'insecure-context';
// Service worker mode: how long start() waits to learn whether this tab leads (a free Web Lock is
// granted in milliseconds; a tab that waits longer follows, and joins when the lock comes).
const LEAD_WAIT_MS = 500;

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
  private _joining?: Promise<void>;
  private _session?: Session;
  private _consent = false;
  private _destroyed = false;
  private _dom?: Promise<Declarative>;
  private _bridge?: ReturnType<typeof swChunk>;
  private _following = false;

  constructor(private _options: CircleOptions = {}) {
    super();
    this._base = new URL(_options.server ?? location.origin);
    if (_options.serviceWorker) {
      const held = holdMessages();
      this._bridge = swChunk();
      this._bridge.then((b) => b.useServiceWorker(this, this._base, held), () => held?.stop());
    }
  }

  /** The visitor's own switch, kept in localStorage; takes effect on the next page load. */
  static setVisitorOptOut(optOut: boolean): void {
    setVisitorOptOut(optOut);
  }

  /** This visitor's peer id once the tracker has welcomed it. */
  get peerId(): string {
    return this._session?.crowd.tracker.peerId ?? '';
  }

  /** Why this visitor offers nothing to others now ('uploads-off', 'gpc', 'budget', 'hidden', 'no-policy'), or null. */
  get uploadsPaused(): string | null {
    return this._session?.crowd.gate.paused ?? this.optedOut;
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
    await this.start();
    await this._joining;
    if ((init?.signal ?? req?.signal)?.aborted) throw abortError();
    if (this._session) return this._session.fetch(input, init);
    // No crowd: the network. Marked as the library's own (a same-origin one only: a custom header
    // would make a cross-origin request need a preflight), so a service worker never asks this
    // page for it again, unless this tab follows a leader (service worker mode): then the worker
    // is how its request reaches the leader's crowd.
    const url = new URL(req ? req.url : input instanceof URL ? input.href : String(input), location.href);
    if (this._following || url.origin !== location.origin) return fetch(req ?? url, init);
    const headers = new Headers(init?.headers ?? req?.headers);
    headers.set(LIBRARY_HEADER, '1');
    return fetch(req ?? url, { ...init, headers });
  }

  /**
   * Declarative mode: loads every [data-circle-src] / [data-circle-srcset] element under `root`
   * (docs/client.md); with the library off, from its URL.
   */
  async scan(root: ParentNode = document): Promise<void> {
    await this.start();
    await this._joining;
    await (await this._declarative()).scan(root);
  }

  /** Declarative mode keeps up with the page: added elements, changed attributes, removed elements (blob: URLs revoked). */
  observe(root: Node = document.documentElement): MutationObserver {
    const mo = new MutationObserver((records) => void this._declarative().then((d) => d.mutated(records)));
    mo.observe(root, OBSERVED);
    return mo;
  }

  private _declarative(): Promise<Declarative> {
    return (this._dom ??= domChunk().then((m) => new m.Declarative(() => this._session && ((u: string) => this.fetch(u)))));
  }

  /** Closes the tracker socket, every peer and the store; a start-up under way stops at its next step. */
  destroy(): void {
    this._destroyed = true;
    this._session?.stop();
    this._session = undefined;
  }

  private async _boot(): Promise<void> {
    const o = this._options;
    const off = (this.optedOut = isSecureContext && crypto.subtle ? optOutReason(o.enabled !== false) : INSECURE);
    if (off) {
      if (off === INSECURE) console.warn('CircleCDN off: insecure context');
      await 0; // listeners added right after start(), scan() or fetch() still hear it
      return this._emit('disabled', { reason: off });
    }
    // Service worker mode: one mesh per visitor. Only the leader tab joins the crowd; another
    // tab's fetches go through the worker to the leader, and it joins when the lock comes to it.
    const bridge = await this._bridge?.catch(() => undefined);
    if (bridge && !(await bridge.leaderWithin(LEAD_WAIT_MS))) {
      this._following = true;
      return bridge.whenLeader(() => {
        this._following = false;
        this._joining = this._join();
      });
    }
    await (this._joining = this._join());
  }

  // Loads the crowd chunk, the manifest and the store, then connects (session.ts). destroy() may
  // come during any await: each is followed by a check, and what was opened meanwhile is closed.
  private async _join(): Promise<void> {
    if (this._destroyed) return;
    let join: typeof import('./session').join;
    try {
      join = (await crowdChunk()).join;
    } catch {
      return; // no crowd chunk (a server without it): every fetch goes to the origin as is
    }
    const session = await join({
      options: this._options, base: this._base, stats: this.stats,
      emit: (type, detail) => this._emit(type as keyof CircleEventMap, detail as never),
      gone: () => this._destroyed,
    });
    if (this._destroyed) return session?.stop();
    this._session = session;
  }

  private _emit<K extends keyof CircleEventMap>(type: K, detail: CircleEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
