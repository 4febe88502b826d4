// The origin meter: bytes over busy time, with the bytes owed by fetches in flight counted first.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OriginMeter } from '../../src/fetch/origin-meter';

let t = 0;
const at = (ms: number) => (t = ms);

afterEach(() => vi.restoreAllMocks());

describe('OriginMeter', () => {
  it('knows nothing until a fetch has ended', () => {
    vi.spyOn(Date, 'now').mockImplementation(() => t);
    const m = new OriginMeter();
    expect(m.eta(1000)).toBeUndefined();
    at(0);
    m.start(1000);
    at(50);
    expect(m.eta(1000)).toBeUndefined();
  });

  it('predicts from the rate over busy time, owed bytes first', () => {
    vi.spyOn(Date, 'now').mockImplementation(() => t);
    const m = new OriginMeter();
    at(0);
    m.start(10_000);
    at(10);
    m.end(10_000, 10_000); // 1,000 bytes per ms
    at(5_000); // idle time does not count
    expect(m.eta(2_000)).toBe(2);
    m.start(100_000);
    // 100 kB owed ahead of a new fetch: still at 1,000 bytes per ms so far (busy 10 + 0 ms)
    expect(m.eta(2_000)).toBe(102);
    expect(m.eta(2_000, false)).toBe(2); // the origin's speed alone
    at(5_090); // 90 ms into a fetch that has not ended: counted as busy, its bytes not yet
    expect(m.eta(0)).toBe(1_000);
  });

  it('a saturated origin shows as a low rate, a failed fetch as time without bytes', () => {
    vi.spyOn(Date, 'now').mockImplementation(() => t);
    const m = new OriginMeter();
    at(0);
    m.start(262_144);
    m.start(262_144);
    at(2_000);
    m.end(262_144, 262_144);
    at(4_000);
    m.end(262_144, 0);
    expect(m.eta(262_144)).toBeCloseTo(4_000, 0); // 65.5 bytes per ms
  });

  it('old samples fade past 10 s of busy time', () => {
    vi.spyOn(Date, 'now').mockImplementation(() => t);
    const m = new OriginMeter();
    at(0);
    m.start(1_000_000);
    at(20_000);
    m.end(1_000_000, 1_000_000); // slow (50 bytes per ms), and past 10 s: halved
    m.start(1_000_000);
    at(20_100);
    m.end(1_000_000, 1_000_000); // fast
    // Without the fade: 2 MB over 20.1 s. With it the fast sample weighs twice as much.
    expect(m.eta(1_000)).toBeCloseTo((1_000 * 10_100) / 1_500_000, 5);
    expect(m.eta(1_000)).toBeLessThan((1_000 * 20_100) / 2_000_000);
  });
});
