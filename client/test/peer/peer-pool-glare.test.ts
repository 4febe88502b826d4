// Glare: both visitors open a connection to each other at once. The larger id keeps its own offer,
// the smaller one yields and answers; an offer on an open channel replaces it; only the current
// Peer for an id speaks for it. Signals come from the tracker and go back to it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerPool } from '../../src/peer/peer-pool';
import { FakePC, FakeTracker, microtasks } from '../support/fake-rtc';

function pool(self: string) {
  const tracker = new FakeTracker(self);
  const p = new PeerPool(tracker);
  const events: string[] = [];
  p.on('open', (peer) => events.push(`open ${peer}`));
  p.on('close', (peer, err) => events.push(`close ${peer} ${err?.code ?? ''}`));
  return { tracker, p, events };
}
const offers = (t: FakeTracker) => t.sent.filter((m) => (m.data as { sdp?: { type: string } }).sdp?.type === 'offer');
const answers = (t: FakeTracker) => t.sent.filter((m) => (m.data as { sdp?: { type: string } }).sdp?.type === 'answer');

beforeEach(() => {
  FakePC.made = [];
  vi.stubGlobal('RTCPeerConnection', FakePC);
});
afterEach(() => vi.unstubAllGlobals());

describe('PeerPool glare', () => {
  it('both offer at once: the larger id keeps its offer, the smaller answers it', async () => {
    const a = pool('A');
    const b = pool('B');
    const aToB = a.p.connect('B');
    const bToA = b.p.connect('A');
    await microtasks();
    expect(offers(a.tracker)).toHaveLength(1);
    expect(offers(b.tracker)).toHaveLength(1);
    // Each side's offer reaches the other through the tracker.
    for (const m of offers(a.tracker)) b.tracker.deliver('signal', { type: 'signal', from: 'A', data: m.data as object });
    for (const m of offers(b.tracker)) a.tracker.deliver('signal', { type: 'signal', from: 'B', data: m.data as object });
    await microtasks();
    // B (larger) ignored A's offer and kept its Peer; A dropped its own and answers B's.
    expect(b.p.peers.get('A')).toBe(bToA);
    expect(answers(b.tracker)).toHaveLength(0);
    const aNow = a.p.peers.get('B')!;
    expect(aNow).not.toBe(aToB);
    expect(aNow.initiator).toBe(false);
    expect(answers(a.tracker)).toEqual([{ type: 'signal', to: 'B', data: { sdp: { type: 'answer', sdp: 'answer-sdp' } } }]);
    // The yielded Peer leaves quietly: no `close` for B while its successor stands.
    expect(a.events).toEqual([]);
    // The answer reaches B, the channel opens on both sides: one connection each way.
    b.tracker.deliver('signal', { type: 'signal', from: 'A', data: answers(a.tracker)[0].data as object });
    await microtasks();
    const bPc = FakePC.made[1];
    expect(bPc.remoteDescription?.type).toBe('answer');
    bPc.channel!.open();
    FakePC.made[2].announceChannel().open();
    expect(b.events).toEqual(['open A']);
    expect(a.events).toEqual(['open B']);
    expect(a.p.openCount() + b.p.openCount()).toBe(2);
  });

  it('a fresh offer on an open channel replaces it (the other side lost it)', async () => {
    const b = pool('B');
    const first = b.p.connect('A');
    FakePC.made[0].channel!.open();
    b.tracker.deliver('signal', { type: 'signal', from: 'A', data: { sdp: { type: 'offer', sdp: 'again' } } });
    await microtasks();
    const second = b.p.peers.get('A')!;
    expect(second).not.toBe(first);
    expect(first.destroyed).toBe(true);
    expect(FakePC.made[1].remoteDescription).toEqual({ type: 'offer', sdp: 'again' });
    expect(b.events).toEqual(['open A']); // the replaced Peer's close is not reported
  });

  it('ignores an answer or candidate for a peer it does not know', () => {
    const a = pool('A');
    a.tracker.deliver('signal', { type: 'signal', from: 'Z', data: { sdp: { type: 'answer', sdp: 'x' } } });
    a.tracker.deliver('signal', { type: 'signal', from: 'Z', data: { candidate: { candidate: 'c' } } });
    expect(a.p.peers.size).toBe(0);
    expect(FakePC.made).toHaveLength(0);
  });

  it('takes the connect budget and ICE servers from the welcome it hears itself', () => {
    const a = pool('A');
    a.tracker.deliver('ready', { type: 'welcome', peer: 'A', connect_timeout: 1234, ice_servers: [{ urls: 'stun:x' }] });
    expect(a.p.connectMs).toBe(1234);
    a.p.connect('B');
    expect(FakePC.made[0].config.iceServers).toEqual([{ urls: 'stun:x' }]);
  });
});
