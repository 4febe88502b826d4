// The pages of the WAN-lab benchmark (bench/lab/run.mjs): the demo gallery's markup
// (scripts/gen-demo-site.mjs: 36 images and one 6 MiB picture) in three variants, each of which
// measures itself and leaves its result in `window.__bench` (a promise):
//   crowd.html  the library (ES module, as the demo site loads it) with cdn.scan();
//   plain.html  the same images as plain <img src>, no library: the site without CircleCDN;
//   off.html    the library with the operator switch (enabled: false): plain URLs set by scan().
// Page load = navigation start (performance.timeOrigin) to every image decoded (img.decode(), the
// same test as e2e/support/pages.mjs loadGallery: naturalWidth > 0), read with performance.now().
//
// The crowd page also runs PROBE first, before any other script: it wraps WebSocket (the
// tracker's welcome, match, miss, cancel; our want and done, with their times), RTCPeerConnection
// (every connection, the first data frame of each want id on its channels, and the selected
// candidate pair from getStats when the first frame arrives and at the end) and fetch (origin
// requests, with their Range). Nothing in the library changes; times are epoch ms.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROBE = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const P = (window.__probe = { welcome: null, wants: [], matches: [], misses: [], cancels: [], dones: [],
                                first: {}, pcs: [], fetches: [], items: [], ufragTo: {} });
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string') return;
        let m;
        try { m = JSON.parse(e.data); } catch { return; }
        const t = now();
        if (m.type === 'match') P.matches.push({ t, id: m.id, hash: m.hash, peer: m.peer, connect: m.connect });
        else if (m.type === 'miss') P.misses.push({ t, id: m.id, hash: m.hash, reason: m.reason });
        else if (m.type === 'cancel') P.cancels.push({ t, id: m.id, role: m.role, reason: m.reason });
        else if (m.type === 'welcome')
          P.welcome = { t, peer: m.peer, connect_timeout: m.connect_timeout, first_byte_timeout: m.first_byte_timeout,
                        policy: m.ice_transport_policy, ice_servers: (m.ice_servers || []).map((s) => [].concat(s.urls).join(' ')) };
      });
    }
    send(d) {
      if (typeof d === 'string' && (d.includes('"want"') || d.includes('"done"') || d.includes('ice-ufrag'))) {
        try {
          const m = JSON.parse(d);
          if (m.type === 'want') P.wants.push({ t: now(), id: m.id, hash: m.hash });
          else if (m.type === 'done') P.dones.push({ t: now(), id: m.id, ok: m.ok, reason: m.reason ?? null });
          else if (m.type === 'signal' && m.data && m.data.sdp) {
            // our description to a peer: its ICE ufrag names the connection (see setLocalDescription)
            const u = /a=ice-ufrag:(\\S+)/.exec(m.data.sdp.sdp || '');
            if (u) P.ufragTo[u[1]] = m.to;
          }
        } catch {}
      }
      return super.send(d);
    }
  };
  const cand = (byId, id) => {
    const c = byId.get(id);
    return c ? { type: c.candidateType, address: c.address ?? c.ip ?? '', protocol: c.protocol, relayProtocol: c.relayProtocol ?? null } : null;
  };
  const selected = async (pc) => {
    const byId = new Map();
    (await pc.getStats()).forEach((s) => byId.set(s.id, s));
    let pair = null;
    for (const s of byId.values())
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId) ?? null;
    if (!pair) for (const s of byId.values()) if (s.type === 'candidate-pair' && (s.selected || (s.nominated && s.state === 'succeeded'))) pair = s;
    return pair && { local: cand(byId, pair.localCandidateId), remote: cand(byId, pair.remoteCandidateId),
                     rttMs: pair.currentRoundTripTime == null ? null : pair.currentRoundTripTime * 1000,
                     bytesSent: pair.bytesSent ?? 0, bytesReceived: pair.bytesReceived ?? 0, t: now() };
  };
  const watch = (rec, pc, ch) => {
    ch.addEventListener('open', () => { rec.open ??= now(); });
    ch.addEventListener('message', (e) => {
      const d = e.data;
      if (!(d instanceof ArrayBuffer) || d.byteLength < 5) return;
      const v = new DataView(d);
      if (v.getUint8(0) !== 1) return;
      const id = v.getUint32(1);
      if (id in P.first) return;
      P.first[id] = now();
      rec.wantIds.push(id);
      if (!rec.pair) { rec.pair = 'pending'; selected(pc).then((p) => (rec.pair = p), () => (rec.pair = null)); }
    });
  };
  const NativePC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePC {
    constructor(...args) {
      super(...args);
      const rec = { created: now(), offerer: false, open: null, ufrag: null, wantIds: [], pair: null, last: null };
      P.pcs.push(rec);
      Object.defineProperty(this, '__rec', { value: rec });
      this.addEventListener('datachannel', (e) => watch(rec, this, e.channel));
      (P.live ??= []).push(this);
    }
    setLocalDescription(...args) {
      const r = super.setLocalDescription(...args);
      r.then(() => { const u = /a=ice-ufrag:(\\S+)/.exec((this.localDescription && this.localDescription.sdp) || ''); if (u) this.__rec.ufrag = u[1]; }, () => {});
      return r;
    }
    createDataChannel(...args) {
      const ch = super.createDataChannel(...args);
      this.__rec.offerer = true;
      watch(this.__rec, this, ch);
      return ch;
    }
  };
  // The last view of every connection still open (bytes carried, the pair in use at the end).
  P.finish = async () => {
    for (const pc of P.live || []) {
      if (pc.connectionState === 'closed') continue;
      try { pc.__rec.last = await selected(pc); } catch {}
    }
    for (const r of P.pcs) if (r.pair === 'pending') r.pair = null;
  };
  const nativeFetch = window.fetch;
  window.fetch = function (input, init) {
    const rec = { t: now(), url: String(typeof input === 'string' ? input : input.url), range: null, tHeaders: null, status: null };
    try { rec.range = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined)).get('range'); } catch {}
    P.fetches.push(rec);
    const p = nativeFetch.apply(this, arguments);
    p.then((r) => { rec.tHeaders = now(); rec.status = r.status; }, () => { rec.status = -1; });
    return p;
  };
})();`;

// The result every variant leaves behind (runs in the page after its images are decoded).
const RESULT = (extra) => `
  const imgs = [...document.images];
  await Promise.all(imgs.map((i) => i.decode().catch(() => {})));
  const tDone = performance.now();
  const broken = imgs.filter((i) => !(i.naturalWidth > 0)).map((i) => i.getAttribute('data-circle-src') || i.getAttribute('src'));
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  return { navStart: performance.timeOrigin, tDone, images: imgs.length, broken,
           responseEnd: nav ? nav.responseEnd : null,
           httpBytes: res.reduce((n, e) => n + (e.encodedBodySize || 0), 0), httpRequests: res.length, ${extra} };`;

function variant(html, mode) {
  const head = mode === 'crowd' ? `<script>${PROBE}</script>\n` : '';
  // Everything from the panel's script on is the demo's own wiring; each variant brings its own.
  const body = html.slice(0, html.indexOf('<script type="module">'));
  let page = body.replace('<head>\n', `<head>\n${head}`).replace(/<title>[^<]*<\/title>/, `<title>CircleCDN lab bench (${mode})</title>`);
  if (mode === 'plain') page = page.replace(/<img data-circle-src=/g, '<img src=');
  let script;
  if (mode === 'plain') {
    script = `<script type="module">
window.__bench = (async () => {${RESULT('mode: "plain"')}
})().catch((e) => ({ error: String(e && e.stack || e) }));
</script>`;
  } else {
    const opts = mode === 'off' ? '{ enabled: false }' : '';
    script = `<script type="module">
import { CircleCDN } from '/.circlecdn/circlecdn.js';
const cdn = new CircleCDN(${opts});
window.circlecdn = cdn;
const P = window.__probe;
if (P) cdn.addEventListener('item', (e) => P.items.push({ t: performance.timeOrigin + performance.now(), hash: e.detail.hash,
  bytes: e.detail.bytes, source: e.detail.source, why: e.detail.why || '', peer: e.detail.peer || '' }));
window.__bench = (async () => {
  await cdn.scan();${RESULT(`mode: ${JSON.stringify(mode)}, peerId: cdn.peerId, optedOut: cdn.optedOut,
           stats: JSON.parse(JSON.stringify({ ...cdn.stats, receivedFrom: undefined, penalised: undefined })),
           probe: P ? (await P.finish(), JSON.parse(JSON.stringify({ ...P, live: undefined, finish: undefined }))) : null`)}
})().catch((e) => ({ error: String(e && e.stack || e) }));
</script>`;
  }
  return `${page}${script}\n</body>\n</html>\n`;
}

// Writes crowd.html, plain.html and off.html next to the generated index.html.
export function writePages(siteDir) {
  const html = readFileSync(join(siteDir, 'index.html'), 'utf8');
  for (const mode of ['crowd', 'plain', 'off']) writeFileSync(join(siteDir, `${mode}.html`), variant(html, mode));
}

// Evaluated by the driver after goto(…, 'commit'): waits for the page's script, then its result.
export const RESULT_EXPR = `new Promise((resolve) => {
  const poll = () => (window.__bench ? window.__bench.then(resolve) : setTimeout(poll, 50));
  poll();
})`;
