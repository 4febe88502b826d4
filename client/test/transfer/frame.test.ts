import { describe, expect, it } from 'vitest';
import {
  CHUNK_MAX_BYTES, FRAME_ABORT, FRAME_DATA, FRAME_HEADER_BYTES, FRAME_MAX_BYTES, decodeFrame, encodeFrame,
} from '../../src/transfer/frame';

const buf = (u: Uint8Array) => u.slice().buffer;

describe('frame', () => {
  it('round-trips a data frame', () => {
    const payload = new Uint8Array([1, 2, 3, 250]);
    const f = decodeFrame(buf(encodeFrame(FRAME_DATA, 7, 100, 104, payload)))!;
    expect(f).toMatchObject({ kind: FRAME_DATA, id: 7, offset: 100, total: 104 });
    expect([...f.payload]).toEqual([1, 2, 3, 250]);
  });

  it('uses a 13-byte big-endian header', () => {
    const bytes = encodeFrame(FRAME_DATA, 0x01020304, 0x10, 0x20, new Uint8Array([9]));
    expect(bytes.length).toBe(FRAME_HEADER_BYTES + 1);
    expect([...bytes.subarray(0, 13)]).toEqual([1, 1, 2, 3, 4, 0, 0, 0, 0x10, 0, 0, 0, 0x20]);
  });

  it('a full chunk fits in one 64 KiB message', () => {
    const f = encodeFrame(FRAME_DATA, 1, 0, CHUNK_MAX_BYTES, new Uint8Array(CHUNK_MAX_BYTES));
    expect(f.length).toBe(FRAME_MAX_BYTES);
    expect(decodeFrame(buf(f))).not.toBeNull();
  });

  it('round-trips an abort frame', () => {
    expect(decodeFrame(buf(encodeFrame(FRAME_ABORT, 3, 0, 0)))).toMatchObject({ kind: FRAME_ABORT, id: 3 });
  });

  it('rejects malformed frames', () => {
    expect(decodeFrame(new ArrayBuffer(5))).toBeNull(); // short
    expect(decodeFrame(new ArrayBuffer(FRAME_MAX_BYTES + 1))).toBeNull(); // too long
    expect(decodeFrame('text' as unknown as ArrayBuffer)).toBeNull(); // not binary
    expect(decodeFrame(buf(encodeFrame(9, 1, 0, 1, new Uint8Array(1))))).toBeNull(); // unknown kind
    expect(decodeFrame(buf(encodeFrame(FRAME_DATA, 0, 0, 1, new Uint8Array(1))))).toBeNull(); // id 0
    expect(decodeFrame(buf(encodeFrame(FRAME_DATA, 1, 10, 12, new Uint8Array(4))))).toBeNull(); // past total
    expect(decodeFrame(buf(encodeFrame(FRAME_DATA, 1, 0, 10)))).toBeNull(); // empty chunk of a non-empty item
    expect(decodeFrame(buf(encodeFrame(FRAME_ABORT, 1, 0, 0, new Uint8Array(2))))).toBeNull(); // abort with payload
    expect(decodeFrame(buf(encodeFrame(FRAME_DATA, 1, 0, 0xffffffff, new Uint8Array(1))))).toBeNull(); // absurd size
  });
});
