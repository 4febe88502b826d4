import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { USAGE_INTERVAL_MS, USAGE_SAMPLES_MAX, UsageReport } from '../../src/signal/usage-report';

describe('UsageReport', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the bytes since the last report, at most once per interval, only when something changed', () => {
    const sent: Record<string, unknown>[] = [];
    const r = new UsageReport((m) => (sent.push(m as Record<string, unknown>), true));
    r.bytes('peer', 100);
    r.bytes('origin', 50);
    r.bytes('peer', 1);
    vi.advanceTimersByTime(USAGE_INTERVAL_MS - 1);
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([{ type: 'usage', peer: 101, origin: 50, store: 0 }]);
    vi.advanceTimersByTime(10 * USAGE_INTERVAL_MS);
    expect(sent).toHaveLength(1); // nothing new: nothing sent
    r.bytes('store', 7);
    r.verifyFailure();
    vi.advanceTimersByTime(USAGE_INTERVAL_MS);
    expect(sent[1]).toEqual({ type: 'usage', peer: 0, origin: 0, store: 7, verify_failures: 1 });
  });

  it('keeps what it could not send (tracker down) for the next report', () => {
    let up = false;
    const sent: Record<string, unknown>[] = [];
    const r = new UsageReport((m) => (up ? (sent.push(m as Record<string, unknown>), true) : false));
    r.bytes('peer', 10);
    vi.advanceTimersByTime(USAGE_INTERVAL_MS);
    expect(sent).toHaveLength(0);
    r.bytes('peer', 5);
    up = true;
    vi.advanceTimersByTime(USAGE_INTERVAL_MS);
    expect(sent).toEqual([{ type: 'usage', peer: 15, origin: 0, store: 0 }]);
  });

  it("sends at most the server's cap of latency samples per source, the rest next time", () => {
    const sent: { ms?: Record<string, number[]> }[] = [];
    const r = new UsageReport((m) => (sent.push(m as { ms?: Record<string, number[]> }), true));
    for (let i = 0; i < USAGE_SAMPLES_MAX + 3; i++) r.resource('origin', i + 0.4);
    vi.advanceTimersByTime(USAGE_INTERVAL_MS);
    expect(sent[0].ms!.origin).toHaveLength(USAGE_SAMPLES_MAX);
    expect(sent[0].ms!.origin[1]).toBe(1);
    vi.advanceTimersByTime(USAGE_INTERVAL_MS);
    expect(sent[1].ms!.origin).toEqual([32, 33, 34]);
  });
});
