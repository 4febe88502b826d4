// The holder's side over a real PeerPool and Peer with a fake RTCDataChannel: a `push` from the
// tracker becomes frames on the channel in order, at most maxUploads at a time, a `cancel` stops a
// push between chunks, a missing item is an abort frame, and a closed gate or a dropped socket
// sends nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerPool } from '../../src/peer/peer-pool';
import type { Match } from '../../src/signal/messages';
import { FRAME_ABORT, FRAME_DATA, decodeFrame } from '../../src/transfer/frame';
import { Uploader } from '../../src/transfer/uploader';
import { FakePC, FakeTracker, microtasks } from '../support/fake-rtc';

const item = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * seed) % 251);
const ITEMS: Record<string, Uint8Array> = { a: item(200_000, 3), b: item(70_000, 5), c: item(10, 7) };

function setup(maxUploads = 4, open = { value: true }) {
  const tracker = new FakeTracker('H');
  const pool = new PeerPool(tracker);
  const reads: string[] = [];
  const sent: string[] = [];
  let release: (() => void) | undefined;
  const gate = { hold: false };
  new Uploader(maxUploads, tracker, pool, async (h) => {
    reads.push(h);
    if (gate.hold) await new Promise<void>((r) => (release = r));
    return ITEMS[h];
  }, (peer, hash, bytes) => sent.push(`${peer} ${hash} ${bytes}`), () => open.value);
  const push = (id: number, hash: string, peer = 'W'): void =>
    tracker.deliver('push', { type: 'push', id, hash, peer, connect: true } as Match);
  // The wanter's offer arrives and the channel opens.
  const connect = async (peer = 'W') => {
    tracker.deliver('signal', { type: 'signal', from: peer, data: { sdp: { type: 'offer', sdp: 'o' } } });
    await microtasks();
    const pc = FakePC.made[FakePC.made.length - 1];
    const ch = pc.announceChannel();
    ch.open();
    return ch;
  };
  return { tracker, pool, reads, sent, push, connect, gate, release: () => release?.() };
}
const frames = (ch: { sent: Uint8Array[] }) => ch.sent.map((b) => decodeFrame(b.slice().buffer)!);
async function until(cond: () => boolean) {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 0));
  expect(cond()).toBe(true);
}

beforeEach(() => {
  FakePC.made = [];
  vi.stubGlobal('RTCPeerConnection', FakePC);
});
afterEach(() => vi.unstubAllGlobals());

describe('Uploader', () => {
  it('pushes an item as frames in order once the channel opens, and counts it', async () => {
    const u = setup();
    u.push(1, 'a');
    const ch = await u.connect();
    await until(() => u.sent.length === 1);
    const f = frames(ch);
    expect(f.every((x) => x.kind === FRAME_DATA && x.id === 1 && x.total === 200_000)).toBe(true);
    expect(f.map((x) => x.offset)).toEqual(f.map((_, i) => i * 65_523));
    const joined = new Uint8Array(200_000);
    for (const x of f) joined.set(x.payload, x.offset);
    expect(joined).toEqual(ITEMS.a);
    expect(u.sent).toEqual(['W a 200000']);
  });

  it('runs at most maxUploads pushes at a time; the rest wait in order', async () => {
    const u = setup(1);
    u.gate.hold = true;
    u.push(1, 'b');
    u.push(2, 'c');
    await microtasks();
    expect(u.reads).toEqual(['b']);
    const ch = await u.connect();
    u.gate.hold = false;
    u.release();
    await until(() => u.sent.length === 2);
    expect(u.reads).toEqual(['b', 'c']);
    expect([...new Set(frames(ch).map((x) => x.id))]).toEqual([1, 2]);
  });

  it('a cancel from the tracker stops a push between chunks', async () => {
    const u = setup();
    const ch = await u.connect();
    const send = ch.send.bind(ch);
    ch.send = (d) => (send(d), (ch.bufferedAmount = 2 * 1024 * 1024)); // the first chunk fills the buffer: the rest waits
    u.push(1, 'a');
    await until(() => ch.sent.length === 1);
    u.tracker.deliver('cancel', { type: 'cancel', id: 1, peer: 'W', role: 'holder' });
    ch.bufferedAmount = 0;
    ch.onbufferedamountlow!();
    await microtasks(50);
    // The chunk already waiting for buffer space goes; none after it (the item has 4).
    expect(ch.sent.length).toBe(2);
    expect(u.sent).toEqual([]);
  });

  it('a cancel for our own want (role wanter) does not touch pushes', async () => {
    const u = setup();
    u.push(1, 'b');
    u.tracker.deliver('cancel', { type: 'cancel', id: 1, peer: 'W', role: 'wanter' });
    await u.connect();
    await until(() => u.sent.length === 1);
  });

  it('an item no longer held is an abort frame', async () => {
    const u = setup();
    u.push(3, 'gone');
    const ch = await u.connect();
    await until(() => ch.sent.length === 1);
    expect(frames(ch)[0]).toMatchObject({ kind: FRAME_ABORT, id: 3, total: 0 });
    expect(u.sent).toEqual([]);
  });

  it('ignores pushes while the gate is closed, and drops queued ones when the socket goes', async () => {
    const open = { value: false };
    const u = setup(1, open);
    u.push(1, 'b');
    expect(u.pool.peers.size).toBe(0);
    open.value = true;
    u.gate.hold = true;
    u.push(2, 'b');
    u.push(3, 'c');
    u.tracker.deliver('down');
    const ch = await u.connect();
    u.gate.hold = false;
    u.release();
    await until(() => u.sent.length === 1);
    await microtasks(20);
    expect(u.reads).toEqual(['b']); // 3 never read
    expect([...new Set(frames(ch).map((x) => x.id))]).toEqual([2]);
  });
});
