// Chord's messages, and their parser: what a peer sends over a DataChannel is `unknown` until it
// parses here (peer ids, hashes, integers in range, arrays under their caps); anything else is
// dropped and counted by the node before any table or timer sees it.
import type { ProviderRecord } from './chord-records';
import { keyOfHash } from './ids';
import { MAX_ID, isArrayOf, isFinite, isHash, isInt, isObject, isPeerId } from './wire';

/** Hops a lookup may take (and entries in its path): 2 log2(N) + 2 is 42 at 10^6 peers. */
export const CHORD_MAX_HOPS = 64;
/** Records one chord.handoff may carry (a larger batch goes in several): ~130 B of JSON each, so
 * a handoff stays under a routing message's 64 KiB on a DataChannel (transfer/frame.ts). */
export const CHORD_HANDOFF_MAX = 256;
export const CHORD_RECORDS_RETURNED = 8;

export type Op = 'get' | 'put' | 'find';
export type ChordMessage =
  | { t: 'chord.find'; a: number; id: number; origin: string; key: number; op: Op; hash?: string;
      hops: number; final: boolean; deadline: number; path: string[]; ttl?: number }
  | { t: 'chord.ack'; a: number }
  | { t: 'chord.reply'; id: number; origin: string; owner: string; hops: number; records: string[] }
  | { t: 'chord.ask'; q: number; what: 'pred' | 'ping' }
  | { t: 'chord.answer'; q: number; pred: string | null; succs: string[] }
  | { t: 'chord.notify' }
  | { t: 'chord.handoff'; records: ProviderRecord[] }
  | { t: 'chord.leave'; pred: string | null; succs: string[] };
export type Find = Extract<ChordMessage, { t: 'chord.find' }>;
export type Reply = Extract<ChordMessage, { t: 'chord.reply' }>;

const isPeerOrNull = (v: unknown): v is string | null => v === null || isPeerId(v);
const isRecord = (v: unknown): v is ProviderRecord =>
  isObject(v) && isHash(v.hash) && isPeerId(v.peer) && isFinite(v.expires) && v.expires > 0;

/** A Chord message off the wire (a fresh object: nothing of the sender's is kept), or null. */
export function parseChord(m: unknown, successors: number): ChordMessage | null {
  if (!isObject(m)) return null;
  switch (m.t) {
    case 'chord.find': {
      const { a, id, origin, key, op, hash, hops, final, deadline, path, ttl } = m;
      if (!isInt(a, 0, MAX_ID) || !isInt(id, 0, MAX_ID) || !isPeerId(origin) || !isInt(key, 0, 2 ** 32 - 1)) return null;
      if (op !== 'get' && op !== 'put' && op !== 'find') return null;
      if (!isInt(hops, 1, CHORD_MAX_HOPS) || typeof final !== 'boolean' || !isFinite(deadline)) return null;
      if (!isArrayOf(path, CHORD_MAX_HOPS, isPeerId) || path.length !== hops) return null;
      // A get or a put names a content hash, and its key is that hash's.
      let h: string | undefined;
      if (op === 'find') {
        if (hash !== undefined) return null;
      } else if (isHash(hash) && keyOfHash(hash) === key) h = hash;
      else return null;
      let t: number | undefined;
      if (op === 'put') {
        if (!isInt(ttl, 1, MAX_ID)) return null;
        t = ttl;
      } else if (ttl !== undefined) return null;
      return { t: 'chord.find', a, id, origin, key, op, hash: h, hops, final, deadline, path: [...path], ttl: t };
    }
    case 'chord.ack':
      return isInt(m.a, 0, MAX_ID) ? { t: 'chord.ack', a: m.a } : null;
    case 'chord.reply': {
      const { id, origin, owner, hops, records } = m;
      if (!isInt(id, 0, MAX_ID) || !isPeerId(origin) || !isPeerId(owner) || !isInt(hops, 0, CHORD_MAX_HOPS)) return null;
      if (!isArrayOf(records, CHORD_RECORDS_RETURNED, isPeerId)) return null;
      return { t: 'chord.reply', id, origin, owner, hops, records: [...records] };
    }
    case 'chord.ask':
      if (!isInt(m.q, 0, MAX_ID) || (m.what !== 'pred' && m.what !== 'ping')) return null;
      return { t: 'chord.ask', q: m.q, what: m.what };
    case 'chord.answer':
      if (!isInt(m.q, 0, MAX_ID) || !isPeerOrNull(m.pred) || !isArrayOf(m.succs, successors, isPeerId)) return null;
      return { t: 'chord.answer', q: m.q, pred: m.pred, succs: [...m.succs] };
    case 'chord.notify':
      return { t: 'chord.notify' };
    case 'chord.handoff':
      if (!isArrayOf(m.records, CHORD_HANDOFF_MAX, isRecord)) return null;
      return { t: 'chord.handoff', records: m.records.map((r) => ({ hash: r.hash, peer: r.peer, expires: r.expires })) };
    case 'chord.leave':
      if (!isPeerOrNull(m.pred) || !isArrayOf(m.succs, successors, isPeerId)) return null;
      return { t: 'chord.leave', pred: m.pred, succs: [...m.succs] };
    default:
      return null;
  }
}
