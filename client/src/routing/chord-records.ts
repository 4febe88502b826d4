// Provider records ("peer P holds hash H") as the owner of H's key keeps them: each expires unless
// its holder publishes it again (every CHORD_REPUBLISH_MS), so records of a peer that left vanish
// by themselves, and a key range changes hands (a join, a clean leave) as one batch.
import { inHalfOpen, keyOfHash } from './ids';

export interface ProviderRecord {
  hash: string;
  peer: string;
  /** ms left to live when sent; an absolute time (the owner's clock) when stored. */
  expires: number;
}

export class RecordStore {
  private readonly _byHash = new Map<string, Map<string, number>>();

  put(hash: string, peer: string, expiresAt: number): void {
    let m = this._byHash.get(hash);
    if (!m) this._byHash.set(hash, (m = new Map()));
    m.set(peer, expiresAt);
  }

  /** Live holders of `hash`, most recently refreshed first, at most `max`. */
  get(hash: string, now: number, max: number): string[] {
    const m = this._byHash.get(hash);
    if (!m) return [];
    for (const [peer, at] of m) if (at <= now) m.delete(peer);
    if (!m.size) this._byHash.delete(hash);
    return [...m].sort((a, b) => b[1] - a[1]).slice(0, max).map(([peer]) => peer);
  }

  /** Removes and returns the records whose key is NOT in (from, to]: another peer owns them now. */
  takeOutside(from: number, to: number, now: number): ProviderRecord[] {
    const out: ProviderRecord[] = [];
    for (const [hash, m] of this._byHash) {
      if (inHalfOpen(keyOfHash(hash), from, to)) continue;
      for (const [peer, at] of m) if (at > now) out.push({ hash, peer, expires: at - now });
      this._byHash.delete(hash);
    }
    return out;
  }

  /** Every live record (a clean leave hands them all to the successor). */
  takeAll(now: number): ProviderRecord[] {
    const out: ProviderRecord[] = [];
    for (const [hash, m] of this._byHash)
      for (const [peer, at] of m) if (at > now) out.push({ hash, peer, expires: at - now });
    this._byHash.clear();
    return out;
  }

  get size(): number {
    let n = 0;
    for (const m of this._byHash.values()) n += m.size;
    return n;
  }
}
