import { describe, expect, it } from 'vitest';
import { Assembly } from '../../src/transfer/assembly';
import { chunkFrames } from '../../src/transfer/chunks';
import { decodeFrame } from '../../src/transfer/frame';

describe('Assembly', () => {
  it('reassembles chunks into the original bytes', () => {
    const item = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    const a = new Assembly(item.length);
    const frames = [...chunkFrames(1, item)].map((f) => decodeFrame(f.slice().buffer)!);
    frames.slice(0, -1).forEach((f) => expect(a.add(f.offset, f.payload)).toBe(false));
    const last = frames[frames.length - 1];
    expect(a.add(last.offset, last.payload)).toBe(true);
    expect(a.bytes).toEqual(item);
  });

  it('refuses gaps, overlaps and overruns', () => {
    const a = new Assembly(10);
    expect(() => a.add(2, new Uint8Array(2))).toThrow(/expected 0/); // gap
    a.add(0, new Uint8Array(4));
    expect(() => a.add(2, new Uint8Array(2))).toThrow(); // overlap
    expect(() => a.add(4, new Uint8Array(7))).toThrow(); // past the end
    expect(a.add(4, new Uint8Array(6))).toBe(true);
  });

  it('completes an empty item at once', () => {
    expect(new Assembly(0).add(0, new Uint8Array(0))).toBe(true);
  });
});
