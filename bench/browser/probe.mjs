// The page-side probe of the browser-to-browser benchmark, installed as an init script in every
// page before its own scripts: it wraps WebSocket (every frame sent and received, with its time)
// and RTCPeerConnection (channel opens, and the first message on each channel), so the signaling
// and the first byte are measured the same way for CircleCDN and WebTorrent without touching
// either library. Times are epoch milliseconds (performance.timeOrigin + performance.now()).
// window.__probe = { ws: [{t, dir: 'connect'|'open'|'out'|'in', data}], pcs: [t],
//                    opens: [{t, label}], first: {t, label, bytes, head} | null }
export const PROBE = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  // A JSON frame is kept whole up to this size; a larger one (an SDP-laden announce) is cut.
  const KEEP_CHARS = 20000;
  const probe = (window.__probe = { ws: [], pcs: [], opens: [], first: null });
  const text = (d) => (typeof d === 'string' ? d.slice(0, KEEP_CHARS) : '[binary ' + (d.byteLength ?? d.size) + ']');
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      probe.ws.push({ t: now(), dir: 'connect', data: String(url) });
      this.addEventListener('open', () => probe.ws.push({ t: now(), dir: 'open', data: String(url) }));
      this.addEventListener('message', (e) => probe.ws.push({ t: now(), dir: 'in', data: text(e.data) }));
    }
    send(d) {
      probe.ws.push({ t: now(), dir: 'out', data: text(d) });
      return super.send(d);
    }
  };
  // The first message on any channel of this page: its time, size and first 8 bytes (CircleCDN's
  // frame header: kind, want id; WebTorrent's first message is its handshake, so the page also
  // records the torrent's first 'download' event).
  const watch = (ch) => {
    ch.addEventListener('open', () => probe.opens.push({ t: now(), label: ch.label }));
    const first = (e) => {
      ch.removeEventListener('message', first);
      if (probe.first) return;
      const d = e.data;
      const bytes = d instanceof ArrayBuffer ? new Uint8Array(d) : null;
      probe.first = { t: now(), label: ch.label, bytes: bytes ? bytes.length : (d.size ?? d.length),
                      head: bytes ? Array.from(bytes.subarray(0, 8)) : [] };
    };
    ch.addEventListener('message', first);
  };
  const NativePC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePC {
    constructor(...args) {
      super(...args);
      probe.pcs.push(now());
      this.addEventListener('datachannel', (e) => watch(e.channel));
    }
    createDataChannel(...args) {
      const ch = super.createDataChannel(...args);
      watch(ch);
      return ch;
    }
  };
})();`;
