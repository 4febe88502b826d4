// One RTCPeerConnection with one DataChannel to one remote peer, reused for every transfer between
// the two. The wanter is the offerer and creates the channel. Every failure ends in destroy(err).
import { CircleError } from '../circle-error';
import type { SignalData } from '../signal/messages';
import { decodeFrame, decodeRouting, type Frame } from '../transfer/frame';

// Backpressure: stop sending above HIGH, resume on `bufferedamountlow` at LOW (browser-testing.md
// measured no gain from a larger window).
const BUFFER_HIGH_BYTES = 1024 * 1024;
const BUFFER_LOW_BYTES = 256 * 1024;
// Routing messages (ring, Chord) go on a second channel of the same connection, opened in-band on
// the first one sent (no renegotiation once SCTP is up): on the transfer channel a Chord ack would
// wait behind up to BUFFER_HIGH_BYTES of pushed chunks (seconds on a WAN link), past its 500 ms
// hop timeout, and the hop's peer would be dropped from the tables as if it had left.
export const ROUTING_LABEL = 'circlecdn-routing';

export interface PeerHooks {
  signal(data: SignalData): void;
  open(): void;
  frame(frame: Frame): void;
  /** A routing message (a text message on the channel, JSON: transfer/frame.ts). */
  message?(msg: unknown): void;
  close(err?: CircleError): void;
}

export class Peer {
  isOpen = false;
  destroyed = false;
  bytesReceived = 0;
  private _pc: RTCPeerConnection;
  private _channel: RTCDataChannel | null = null;
  private _routing: RTCDataChannel | null = null; // the one this side sends routing messages on
  private _routingQueue: string[] = []; // until it opens
  private _pendingCandidates: RTCIceCandidateInit[] = [];
  private _wakeups: Array<() => void> = [];
  private _timer: ReturnType<typeof setTimeout>;

  constructor(
    readonly id: string,
    readonly initiator: boolean,
    config: RTCConfiguration,
    connectMs: number, // until the channel is open (signaling, ICE, DTLS, SCTP): welcome.connect_timeout
    private _hooks: PeerHooks,
  ) {
    let pc: RTCPeerConnection;
    try {
      pc = new RTCPeerConnection(config);
    } catch {
      // Servers the browser refuses (a malformed page-added one): keep the policy, drop the servers.
      pc = new RTCPeerConnection({ iceTransportPolicy: config.iceTransportPolicy });
    }
    this._pc = pc;
    pc.onicecandidate = (e) => e.candidate && _hooks.signal({ candidate: e.candidate.toJSON() });
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed')
        this.destroy(new CircleError('ERR_CONNECTION_FAILURE', pc.connectionState));
    };
    this._timer = setTimeout(() => this.destroy(new CircleError('ERR_CONNECT_TIMEOUT')), connectMs);
    if (initiator) {
      this._attach(pc.createDataChannel('circlecdn'));
      this._negotiate(async () => {
        await pc.setLocalDescription(await pc.createOffer());
        this._sendDescription();
      });
    }
    // The remote's channels: the transfer channel (when we answer), and its routing channel.
    pc.ondatachannel = (e) => (e.channel.label === ROUTING_LABEL ? this._useRouting(e.channel) : this._attach(e.channel));
  }

  // Applies a description or candidate relayed by the tracker.
  signal(data: SignalData): void {
    const { _pc: pc } = this;
    if (data.candidate) {
      if (pc.remoteDescription) this._negotiate(() => pc.addIceCandidate(data.candidate));
      else this._pendingCandidates.push(data.candidate);
    }
    if (data.sdp) {
      this._negotiate(async () => {
        await pc.setRemoteDescription(data.sdp!);
        if (this.destroyed) return;
        if (data.sdp!.type === 'offer') {
          await pc.setLocalDescription(await pc.createAnswer());
          this._sendDescription();
        }
        for (const c of this._pendingCandidates.splice(0)) await pc.addIceCandidate(c);
      });
    }
  }

  // Resolves once the channel is open; rejects if the peer is destroyed first.
  async whenOpen(): Promise<void> {
    while (!this.isOpen) await this._wait();
  }

  // Sends one frame (or a routing message's text), waiting while the channel's buffer is over the
  // high-water mark. Sends that wait for the channel to open go out in the order they were made.
  async send(frame: Uint8Array | string): Promise<void> {
    for (;;) {
      await this.whenOpen();
      const channel = this._channel!;
      if (channel.bufferedAmount <= BUFFER_HIGH_BYTES) {
        try {
          return typeof frame === 'string' ? channel.send(frame) : channel.send(frame as Uint8Array<ArrayBuffer>);
        } catch (e) {
          this.destroy(new CircleError('ERR_DATA_CHANNEL', String(e)));
          throw e;
        }
      }
      await this._wait();
    }
  }

  // Sends a routing message (JSON text) on the routing channel, opened on first use once the
  // connection is up; messages sent before it opens go out in order when it does.
  async sendRouting(text: string): Promise<void> {
    await this.whenOpen();
    if (!this._routing) this._useRouting(this._pc.createDataChannel(ROUTING_LABEL));
    const ch = this._routing!;
    if (ch.readyState !== 'open') return void this._routingQueue.push(text);
    try {
      ch.send(text);
    } catch (e) {
      this.destroy(new CircleError('ERR_DATA_CHANNEL', String(e)));
      throw e;
    }
  }

  // Idempotent. Closes the channel and connection, then reports `close` once, a microtask later
  // so events already in flight still arrive.
  destroy(err?: CircleError): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.isOpen = false;
    clearTimeout(this._timer);
    const { _pc: pc, _channel: channel } = this;
    pc.onicecandidate = pc.onconnectionstatechange = pc.ondatachannel = null;
    if (channel) channel.onopen = channel.onclose = channel.onmessage = channel.onbufferedamountlow = null;
    if (this._routing) this._routing.onopen = null;
    this._routingQueue = [];
    try {
      channel?.close();
      this._routing?.close();
      pc.close();
    } catch {}
    this._wake();
    queueMicrotask(() => this._hooks.close(err));
  }

  // The remote's routing channel is ours to send on too, unless we opened one first (both may,
  // at once: then each sends on its own and listens on both).
  private _useRouting(ch: RTCDataChannel): void {
    this._listen(ch);
    if (this._routing) return;
    this._routing = ch;
    const flush = () => {
      try {
        for (const t of this._routingQueue.splice(0)) ch.send(t);
      } catch (e) {
        this.destroy(new CircleError('ERR_DATA_CHANNEL', String(e)));
      }
    };
    ch.onopen = flush;
    if (ch.readyState === 'open') flush();
  }

  // A routing channel (ours or the remote's): text messages only; its close ends nothing (the
  // transfer channel's does).
  private _listen(channel: RTCDataChannel): void {
    channel.onmessage = (e) => {
      const msg = typeof e.data === 'string' ? decodeRouting(e.data) : undefined;
      if (msg === undefined) return this.destroy(new CircleError('ERR_BAD_FRAME'));
      this._hooks.message?.(msg);
    };
  }

  private _attach(channel: RTCDataChannel): void {
    if (this._channel) return channel.close();
    this._channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = BUFFER_LOW_BYTES;
    channel.onopen = () => {
      // A channel from `datachannel` is often open already (opened below), and the browser still
      // fires its `open` afterwards: report it once.
      if (this.isOpen) return;
      clearTimeout(this._timer);
      this.isOpen = true;
      this._hooks.open();
      this._wake();
    };
    channel.onclose = () => this.destroy(new CircleError('ERR_CHANNEL_CLOSED'));
    channel.onbufferedamountlow = () => this._wake();
    channel.onmessage = (e) => {
      if (typeof e.data === 'string') {
        const msg = decodeRouting(e.data);
        if (msg === undefined) return this.destroy(new CircleError('ERR_BAD_FRAME'));
        return this._hooks.message?.(msg);
      }
      const frame = decodeFrame(e.data);
      if (!frame) return this.destroy(new CircleError('ERR_BAD_FRAME'));
      this.bytesReceived += frame.payload.length;
      this._hooks.frame(frame);
    };
    if (channel.readyState === 'open') channel.onopen(new Event('open'));
  }

  private _sendDescription(): void {
    const d = this._pc.localDescription;
    if (d && !this.destroyed) this._hooks.signal({ sdp: { type: d.type, sdp: d.sdp } });
  }

  private _negotiate(step: () => Promise<unknown>): void {
    step().catch((e) => this.destroy(new CircleError('ERR_SIGNALING', String(e))));
  }

  private _wait(): Promise<void> {
    if (this.destroyed) return Promise.reject(new CircleError('ERR_DESTROYED'));
    return new Promise((resolve) => this._wakeups.push(resolve));
  }

  private _wake(): void {
    for (const w of this._wakeups.splice(0)) w();
  }
}
