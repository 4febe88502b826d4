// Test-only page instrumentation for the lab's end-to-end tests, run before the page's own scripts
// (visitor-agent --init-script). It changes nothing the page does; it only keeps, in
// window.__lab, with times in ms since the page started:
//   sent / recv  the signaling messages on /.circlecdn/ws (type, id, hash, peer, ok, reason, ...;
//                no tokens, credentials or SDP bodies)
//   sdp          every SDP and ICE candidate string sent or received in a `signal` (dir 'out'/'in')
//   events       the library's events (item, resource, peerconnect, peerclose, disabled, ...)
//   fetches      window.fetch calls (the library's origin fetches): url, range, miss token or not,
//                start, end, status
(() => {
  if (window.__lab) return;
  const KEEP = 5000;
  const rec = { sent: [], recv: [], sdp: [], events: [], fetches: [] };
  Object.defineProperty(window, '__lab', { value: rec });
  const now = () => Math.round(performance.now());
  const push = (list, v) => list.length < KEEP && list.push(v);
  const FIELDS = ['type', 'id', 'hash', 'peer', 'to', 'from', 'ok', 'bytes', 'reason', 'connect', 'role', 'code',
    'connect_timeout', 'first_byte_timeout', 'ice_transport_policy', 'ice_expires'];
  const pick = (m) => {
    const o = { t: now() };
    for (const k of FIELDS) if (m[k] !== undefined) o[k] = m[k];
    if (Array.isArray(m.have)) o.have = m.have.length;
    if (Array.isArray(m.ice_servers)) o.ice_urls = m.ice_servers.flatMap((s) => [].concat(s.urls ?? []));
    return o;
  };
  const sdp = (dir, peer, data) => {
    if (!data || typeof data !== 'object') return;
    const s = data.sdp?.sdp ?? (typeof data.sdp === 'string' ? data.sdp : undefined);
    if (s) push(rec.sdp, { t: now(), dir, peer, kind: data.sdp?.type ?? 'sdp', text: s });
    const c = data.candidate?.candidate ?? (typeof data.candidate === 'string' ? data.candidate : undefined);
    if (c) push(rec.sdp, { t: now(), dir, peer, kind: 'candidate', text: c });
  };
  const isSignaling = (ws) => String(ws.url).includes('/.circlecdn/ws');

  const NativeWS = window.WebSocket;
  const send = NativeWS.prototype.send;
  NativeWS.prototype.send = function (d) {
    if (typeof d === 'string' && isSignaling(this)) {
      try {
        const m = JSON.parse(d);
        push(rec.sent, pick(m));
        if (m.type === 'signal') sdp('out', m.to, m.data);
      } catch {}
    }
    return send.call(this, d);
  };
  window.WebSocket = class WebSocket extends NativeWS {
    constructor(...args) {
      super(...args);
      if (!isSignaling(this)) return;
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string') return;
        try {
          const m = JSON.parse(e.data);
          push(rec.recv, pick(m));
          if (m.type === 'signal') sdp('in', m.from, m.data);
        } catch {}
      });
    }
  };

  const EVENTS = new Set(['ready', 'item', 'resource', 'peerconnect', 'peerclose', 'upload', 'verifyfailure',
    'penalised', 'servererror', 'disabled']);
  const dispatch = EventTarget.prototype.dispatchEvent;
  EventTarget.prototype.dispatchEvent = function (e) {
    if (e instanceof CustomEvent && EVENTS.has(e.type) && !(this instanceof Node) && this !== window)
      push(rec.events, { t: now(), type: e.type, ...(e.detail && typeof e.detail === 'object' ? e.detail : {}) });
    return dispatch.call(this, e);
  };

  const nativeFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input?.url ?? String(input));
    const h = new Headers(init?.headers ?? (typeof input === 'object' ? input.headers : undefined));
    const f = { url: new URL(url, location.href).pathname, range: h.get('Range'), miss: h.has('X-Circle-Miss'),
      start: now(), end: null, status: null };
    push(rec.fetches, f);
    return nativeFetch.call(this, input, init).then(
      (r) => ((f.end = now()), (f.status = r.status), r),
      (e) => ((f.end = now()), (f.status = String(e)), Promise.reject(e)),
    );
  };
})();
