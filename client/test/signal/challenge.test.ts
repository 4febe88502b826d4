import { describe, expect, it } from 'vitest';
import { answerChallenge } from '../../src/signal/challenge';
import { parseServerMessage, type Challenge } from '../../src/signal/messages';

// Stored items generated here: the store is a map from hash to bytes. The digests were computed
// independently (Python's hashlib: sha256(bytes.fromhex(nonce) + data)), as the server's OpenSSL
// computes them.
const bytes = new Uint8Array(5000).map((_, i) => (i * 31) % 251);
const hash = '65373ec98993982941a115c7c7d7f43e5dfb0a118e80ea769c5126509f6a6806';
const proofOfBytes = 'a89e61a3da529d3f008ffd95fdf853f261994548f5de1f4a65cbcde6511b1d88';
const store = new Map([[hash, bytes]]);
const get = async (h: string) => store.get(h);
const nonce = '00ff10e2a1b2c3d4e5f60718293a4b5c';

describe('answerChallenge', () => {
  it('answers SHA-256(nonce ‖ stored bytes), as the server computes it', async () => {
    const c = parseServerMessage(JSON.stringify({ type: 'challenge', id: 7, hash, nonce })) as Challenge;
    expect(c?.type).toBe('challenge');
    const proof = await answerChallenge(c, get);
    expect(proof).toEqual({ type: 'proof', id: 7, digest: proofOfBytes });
    // The nonce matters: another nonce, another digest (no answer can be replayed).
    const other = await answerChallenge({ ...c, nonce: 'ff'.repeat(16) }, get);
    expect(other?.digest).not.toBe(proof?.digest);
  });

  it('refuses explicitly for a hash it does not hold (or a store that fails)', async () => {
    const missing = 'a'.repeat(64);
    expect(await answerChallenge({ type: 'challenge', id: 3, hash: missing, nonce }, get)).toEqual({ type: 'proof', id: 3 });
    const broken = async () => {
      throw new Error('IndexedDB gone');
    };
    expect(await answerChallenge({ type: 'challenge', id: 4, hash, nonce }, broken)).toEqual({ type: 'proof', id: 4 });
  });

  it('ignores malformed challenges', async () => {
    expect(await answerChallenge({ type: 'challenge', id: 0, hash, nonce }, get)).toBeNull();
    expect(await answerChallenge({ type: 'challenge', id: 1, hash, nonce: 'xyz' }, get)).toBeNull();
    expect(await answerChallenge({ type: 'challenge', id: 1, hash, nonce: 'abc' }, get)).toBeNull();
    expect(parseServerMessage('{"type":"challenge","id":1,"hash":"h"}')).toBeNull();
  });
});
