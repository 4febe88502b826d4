// Proof of possession (protocol.md, "Possession challenges"): the server, which has every byte,
// asks for SHA-256(nonce ‖ bytes) of a hash this peer announced. The answer comes from the store;
// a hash not held (evicted since the announce) is refused explicitly rather than left to time out,
// which the server would count as a failure.
import { sha256Hex } from '../verify/sha256';
import type { Challenge } from './messages';

const NONCE = /^(?:[0-9a-f]{2}){1,64}$/;

export interface ProofMessage {
  type: 'proof';
  id: number;
  digest?: string;
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// The `proof` for a challenge, or null when the challenge is malformed (nothing to answer).
export async function answerChallenge(
  c: Challenge,
  get: (hash: string) => Promise<Uint8Array | undefined>,
): Promise<ProofMessage | null> {
  if (!Number.isSafeInteger(c.id) || c.id < 1 || !NONCE.test(c.nonce)) return null;
  let bytes: Uint8Array | undefined;
  try {
    bytes = await get(c.hash);
  } catch {
    bytes = undefined;
  }
  if (!bytes) return { type: 'proof', id: c.id };
  const nonce = fromHex(c.nonce);
  const joined = new Uint8Array(nonce.length + bytes.length);
  joined.set(nonce);
  joined.set(bytes, nonce.length);
  return { type: 'proof', id: c.id, digest: await sha256Hex(joined) };
}
