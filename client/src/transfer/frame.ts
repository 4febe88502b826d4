// DataChannel framing: one binary message per chunk, a 13-byte big-endian header then the payload.
//   u8 kind | u32 want id | u32 offset | u32 total | payload
// `kind` is FRAME_DATA (payload = bytes [offset, offset+len) of the pushed item, `total` its size)
// or FRAME_ABORT (the holder cannot send this item; no payload).
// Routing messages (the ring's and Chord's, client/src/routing/) share the channel as *text*
// messages: one JSON object each, at most ROUTING_MAX_BYTES. A binary message is always a
// transfer frame and a text message always a routing message, so neither needs a kind byte.

export const FRAME_DATA = 1;
export const FRAME_ABORT = 2;
export const FRAME_HEADER_BYTES = 13;
// 64 KiB messages work both ways between Chromium and Firefox (docs/browser-testing.md).
export const FRAME_MAX_BYTES = 64 * 1024;
export const CHUNK_MAX_BYTES = FRAME_MAX_BYTES - FRAME_HEADER_BYTES;
// No pushed item is larger than this (a whole small file or one piece; pieces are 256 KiB by default).
export const ITEM_MAX_BYTES = 64 * 1024 * 1024;

export interface Frame {
  kind: number;
  id: number;
  offset: number;
  total: number;
  payload: Uint8Array;
}

export function encodeFrame(
  kind: number,
  id: number,
  offset: number,
  total: number,
  payload?: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + (payload ? payload.length : 0));
  const view = new DataView(out.buffer);
  view.setUint8(0, kind);
  view.setUint32(1, id);
  view.setUint32(5, offset);
  view.setUint32(9, total);
  if (payload) out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

// Checks a frame where it enters: anything malformed is null, and the caller drops the peer.
export function decodeFrame(data: ArrayBuffer): Frame | null {
  if (!(data instanceof ArrayBuffer) || data.byteLength < FRAME_HEADER_BYTES || data.byteLength > FRAME_MAX_BYTES)
    return null;
  const view = new DataView(data);
  const kind = view.getUint8(0);
  const id = view.getUint32(1);
  const offset = view.getUint32(5);
  const total = view.getUint32(9);
  const payload = new Uint8Array(data, FRAME_HEADER_BYTES);
  if (id < 1 || total > ITEM_MAX_BYTES) return null;
  if (kind === FRAME_ABORT) return payload.length === 0 ? { kind, id, offset, total, payload } : null;
  if (kind !== FRAME_DATA || offset + payload.length > total || (payload.length === 0 && total > 0)) return null;
  return { kind, id, offset, total, payload };
}

// A routing message is at most this long (UTF-16 code units of the text message; a chord.handoff
// of CHORD_HANDOFF_MAX records is ~34 KB): 64 KiB works both ways between Chromium and Firefox.
export const ROUTING_MAX_BYTES = 64 * 1024;

// A text message off the channel: its JSON value, or undefined (too long or not JSON: the caller
// drops the peer, as for a malformed frame). The routing state machines check the shape.
export function decodeRouting(data: string): unknown {
  if (data.length > ROUTING_MAX_BYTES) return undefined;
  try {
    const v: unknown = JSON.parse(data);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}
