// What the welcome and the `ice` renewal set up, through the whole library: the ICE configuration
// of new connections, the peer path budgets (defaults when an older server sends none), and a
// failed path reported to the tracker with its reason.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircleCDN } from '../src/circle-cdn';
import { sha256Hex } from '../src/verify/sha256';
import { stubSecurePage } from './support/secure-page';

class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket;
  readyState = 1;
  sent: Record<string, unknown>[] = [];
  onmessage?: (e: { data: string }) => void;
  onclose?: () => void;
  constructor() {
    FakeSocket.last = this;
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {}
  receive(m: object) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
}
class FakePC {
  static made: FakePC[] = [];
  localDescription = null;
  channel = { readyState: 'connecting', close() {}, onopen: null as null | (() => void) };
  constructor(readonly config: RTCConfiguration) {
    FakePC.made.push(this);
  }
  createDataChannel() {
    return this.channel;
  }
  async createOffer() {
    return { type: 'offer', sdp: 'v=0' };
  }
  async setLocalDescription() {}
  close() {}
}

const body = new Uint8Array(300).map((_, i) => i % 251);
const PAGE = { urls: 'stun:stun.example.org' };
const TURN = { urls: ['turn:198.51.100.1:3478?transport=udp'], username: '1765100000:P', credential: 'c1' };
let db = 0;
let origin: string[];

async function boot(welcome: object) {
  const hash = await sha256Hex(body);
  stubSecurePage(FakeSocket);
  vi.stubGlobal('RTCPeerConnection', FakePC);
  vi.stubGlobal('fetch', async (url: URL | string) => {
    if (String(url).endsWith('/.circlecdn/manifest.json'))
      return Response.json({ version: 1, generation: 1, piece_size: 262144, files: [{ path: '/a.bin', size: body.length, sha256: hash }] });
    origin.push(String(url));
    return new Response(body);
  });
  // preferPeers: these paths are the subject; the fake origin answers at once and would win races.
  const cdn = new CircleCDN({ iceServers: [PAGE], dbName: `welcome-${db++}`, preferPeers: true });
  await cdn.start();
  const ws = FakeSocket.last;
  ws.receive({ type: 'welcome', peer: 'ME', resume: 'R', protocol: 1, served: [], limits: {}, ...welcome });
  return { cdn, ws };
}
// Lets IndexedDB (setImmediate) and promise chains run without moving the fake clock.
const { setImmediate } = globalThis as unknown as { setImmediate(f: () => void): void };
async function settle(cond: () => boolean) {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise<void>((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

beforeEach(() => {
  FakePC.made = [];
  origin = [];
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('welcome and ice', () => {
  it('new connections get the welcome\'s servers and policy plus the page\'s; `ice` replaces the server part', async () => {
    const { cdn, ws } = await boot({ ice_servers: [TURN], ice_transport_policy: 'relay', ice_expires: 1765100000 });
    const loaded = cdn.fetch('/a.bin');
    await settle(() => ws.sent.some((m) => m.type === 'want'));
    ws.receive({ type: 'match', id: 1, hash: ws.sent[0].hash, peer: 'H', connect: true });
    expect(FakePC.made[0].config).toEqual({ iceServers: [TURN, PAGE], iceTransportPolicy: 'relay' });
    const TURN2 = { ...TURN, username: '1765103600:P', credential: 'c2' };
    ws.receive({ type: 'ice', ice_servers: [TURN2], ice_transport_policy: 'relay', ice_expires: 1765103600 });
    ws.receive({ type: 'push', id: 9, hash: ws.sent[0].hash, peer: 'W', connect: true });
    expect(FakePC.made[1].config).toEqual({ iceServers: [TURN2, PAGE], iceTransportPolicy: 'relay' });
    cdn.destroy();
    void loaded.catch(() => {});
  });

  it('an older server (no budgets in the welcome): 5 s to connect, then done connect_failed and the origin at once', async () => {
    const { cdn, ws } = await boot({ ice_servers: [] });
    const loaded = cdn.fetch('/a.bin');
    await settle(() => ws.sent.some((m) => m.type === 'want'));
    const want = ws.sent.find((m) => m.type === 'want')!;
    ws.receive({ type: 'match', id: want.id, hash: want.hash, peer: 'H', connect: true });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(ws.sent.some((m) => m.type === 'done')).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settle(() => ws.sent.some((m) => m.type === 'done'));
    expect(ws.sent.find((m) => m.type === 'done')).toEqual({ type: 'done', id: want.id, ok: false, reason: 'connect_failed' });
    const res = await loaded; // 3 s of the budget left is not enough for another path
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(body);
    expect(origin).toEqual(['https://site.test/a.bin']);
    expect(ws.sent.filter((m) => m.type === 'want').length).toBe(1);
    cdn.destroy();
  });

  it('budgets from the welcome: connect_timeout, then first_byte_timeout, done timeout', async () => {
    const { cdn, ws } = await boot({ ice_servers: [], connect_timeout: 1_000, first_byte_timeout: 500 });
    const loaded = cdn.fetch('/a.bin');
    await settle(() => ws.sent.some((m) => m.type === 'want'));
    const want = ws.sent.find((m) => m.type === 'want')!;
    ws.receive({ type: 'match', id: want.id, hash: want.hash, peer: 'H', connect: true });
    await vi.advanceTimersByTimeAsync(900);
    FakePC.made[0].channel.onopen!(); // the DataChannel opens within the connect budget
    expect(cdn.stats.peersConnected).toBe(1);
    await vi.advanceTimersByTimeAsync(499);
    expect(ws.sent.some((m) => m.type === 'done')).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settle(() => ws.sent.some((m) => m.type === 'done'));
    expect(ws.sent.find((m) => m.type === 'done')).toEqual({ type: 'done', id: want.id, ok: false, reason: 'timeout' });
    await loaded; // 1.4 s after the match, 0.1 s of the 1.5 s budget left: the origin
    expect(origin.length).toBe(1);
    cdn.destroy();
  });
});
