import { describe, expect, it } from 'vitest';
import { chunkFrames } from '../../src/transfer/chunks';
import { CHUNK_MAX_BYTES, FRAME_MAX_BYTES, decodeFrame } from '../../src/transfer/frame';

describe('chunkFrames', () => {
  it('splits an item into frames no larger than 64 KiB that cover it in order', () => {
    const item = new Uint8Array(CHUNK_MAX_BYTES * 2 + 5).map((_, i) => i % 251);
    const frames = [...chunkFrames(4, item)];
    expect(frames.length).toBe(3);
    let offset = 0;
    for (const raw of frames) {
      expect(raw.length).toBeLessThanOrEqual(FRAME_MAX_BYTES);
      const f = decodeFrame(raw.slice().buffer)!;
      expect(f).toMatchObject({ id: 4, offset, total: item.length });
      expect(f.payload).toEqual(item.subarray(offset, offset + f.payload.length));
      offset += f.payload.length;
    }
    expect(offset).toBe(item.length);
  });

  it('sends one empty frame for an empty item', () => {
    const frames = [...chunkFrames(1, new Uint8Array(0))];
    expect(frames.length).toBe(1);
    expect(decodeFrame(frames[0].slice().buffer)).toMatchObject({ total: 0, offset: 0 });
  });
});
