// What a routing message may look like when it comes off a DataChannel. The ring and Chord state
// machines take a peer's message as `unknown` and parse it here first: a message of the wrong
// shape, with an id that is not a peer id, a hash that is not a content hash, a count that is
// not an integer in range or an array past its cap is dropped and counted, before any state
// machine sees it (one bad message must not throw inside a timer or a loop).

const PEER_ID = /^[A-Za-z0-9_-]{22}$/;
const HASH = /^[0-9a-f]{64}$/;

/** A public peer id: 22 base64url characters (128 random bits the server drew). */
export function isPeerId(v: unknown): v is string {
  return typeof v === 'string' && PEER_ID.test(v);
}

/** A content hash: 64 lower-case hex digits (SHA-256). */
export function isHash(v: unknown): v is string {
  return typeof v === 'string' && HASH.test(v);
}

/** An integer in [lo, hi]. */
export function isInt(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= lo && v <= hi;
}

/** A finite number (NaN and the infinities are not). */
export function isFinite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** An array of at most `max` elements, each passing `ok`. */
export function isArrayOf<T>(v: unknown, max: number, ok: (e: unknown) => e is T): v is T[] {
  return Array.isArray(v) && v.length <= max && v.every((e) => ok(e));
}

/** A plain object (not null, not an array): a message's outer shape. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Ids of lookups and wants: 53 random bits, so that a peer the request did not pass cannot
 * guess one and answer it (a counter from 1 would be guessed at the first try). */
export function randomId(): number {
  const w = crypto.getRandomValues(new Uint32Array(2));
  return (w[0] & 0x1fffff) * 2 ** 32 + w[1];
}

export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** What a state machine dropped: `malformed` did not parse, `refused` parsed but broke a rule
 * (a sender that is not the one expected, a record naming another peer, a table full). */
export interface Dropped {
  malformed: number;
  refused: number;
}
