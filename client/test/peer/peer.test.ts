// One Peer over a fake RTCPeerConnection and RTCDataChannel: offer as the wanter, answer as the
// holder, open reported once, frames decoded, backpressure, and every failure through one destroy.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CircleError } from '../../src/circle-error';
import { Peer } from '../../src/peer/peer';
import type { SignalData } from '../../src/signal/messages';
import { FRAME_DATA, encodeFrame, type Frame } from '../../src/transfer/frame';
import { FakePC, microtasks } from '../support/fake-rtc';

function peer(initiator: boolean, connectMs = 5_000) {
  const log = { signals: [] as SignalData[], opens: 0, frames: [] as Frame[], closes: [] as (string | undefined)[] };
  const p = new Peer('R', initiator, {}, connectMs, {
    signal: (d) => log.signals.push(d),
    open: () => log.opens++,
    frame: (f) => log.frames.push(f),
    close: (err?: CircleError) => log.closes.push(err?.code),
  });
  return { p, log, pc: FakePC.made[FakePC.made.length - 1] };
}

beforeEach(() => {
  FakePC.made = [];
  vi.stubGlobal('RTCPeerConnection', FakePC);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('Peer', () => {
  it('as the wanter, creates the channel and sends its offer; open is reported once', async () => {
    const { p, log, pc } = peer(true);
    await microtasks();
    expect(log.signals).toEqual([{ sdp: { type: 'offer', sdp: 'offer-sdp' } }]);
    p.signal({ sdp: { type: 'answer', sdp: 'a' } });
    await microtasks();
    expect(pc.remoteDescription).toEqual({ type: 'answer', sdp: 'a' });
    pc.channel!.open();
    pc.channel!.onopen!(new Event('open')); // the browser's own `open` after an early one
    expect(log.opens).toBe(1);
    expect(p.isOpen).toBe(true);
    expect(pc.channel!.binaryType).toBe('arraybuffer');
  });

  it('as the holder, answers an offer, applying candidates that came before it', async () => {
    const { p, log, pc } = peer(false);
    p.signal({ candidate: { candidate: 'c1' } });
    expect(pc.candidates).toEqual([]);
    p.signal({ sdp: { type: 'offer', sdp: 'o' } });
    await microtasks();
    expect(log.signals).toEqual([{ sdp: { type: 'answer', sdp: 'answer-sdp' } }]);
    expect(pc.candidates).toEqual([{ candidate: 'c1' }]);
    const ch = pc.announceChannel();
    ch.open();
    expect(log.opens).toBe(1);
  });

  it('decodes frames; a malformed one destroys the peer with ERR_BAD_FRAME, reported once', async () => {
    const { log, pc } = peer(true);
    pc.channel!.open();
    pc.channel!.receive(encodeFrame(FRAME_DATA, 7, 0, 3, new Uint8Array([1, 2, 3])));
    expect(log.frames.map((f) => [f.id, [...f.payload]])).toEqual([[7, [1, 2, 3]]]);
    pc.channel!.receive(new Uint8Array([9, 9]));
    pc.channel!.receive(new Uint8Array([9, 9]));
    await microtasks();
    expect(log.closes).toEqual(['ERR_BAD_FRAME']);
    expect(pc.closed && pc.channel!.closed).toBe(true);
  });

  it('stops sending above the high-water mark and resumes on bufferedamountlow', async () => {
    const { p, pc } = peer(true);
    pc.channel!.open();
    await p.send(new Uint8Array([1]));
    pc.channel!.bufferedAmount = 2 * 1024 * 1024;
    let done = false;
    const sending = p.send(new Uint8Array([2])).then(() => (done = true));
    await microtasks();
    expect(done).toBe(false);
    expect(pc.channel!.sent.length).toBe(1);
    pc.channel!.bufferedAmount = 0;
    pc.channel!.onbufferedamountlow!();
    await sending;
    expect(pc.channel!.sent.map((b) => b[0])).toEqual([1, 2]);
  });

  it('a send waiting for the channel fails when the peer is destroyed', async () => {
    const { p, log } = peer(true);
    const sending = p.send(new Uint8Array([1]));
    p.destroy();
    p.destroy();
    await expect(sending).rejects.toMatchObject({ code: 'ERR_DESTROYED' });
    await microtasks();
    expect(log.closes).toEqual([undefined]);
  });

  it('is destroyed with ERR_CONNECT_TIMEOUT when the channel is not open in time', async () => {
    vi.useFakeTimers();
    const { log } = peer(true, 2_000);
    vi.advanceTimersByTime(1_999);
    await microtasks();
    expect(log.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    await microtasks();
    expect(log.closes).toEqual(['ERR_CONNECT_TIMEOUT']);
  });

  it('a closed channel or failed connection ends it', async () => {
    const a = peer(true);
    a.pc.channel!.open();
    a.pc.channel!.onclose!();
    const b = peer(true);
    b.pc.connectionState = 'failed';
    b.pc.onconnectionstatechange!();
    await microtasks();
    expect(a.log.closes).toEqual(['ERR_CHANNEL_CLOSED']);
    expect(b.log.closes).toEqual(['ERR_CONNECTION_FAILURE']);
  });
});
