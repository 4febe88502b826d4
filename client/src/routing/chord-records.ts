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

/** Records one peer keeps in all (its key range's share of a crowd's holdings, with room). */
export const CHORD_RECORDS_MAX = 65_536;
/** Records naming one holder that one peer keeps: a peer cannot fill another's table alone. */
export const CHORD_RECORDS_PER_HOLDER = 1_024;

export class RecordStore {
  private readonly _byHash = new Map<string, Map<string, number>>();
  private readonly _perHolder = new Map<string, number>();
  private _size = 0;

  constructor(
    private readonly _max = CHORD_RECORDS_MAX,
    private readonly _maxPerHolder = CHORD_RECORDS_PER_HOLDER,
  ) {}

  /** Stores or refreshes a record; false (not stored) past a cap, even after expired ones go. */
  put(hash: string, peer: string, expiresAt: number, now: number): boolean {
    let m = this._byHash.get(hash);
    if (m?.has(peer)) {
      m.set(peer, expiresAt);
      return true;
    }
    if (this._size >= this._max || (this._perHolder.get(peer) ?? 0) >= this._maxPerHolder) {
      this._sweep(now);
      if (this._size >= this._max || (this._perHolder.get(peer) ?? 0) >= this._maxPerHolder) return false;
    }
    if (!m) this._byHash.set(hash, (m = new Map()));
    m.set(peer, expiresAt);
    this._size++;
    this._perHolder.set(peer, (this._perHolder.get(peer) ?? 0) + 1);
    return true;
  }

  private _sweep(now: number): void {
    for (const [hash, m] of this._byHash) {
      for (const [peer, at] of m) if (at <= now) this._remove(m, peer);
      if (!m.size) this._byHash.delete(hash);
    }
  }

  private _remove(m: Map<string, number>, peer: string): void {
    m.delete(peer);
    this._size--;
    const n = (this._perHolder.get(peer) ?? 1) - 1;
    if (n > 0) this._perHolder.set(peer, n);
    else this._perHolder.delete(peer);
  }

  /** Live holders of `hash`, most recently refreshed first, at most `max`. */
  get(hash: string, now: number, max: number): string[] {
    const m = this._byHash.get(hash);
    if (!m) return [];
    for (const [peer, at] of m) if (at <= now) this._remove(m, peer);
    if (!m.size) this._byHash.delete(hash);
    return [...m].sort((a, b) => b[1] - a[1]).slice(0, max).map(([peer]) => peer);
  }

  /** Removes and returns the records whose key is NOT in (from, to]: another peer owns them now. */
  takeOutside(from: number, to: number, now: number): ProviderRecord[] {
    const out: ProviderRecord[] = [];
    for (const [hash, m] of this._byHash) {
      if (inHalfOpen(keyOfHash(hash), from, to)) continue;
      for (const [peer, at] of m) {
        if (at > now) out.push({ hash, peer, expires: at - now });
        this._remove(m, peer);
      }
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
    this._perHolder.clear();
    this._size = 0;
    return out;
  }

  get size(): number {
    return this._size;
  }
}
