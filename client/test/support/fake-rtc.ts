// Small stand-ins for RTCPeerConnection and RTCDataChannel (unit tests only; the e2e tests use real
// browsers): they record what the library sends and let a test open, fill or close the channel.
import { Emitter } from '../../src/emitter';
import type { TrackerEvents } from '../../src/signal/tracker';

export class FakeChannel {
  readyState = 'connecting';
  binaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  sent: Uint8Array[] = [];
  closed = false;
  onopen: ((e: Event) => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((e: { data: ArrayBuffer }) => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  send(data: Uint8Array) {
    if (this.readyState !== 'open') throw new Error('InvalidStateError');
    this.sent.push(data.slice());
  }
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 'open';
    this.onopen?.(new Event('open'));
  }
  receive(bytes: Uint8Array) {
    this.onmessage?.({ data: bytes.slice().buffer });
  }
}

export class FakePC {
  static made: FakePC[] = [];
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  connectionState = 'new';
  channel?: FakeChannel;
  candidates: RTCIceCandidateInit[] = [];
  closed = false;
  onicecandidate: ((e: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  ondatachannel: ((e: { channel: FakeChannel }) => void) | null = null;
  constructor(readonly config: RTCConfiguration) {
    FakePC.made.push(this);
  }
  createDataChannel() {
    return (this.channel = new FakeChannel());
  }
  async createOffer() {
    return { type: 'offer' as const, sdp: 'offer-sdp' };
  }
  async createAnswer() {
    return { type: 'answer' as const, sdp: 'answer-sdp' };
  }
  async setLocalDescription(d: RTCSessionDescriptionInit) {
    this.localDescription = d;
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit) {
    this.remoteDescription = d;
  }
  async addIceCandidate(c: RTCIceCandidateInit) {
    this.candidates.push(c);
  }
  close() {
    this.closed = true;
  }
  // The answerer's side: the remote's channel arrives.
  announceChannel(): FakeChannel {
    const c = (this.channel = new FakeChannel());
    this.ondatachannel?.({ channel: c });
    return c;
  }
}

// A tracker stand-in: records what is sent, and lets a test deliver server messages by type.
export class FakeTracker extends Emitter<TrackerEvents> {
  sent: Record<string, unknown>[] = [];
  isReady = true;
  constructor(public peerId = 'me') {
    super();
  }
  send(m: object): boolean {
    this.sent.push(m as Record<string, unknown>);
    return true;
  }
  deliver<K extends keyof TrackerEvents>(type: K, ...args: TrackerEvents[K]): void {
    this.emit(type, ...args);
  }
}

export const microtasks = async (n = 10) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};
