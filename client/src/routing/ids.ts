// Positions on a 32-bit identifier circle, shared by the ring and Chord. A peer's position comes
// from its public peer id (128 random bits chosen by the server, so no hashing is needed); a
// content hash's key is the first 32 bits of its SHA-256. 32 bits as in the simulator (sim/), so
// both replay the same test vectors. At 10^4 peers two ids share 32 bits with odds of ~1 in 86;
// two peers at one position would split that position's keys unpredictably, so the server, which
// draws peer ids, should draw again when a prefix is taken (docs/routing.md, "Server side").

export const ID_BITS = 32;
const CIRCLE = 2 ** ID_BITS;

/** The position of a peer: the first 32 bits of its 22-character base64url id. */
export function idOfPeer(peer: string): number {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let v = 0;
  // 6 characters carry 36 bits: keep the top 32.
  for (let i = 0; i < 6; i++) {
    const d = alphabet.indexOf(peer[i] ?? '');
    if (d < 0) throw new Error(`not a peer id: ${peer}`);
    v = v * 64 + d;
  }
  return Math.floor(v / 16);
}

/** The key of a content hash (64 hex digits): its first 32 bits. */
export function keyOfHash(hash: string): number {
  const k = Number.parseInt(hash.slice(0, 8), 16);
  if (!/^[0-9a-f]{8}/.test(hash) || Number.isNaN(k)) throw new Error(`not a content hash: ${hash}`);
  return k;
}

/** Clockwise distance from a to b, in [0, 2^32). */
export function distance(a: number, b: number): number {
  return (b - a + CIRCLE) % CIRCLE;
}

/** x in the open arc (a, b) going clockwise; with a == b, every x but a. */
export function inOpen(x: number, a: number, b: number): boolean {
  const d = distance(a, x);
  return d > 0 && (a === b ? true : d < distance(a, b));
}

/** x in the half-open arc (a, b]; with a == b, the whole circle. */
export function inHalfOpen(x: number, a: number, b: number): boolean {
  if (a === b) return true;
  const d = distance(a, x);
  return d > 0 && d <= distance(a, b);
}

/** The start of finger j of n among `fingers` (the top ones of the 32): n + 2^(32 - fingers + j). */
export function fingerStart(n: number, j: number, fingers: number): number {
  return (n + 2 ** (ID_BITS - fingers + j)) % CIRCLE;
}
