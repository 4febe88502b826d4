// Splits one item into the frames its holder sends.
import { CHUNK_MAX_BYTES, FRAME_DATA, encodeFrame } from './frame';

export function* chunkFrames(id: number, bytes: Uint8Array, chunkBytes = CHUNK_MAX_BYTES): Generator<Uint8Array> {
  if (bytes.length === 0) yield encodeFrame(FRAME_DATA, id, 0, 0);
  for (let offset = 0; offset < bytes.length; offset += chunkBytes)
    yield encodeFrame(FRAME_DATA, id, offset, bytes.length, bytes.subarray(offset, offset + chunkBytes));
}
