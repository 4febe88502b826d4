// A tab's membership of the crowd: the manifest, the store, the crowd's parts (crowd.ts) and
// cdn.fetch for the manifest's paths (streamed, with Range). The entry of the crowd chunk
// (circlecdn-crowd.js, chunks.ts): only a tab that joins loads it, not an opted-out visitor nor a
// service-worker-mode tab that does not lead.
import type { CircleCDN, CircleOptions, ResourceDetail } from './circle-cdn';
import { Crowd } from './crowd';
import { parseRange, UNSATISFIABLE } from './fetch/byte-range';
import type { Loaded } from './fetch/item-loader';
import { mimeType } from './fetch/mime';
import { OriginMeter } from './fetch/origin-meter';
import { keepShare, pieceStream } from './fetch/piece-stream';
import { reloadManifest } from './signal/manifest-updates';
import { DEFAULT_MAX_UPLOADS } from './signal/tracker';
import { ContentStore } from './store/content-store';
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

/** What the public face hands the session: its options, stats and events, and whether it was destroyed. */
export interface Face {
  options: CircleOptions;
  base: URL;
  stats: CircleCDN['stats'];
  emit(type: string, detail: unknown): void;
  gone(): boolean;
}

export type Fetch = (input: RequestInfo | URL | string, init?: { headers?: HeadersInit; signal?: AbortSignal }) => Promise<Response>;

/** Loads the manifest and the store, then joins the crowd; undefined when there is no manifest or the face was destroyed meanwhile. */
export async function join(face: Face): Promise<Session | undefined> {
  const o = face.options;
  const meter = o.preferPeers ? undefined : new OriginMeter();
  // The store opens while the manifest comes (IndexedDB is slow on a busy machine). destroy()
  // may come during any await below: each one is followed by a check, and what was opened
  // meanwhile is closed.
  const opening = ContentStore.open(o.dbName ?? 'circlecdn', o.storeQuotaBytes ?? DEFAULT_STORE_QUOTA_BYTES,
    (hashes) => session?.crowd.dropped(hashes));
  const abandon = () => void opening.then((store) => store.close());
  let session: Session | undefined;
  let manifest: Manifest;
  try {
    // The manifest is the origin meter's first sample: a small file, so a latency-bound
    // (low) rate that makes only small items go straight to the origin until real ones come.
    meter?.start(0);
    const res = await fetch(new URL(PREFIX + 'manifest.json', face.base), { cache: 'no-cache' });
    const text = face.gone() ? '' : await res.text();
    if (face.gone()) return abandon();
    meter?.end(0, text.length);
    manifest = Manifest.parse(JSON.parse(text));
  } catch {
    return abandon(); // no manifest: every fetch goes to the origin as is
  }
  const store = await opening;
  if (face.gone()) return void store.close();
  return (session = new Session(face, manifest, store, meter));
}

export class Session {
  readonly crowd: Crowd;

  constructor(private _face: Face, private _manifest: Manifest, private _store: ContentStore, meter?: OriginMeter) {
    const o = _face.options;
    const emit = _face.emit;
    const ws = new URL(PREFIX + 'ws', _face.base);
    ws.protocol = ws.protocol.replace('http', 'ws'); // https: -> wss:, http: -> ws:
    const s = _face.stats;
    const crowd: Crowd = (this.crowd = new Crowd(_store, {
      wsUrl: ws.href,
      maxUploads: o.maxUploads ?? DEFAULT_MAX_UPLOADS,
      maxWants: o.maxWants ?? DEFAULT_MAX_WANTS,
      iceServers: o.iceServers,
      meter,
    }, {
      ready: (peer) => emit('ready', { peer }),
      uploaded: (peer, hash, bytes) => {
        s.bytesUploaded += bytes;
        emit('upload', { peer, hash, bytes });
      },
      announced: (n) => (s.announced += n),
      loaded: (item, got) => {
        const n = got.bytes.length;
        if (got.source === 'peer') s.bytesFromPeers += n;
        else if (got.source === 'origin') s.bytesFromOrigin += n;
        else s.bytesFromStore += n;
        crowd.usage.bytes(got.source, n);
        if (got.source !== 'store') s.itemsVerified++;
        emit('item', { hash: item.hash, bytes: n, source: got.source, peer: got.peer, why: got.why });
      },
      liar: (peer, hash) => {
        s.verifyFailures++;
        crowd.usage.verifyFailure();
        emit('verifyfailure', { hash, peer });
      },
      originMismatch: (hash) => emit('verifyfailure', { hash }),
    }));
    const { pool, tracker } = crowd;
    s.routing = crowd.routing.stats;
    pool.on('open', (peer) => {
      s.peersConnected = pool.openCount();
      emit('peerconnect', { peer });
    });
    pool.on('frame', (peer, f) => (s.receivedFrom[peer] = (s.receivedFrom[peer] ?? 0) + f.payload.length));
    pool.on('close', (peer, err) => {
      s.peersConnected = pool.openCount();
      emit('peerclose', { peer, code: err?.code });
    });
    tracker.on('penalised', (m) => {
      s.penalised.push(m.peer);
      emit('penalised', { peer: m.peer });
    });
    tracker.on('error', (m) => emit('servererror', { code: m.code, message: m.message }));
    tracker.on('manifest', (m) => {
      void reloadManifest(_face.base, m, this._manifest).then((next) => next && (this._manifest = next));
    });
  }

  stop(): void {
    this.crowd.stop();
    this._store.close();
  }

  /** cdn.fetch (circle-cdn.ts): a path in the manifest from the crowd, anything else from the network. */
  async fetch(input: RequestInfo | URL | string, init?: { headers?: HeadersInit; signal?: AbortSignal }): Promise<Response> {
    const req = input instanceof Request ? input : undefined;
    const signal = init?.signal ?? req?.signal;
    const url = new URL(req ? req.url : input instanceof URL ? input.href : String(input), location.href);
    const file = url.origin === this._face.base.origin ? this._manifest.byPath.get(decodeURI(url.pathname)) : undefined;
    const loader = this.crowd.loader;
    if (!file || (req && req.method !== 'GET')) return fetch(req ?? url, init);
    const size = file.size;
    const range = parseRange(new Headers(init?.headers ?? req?.headers).get('Range'), size);
    const type = mimeType(file.path);
    if (range === UNSATISFIABLE)
      return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}`, 'Content-Type': type } });
    const span = range ?? { start: 0, end: size };
    const items = this._manifest.items(file);
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
      this.crowd.usage.resource(most === detail.fromPeers ? 'peer' : most === detail.fromOrigin ? 'origin' : 'store', detail.ms);
      this._face.emit('resource', detail);
    };
    let load: (item: Item) => Promise<Loaded>;
    const indexOf = new Map(items.map((item, i) => [item, i])); // not items.indexOf: 40k pieces in 10 GiB
    if (!range && size <= WHOLE_FILE_MAX_BYTES) {
      // A file the page may hold whole is loaded as before: from a random piece on (a crowd's
      // holders spread), and in one origin request when the origin goes first.
      const all = loader.loadAll(url.href, items).then((got) => got.map(count));
      load = (item) => all.then((got) => got[indexOf.get(item)!]);
    } else {
      const keep = keepShare(size, this._store.quotaBytes / FILE_STORE_SHARE);
      load = (item) => loader.load(url.href, item, undefined, keep(indexOf.get(item)!)).then(count);
    }
    const body = await pieceStream(items, span, load, signal, finished);
    const headers: Record<string, string> = { 'Content-Type': type, 'Content-Length': String(span.end - span.start), 'Accept-Ranges': 'bytes' };
    if (range) headers['Content-Range'] = `bytes ${span.start}-${span.end - 1}/${size}`;
    return new Response(body, { status: range ? 206 : 200, headers });
  }
}
