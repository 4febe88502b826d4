import { describe, expect, it } from 'vitest';
import { sha256Hex, verifyHash } from '../../src/verify/sha256';

const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('sha256', () => {
  it('matches the FIPS 180-2 vectors as lower-case hex', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(ABC);
    expect(await sha256Hex(new Uint8Array(0))).toBe(EMPTY);
  });

  it('hashes only the view, not the whole buffer behind it', async () => {
    const big = new TextEncoder().encode('xxabcxx');
    expect(await sha256Hex(big.subarray(2, 5))).toBe(ABC);
  });

  it('accepts the right bytes and rejects altered ones', async () => {
    const data = new TextEncoder().encode('abc');
    expect(await verifyHash(data, ABC)).toBe(true);
    data[1] ^= 1;
    expect(await verifyHash(data, ABC)).toBe(false);
  });
});
