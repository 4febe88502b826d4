// The two pages of the browser-to-browser benchmark, one per system. Each exposes window.bench with
// the holder's step (A: get the resource from the origin and offer it) and the measured step
// (B: request it, until its bytes are in the page as an ArrayBuffer, verified by the library's own
// piece hashes). The SHA-256 of the whole resource is computed after the clock stops.

const COMMON = `
  const now = () => performance.timeOrigin + performance.now();
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const sha256 = async (buf) => hex(await crypto.subtle.digest('SHA-256', buf));
`;

// CircleCDN: the classic bundle without data-circle-auto, so the page makes its own instance.
// The quota is raised so a 50 MiB resource is kept whole (the default is 64 MiB). ?uploads=N sets
// maxUploads (the server must allow as many: --uploads-per-holder); ?quota=BYTES the store quota
// (an item larger than the quota is not stored: ?quota=1 keeps B from writing to IndexedDB).
export const CIRCLE_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>CircleCDN browser to browser</title>
<script src="/.circlecdn/circlecdn.iife.js"></script>
<script>
${COMMON}
  const q = new URLSearchParams(location.search);
  const cdn = (window.circlecdn = new CircleCDN({ preferPeers: true, storeQuotaBytes: Number(q.get('quota') ?? 256 * 1048576),
                                                  maxUploads: q.get('uploads') ? Number(q.get('uploads')) : undefined }));
  const events = [];
  for (const t of ['ready', 'peerconnect', 'peerclose', 'verifyfailure', 'servererror'])
    cdn.addEventListener(t, (e) => { events.push({ t: now(), type: t }); console.log('circlecdn', t, JSON.stringify(e.detail)); });
  const items = [];
  cdn.addEventListener('item', (e) => items.push({ t: now(), source: e.detail.source, why: e.detail.why, bytes: e.detail.bytes }));
  let resource = null;
  cdn.addEventListener('resource', (e) => (resource = e.detail));
  const ready = new Promise((r) => cdn.addEventListener('ready', r, { once: true }));
  cdn.start();
  window.bench = {
    ready: () => ready.then(() => cdn.peerId),
    async get(path) {
      const start = now();
      const buf = await (await cdn.fetch(path)).arrayBuffer();
      const done = now();
      return { start, done, bytes: buf.byteLength, sha256: await sha256(buf), resource, events, items,
               stats: JSON.parse(JSON.stringify(cdn.stats)), firstItem: items[0] ?? null };
    },
  };
</script>
`;

// WebTorrent 2.8.5's browser bundle (an ES module), no DHT/LSD/uTP/web seeds (none exist in a
// browser anyway), only the local tracker, and no STUN/TURN servers: host candidates, as for
// CircleCDN on one machine. Its default store is kept (the Origin Private File System in Chromium)
// unless the page is opened with ?store=memory: then memory-chunk-store's logic, inlined (the
// bundle does not export it), as WebTorrent uses it where no file system is available.
export const WT_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>WebTorrent browser to browser</title>
<script type="module">
  import WebTorrent from '/webtorrent.min.js';
${COMMON}
  const client = new WebTorrent({ dht: false, lsd: false, utp: false, webSeeds: false,
                                  tracker: { rtcConfig: { iceServers: [] } } });
  client.on('error', (e) => console.log('webtorrent error', e.message));
  class MemoryStore {
    constructor(chunkLength, opts = {}) {
      this.chunkLength = Number(chunkLength);
      this.chunks = [];
      this.closed = false;
    }
    put(index, buf, cb = () => {}) {
      if (this.closed) return queueMicrotask(() => cb(new Error('Storage is closed')));
      this.chunks[index] = buf;
      queueMicrotask(() => cb(null));
    }
    get(index, opts, cb = () => {}) {
      if (typeof opts === 'function') return this.get(index, null, opts);
      if (this.closed) return queueMicrotask(() => cb(new Error('Storage is closed')));
      let buf = this.chunks[index];
      if (!buf) return queueMicrotask(() => cb(Object.assign(new Error('Chunk not found'), { notFound: true })));
      const offset = opts?.offset || 0;
      const len = opts?.length || buf.length - offset;
      if (offset !== 0 || len !== buf.length) buf = buf.slice(offset, len + offset);
      queueMicrotask(() => cb(null, buf));
    }
    close(cb = () => {}) {
      this.closed = true;
      this.chunks = null;
      queueMicrotask(() => cb(null));
    }
    destroy(cb) {
      this.close(cb);
    }
  }
  const storeOpt = new URLSearchParams(location.search).get('store') === 'memory' ? { store: MemoryStore } : {};
  const b64 = (u8) => { let s = ''; for (const b of u8) s += String.fromCharCode(b); return btoa(s); };
  const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const settle = (torrent, event) => new Promise((resolve, reject) => {
    torrent.once(event, resolve);
    torrent.once('error', (e) => reject(new Error(String(e && e.message || e))));
  });
  window.bench = {
    // A: the resource from the origin, seeded; resolves with what B needs to add it.
    async seed(path, announce) {
      const buf = await (await fetch(path)).arrayBuffer();
      const torrent = await new Promise((resolve) =>
        client.seed(new File([buf], path.slice(1)), { announce: [announce], ...storeOpt }, resolve));
      return { infoHash: torrent.infoHash, magnet: torrent.magnetURI, torrent: b64(torrent.torrentFile),
               pieceLength: torrent.pieceLength, pieces: torrent.pieces.length };
    },
    // B: add the torrent (the .torrent file, or the magnet link: then the metadata comes from A).
    async get(src, announce) {
      const start = now();
      let first = null;
      const torrent = client.add(src.magnet ?? unb64(src.torrent), { announce: [announce], ...storeOpt });
      torrent.once('download', () => (first = now()));
      await settle(torrent, 'done');
      const buf = await torrent.files[0].arrayBuffer();
      const done = now();
      return { start, first, done, bytes: buf.byteLength, sha256: await sha256(buf), downloaded: torrent.downloaded,
               received: torrent.received, pieceLength: torrent.pieceLength, wires: torrent.wires.length };
    },
  };
  window.benchReady = true;
</script>
`;
