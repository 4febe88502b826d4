// The ICE configuration every new RTCPeerConnection gets (the server's servers and policy from
// `welcome` or `ice`, then the page's own), and the connect budget of a new connection.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONNECT_MS, PeerPool } from '../../src/peer/peer-pool';

// An RTCPeerConnection stand-in that records its configuration; one whose servers include a
// `bad:` URL is refused, as browsers refuse malformed servers.
class FakePC {
  static made: FakePC[] = [];
  localDescription = null;
  setConfiguration = vi.fn();
  onconnectionstatechange = null;
  constructor(readonly config: RTCConfiguration) {
    if (config.iceServers?.some((s) => s.urls === 'bad:')) throw new TypeError('bad server');
    FakePC.made.push(this);
  }
  createDataChannel() {
    return { readyState: 'connecting', close() {} };
  }
  async createOffer() {
    return { type: 'offer', sdp: 'v=0' };
  }
  async setLocalDescription() {}
  close() {}
}

const STUN = { urls: 'stun:198.51.100.1:3478' };
const TURN = { urls: ['turn:198.51.100.1:3478?transport=udp'], username: '1765100000:P', credential: 'c1' };
const TURN2 = { urls: ['turn:198.51.100.1:3478?transport=udp'], username: '1765103600:P', credential: 'c2' };
const PAGE = { urls: 'stun:stun.example.org' };

function pool(page?: RTCIceServer[]) {
  const closed: Array<[string, string | undefined]> = [];
  const p = new PeerPool({ peerId: 'me', send: () => true, on() {} }, page);
  p.on('close', (peer, err) => closed.push([peer, err?.code]));
  return { p, closed };
}
const lastConfig = () => FakePC.made[FakePC.made.length - 1].config;

beforeEach(() => {
  FakePC.made = [];
  vi.stubGlobal('RTCPeerConnection', FakePC);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('PeerPool ICE configuration', () => {
  it('gives a new connection the server\'s servers, then the page\'s, and the server\'s policy', () => {
    const { p } = pool([PAGE]);
    p.setIce({ ice_servers: [STUN, TURN], ice_transport_policy: 'relay', ice_expires: 1765100000 });
    p.connect('A');
    expect(lastConfig()).toEqual({ iceServers: [STUN, TURN, PAGE], iceTransportPolicy: 'relay' });
  });

  it('keeps the page\'s servers when the server sends none (an older server), policy all', () => {
    const { p } = pool([PAGE]);
    p.setIce({});
    p.accept('A');
    expect(lastConfig()).toEqual({ iceServers: [PAGE], iceTransportPolicy: 'all' });
  });

  it('ignores what is not an ICE configuration (a non-array list, an unknown policy)', () => {
    const { p } = pool();
    p.setIce({ ice_servers: { urls: 'stun:x' } as unknown as RTCIceServer[], ice_transport_policy: 'none' as RTCIceTransportPolicy });
    p.connect('A');
    expect(lastConfig()).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
  });

  it('an `ice` renewal replaces the server\'s part for new connections and leaves open ones alone', () => {
    const { p } = pool([PAGE]);
    p.setIce({ ice_servers: [STUN, TURN], ice_transport_policy: 'all' });
    p.connect('A');
    p.setIce({ ice_servers: [STUN, TURN2], ice_transport_policy: 'all', ice_expires: 1765103600 });
    p.connect('B');
    expect(FakePC.made[0].config.iceServers).toEqual([STUN, TURN, PAGE]);
    expect(FakePC.made[1].config.iceServers).toEqual([STUN, TURN2, PAGE]);
    expect(FakePC.made[0].setConfiguration).not.toHaveBeenCalled();
  });

  it('a configuration the browser refuses falls back to no servers, keeping the policy', () => {
    const { p } = pool([{ urls: 'bad:' }]);
    p.setIce({ ice_servers: [TURN], ice_transport_policy: 'relay' });
    p.connect('A');
    expect(lastConfig()).toEqual({ iceTransportPolicy: 'relay' });
  });
});

describe('PeerPool connect budget', () => {
  it('destroys a connection not open within 5 s by default', async () => {
    vi.useFakeTimers();
    const { p, closed } = pool();
    expect(p.connectMs).toBe(DEFAULT_CONNECT_MS);
    p.connect('A');
    await vi.advanceTimersByTimeAsync(DEFAULT_CONNECT_MS - 1);
    expect(closed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(closed).toEqual([['A', 'ERR_CONNECT_TIMEOUT']]);
  });

  it('uses the welcome\'s connect_timeout for new connections', async () => {
    vi.useFakeTimers();
    const { p, closed } = pool();
    p.connectMs = 1_200;
    p.accept('A');
    await vi.advanceTimersByTimeAsync(1_200);
    expect(closed).toEqual([['A', 'ERR_CONNECT_TIMEOUT']]);
  });
});
