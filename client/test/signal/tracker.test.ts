import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Tracker } from '../../src/signal/tracker';

// A WebSocket stand-in: records what the client sends; the test plays the server.
class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 1;
  sent: Record<string, unknown>[] = [];
  onmessage?: (e: { data: string }) => void;
  onclose?: () => void;
  constructor(
    readonly url: string,
    readonly protocol: string,
  ) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  receive(m: object) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
}

function setup(maxUploads = 4) {
  const events: string[] = [];
  const t = new Tracker('ws://x/.circlecdn/ws', maxUploads);
  t.on('ready', (w) => events.push(`ready ${w.peer}`));
  for (const type of ['match', 'miss'] as const) t.on(type, (m) => events.push(m.type));
  t.on('down', () => events.push('down'));
  t.start();
  return { t, events, ws: () => FakeSocket.all[FakeSocket.all.length - 1] };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('Tracker', () => {
  it('offers the circlecdn.1 subprotocol and is ready on the welcome', () => {
    const { t, events, ws } = setup();
    expect(ws().protocol).toBe('circlecdn.1');
    expect(t.send({ type: 'want' })).toBe(false); // not before the welcome
    ws().receive({ type: 'welcome', peer: 'A', resume: 'R1' });
    expect(events).toEqual(['ready A']);
    expect(ws().sent).toEqual([]); // nothing to say in a hello
    expect(t.send({ type: 'want', id: 1 })).toBe(true);
    expect(ws().sent).toEqual([{ type: 'want', id: 1 }]);
  });

  it('sends a hello with a lower upload cap, and is ready on the answering welcome', () => {
    const { events, ws } = setup(0);
    ws().receive({ type: 'welcome', peer: 'A' });
    expect(ws().sent).toEqual([{ type: 'hello', max_uploads: 0, upload: false }]);
    expect(events).toEqual([]);
    ws().receive({ type: 'welcome', peer: 'A' });
    expect(events).toEqual(['ready A']);
  });

  it('reconnects with growing backoff and resumes its id', async () => {
    const { t, events, ws } = setup();
    ws().receive({ type: 'welcome', peer: 'A', resume: 'R1' });
    ws().close();
    expect(events).toEqual(['ready A', 'down']);
    expect(t.isReady).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000); // first retry within 0.5 s * [0.5, 1.5)
    expect(FakeSocket.all.length).toBe(2);
    // No cookie this time: the server gave a new id, so the client asks for its old one back.
    ws().receive({ type: 'welcome', peer: 'B', resume: 'R2' });
    expect(ws().sent).toEqual([{ type: 'hello', resume: 'R1', max_uploads: 4, upload: true }]);
    ws().receive({ type: 'welcome', peer: 'A', resume: 'R3' });
    expect(events.at(-1)).toBe('ready A');
    // Two drops without a welcome in between: the second wait is longer.
    ws().close();
    await vi.advanceTimersByTimeAsync(760);
    expect(FakeSocket.all.length).toBe(3);
    ws().close();
    await vi.advanceTimersByTimeAsync(400);
    expect(FakeSocket.all.length).toBe(3);
    await vi.advanceTimersByTimeAsync(1_200);
    expect(FakeSocket.all.length).toBe(4);
  });

  it('paces a burst under the server rate limit', async () => {
    const { t, ws } = setup();
    ws().receive({ type: 'welcome', peer: 'A' });
    for (let i = 0; i < 200; i++) t.send({ type: 'want', id: i + 1 });
    expect(ws().sent.length).toBe(150);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ws().sent.length).toBeGreaterThanOrEqual(185);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ws().sent.length).toBe(200);
  });

  it('paces at 80% of the rate the welcome states', async () => {
    const { t, ws } = setup();
    ws().receive({ type: 'welcome', peer: 'A', limits: { messages_per_s: 200 } });
    for (let i = 0; i < 600; i++) t.send({ type: 'want', id: i + 1 });
    expect(ws().sent.length).toBe(150); // the burst
    await vi.advanceTimersByTimeAsync(1_000);
    const after1s = ws().sent.length - 150;
    expect(after1s).toBeGreaterThanOrEqual(150); // ~160/s, not the 40/s of a server that says nothing
    expect(after1s).toBeLessThanOrEqual(161);
  });

  it('ignores a rate that is not a positive number', async () => {
    const { t, ws } = setup();
    ws().receive({ type: 'welcome', peer: 'A', limits: { messages_per_s: 'lots' } });
    for (let i = 0; i < 300; i++) t.send({ type: 'want', id: i + 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ws().sent.length).toBeLessThanOrEqual(191); // 150 + 40/s
  });

  it('drops malformed server messages and hands on the rest', () => {
    const { events, ws } = setup();
    ws().receive({ type: 'welcome', peer: 'A' });
    ws().onmessage?.({ data: 'garbage' });
    ws().receive({ type: 'match', id: 'x' });
    ws().receive({ type: 'miss', id: 1, hash: 'h', token: 't', reason: 'no_holder' });
    expect(events).toEqual(['ready A', 'miss']);
  });

  it('stop() closes for good', async () => {
    const { t, ws } = setup();
    t.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all.length).toBe(1);
    expect(ws().readyState).toBe(3);
  });
});
