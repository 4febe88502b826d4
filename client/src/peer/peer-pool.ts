// The peers this visitor has channels with, by peer id: at most one Peer per remote id, created as
// the server orders, replaced when it dies, and glare (both sides offering at once) settled by id.
// It takes its signals and ICE configuration from the tracker itself, and tells whoever subscribed
// when a channel opens, carries a frame or closes.
import type { CircleError } from '../circle-error';
import { Emitter } from '../emitter';
import type { IceConfig, SignalData } from '../signal/messages';
import type { Tracker } from '../signal/tracker';
import type { Frame } from '../transfer/frame';
import { Peer } from './peer';

export interface PoolEvents {
  open: [peer: string];
  frame: [peer: string, frame: Frame];
  /** A routing message (JSON, unchecked: the ring's and Chord's parsers check it). */
  message: [peer: string, msg: unknown];
  close: [peer: string, err?: CircleError];
}
// A welcome's budget in ms, or the default when it has none (an older server).
export const budget = (ms: unknown, fallback: number): number => (typeof ms == 'number' && ms > 0 ? ms : fallback);

// Until a welcome says otherwise (protocol.md): from `match` to the channel open.
export const DEFAULT_CONNECT_MS = 5_000;

export class PeerPool extends Emitter<PoolEvents> {
  readonly peers = new Map<string, Peer>();
  /** welcome.connect_timeout: a connection not open by then is destroyed (ERR_CONNECT_TIMEOUT). */
  connectMs = DEFAULT_CONNECT_MS;
  /** What every new RTCPeerConnection gets: the server's ICE servers, then the page's, and the server's policy. */
  config: RTCConfiguration = {};

  constructor(
    private _tracker: Pick<Tracker, 'peerId' | 'send' | 'on'>,
    private _pageIce: RTCIceServer[] = [],
  ) {
    super();
    _tracker.on('ready', (w) => {
      this.setIce(w);
      this.connectMs = budget(w.connect_timeout, DEFAULT_CONNECT_MS);
    });
    _tracker.on('ice', (m) => this.setIce(m));
    _tracker.on('signal', (m) => this.signal(m.from, m.data));
  }

  // From `welcome`, and from `ice` (fresh TURN credentials): replaces the server's part for new
  // connections. Open ones keep theirs: new servers would only matter at an ICE restart, which the
  // library never does, and a policy change is not something to try on a live connection.
  setIce(m: IceConfig): void {
    this.config = {
      iceServers: [...(Array.isArray(m.ice_servers) ? m.ice_servers : []), ...this._pageIce],
      iceTransportPolicy: m.ice_transport_policy === 'relay' ? 'relay' : 'all',
    };
  }

  // As the wanter: reuse a live channel to `id`, or open one (we offer).
  connect(id: string): Peer {
    return this.peers.get(id) ?? this._create(id, true);
  }

  // As the holder: reuse a live channel to `id`, or wait for its offer.
  accept(id: string): Peer {
    return this.peers.get(id) ?? this._create(id, false);
  }

  signal(from: string, data: SignalData): void {
    let peer = this.peers.get(from);
    if (data.sdp?.type === 'offer' && peer && (peer.initiator || peer.isOpen)) {
      // Glare: both offered. The larger id keeps its own offer; the smaller one yields. A fresh
      // offer on an open channel means the other side lost it: start over.
      if (!peer.isOpen && this._tracker.peerId > from) return;
      this._drop(peer);
      peer = undefined;
    }
    if (!peer) {
      if (data.sdp?.type !== 'offer') return; // stale candidate or answer for a peer already gone
      peer = this._create(from, false);
    }
    peer.signal(data);
  }

  openCount(): number {
    let n = 0;
    for (const p of this.peers.values()) if (p.isOpen) n++;
    return n;
  }

  destroyAll(): void {
    for (const p of this.peers.values()) p.destroy();
  }

  private _drop(peer: Peer): void {
    this.peers.delete(peer.id);
    peer.destroy();
  }

  private _create(id: string, initiator: boolean): Peer {
    const peer: Peer = new Peer(id, initiator, this.config, this.connectMs, {
      signal: (data) => this._tracker.send({ type: 'signal', to: id, data }),
      open: () => this.emit('open', id),
      frame: (f) => this.peers.get(id) === peer && this.emit('frame', id, f),
      message: (m) => this.peers.get(id) === peer && this.emit('message', id, m),
      close: (err) => {
        // Only the current Peer for `id` speaks for it; a replaced one leaves quietly.
        if (this.peers.get(id) !== peer) return;
        this.peers.delete(id);
        this.emit('close', id, err);
      },
    });
    this.peers.set(id, peer);
    return peer;
  }
}
