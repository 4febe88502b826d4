// The signaling messages of docs/protocol.md (version 1), and the shape check every server message
// passes before the rest of the library sees it.

import type { UploadPolicy } from '../transfer/upload-gate';
import type { ManifestChange } from './manifest-updates';

// The ICE part of `welcome`, and the whole of `ice` (TURN credentials renewed before they expire).
export interface IceConfig {
  ice_servers?: RTCIceServer[];
  ice_transport_policy?: RTCIceTransportPolicy;
  ice_expires?: number;
}
export interface Welcome extends IceConfig {
  type: 'welcome';
  peer: string;
  resume?: string;
  limits?: { messages_per_s?: unknown };
  /** ms from `match` (connect:true) to the DataChannel open. */
  connect_timeout?: number;
  /** ms from the channel open (or `match` with connect:false) to the first chunk. */
  first_byte_timeout?: number;
  /** The operator's upload policy (GPC, budget, hidden tabs): transfer/upload-gate.ts. */
  uploads?: UploadPolicy;
  /** The routing strategy in force (docs/routing.md); none (an older server) means the tracker. */
  routing?: { strategy?: unknown; [k: string]: unknown };
}
export interface Ice extends IceConfig {
  type: 'ice';
}
export interface Match { type: 'match' | 'push'; id: number; hash: string; peer: string; connect: boolean }
export interface Miss { type: 'miss'; id: number; hash: string; token: string; reason?: string }
export interface SignalIn { type: 'signal'; from: string; data: SignalData }
export interface Cancel { type: 'cancel'; id: number; hash?: string; peer?: string; role?: 'wanter' | 'holder'; reason?: string }
/** Ring mode: the two neighbours to keep (each a peer id, or null when alone). */
export interface RingOrder { type: 'ring'; serving?: string | null; served?: string | null }
/** Open (offer) or expect a routing connection with `peer` (ring links, Chord's connects). */
export interface Link { type: 'link'; peer: string; reason: string; offer: boolean }
export interface Penalised { type: 'penalised'; peer: string }
/** Prove possession of `hash`: answer `proof` with SHA-256(nonce bytes ‖ the stored bytes). */
export interface Challenge { type: 'challenge'; id: number; hash: string; nonce: string }
export interface ErrorMessage { type: 'error'; code: string; message?: string; ref?: unknown; id?: number; hashes?: string[]; peer?: unknown }

export type ServerMessage = Welcome | Ice | Match | Miss | SignalIn | Cancel | Penalised | Challenge | ErrorMessage | ManifestChange | RingOrder | Link;

export interface SignalData {
  sdp?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit;
}

// Required fields and their `typeof` per message type.
const SHAPES: Record<string, Record<string, string>> = {
  welcome: { peer: 'string' },
  ice: { ice_servers: 'object' },
  match: { id: 'number', hash: 'string', peer: 'string', connect: 'boolean' },
  push: { id: 'number', hash: 'string', peer: 'string', connect: 'boolean' },
  miss: { id: 'number', hash: 'string', token: 'string' },
  signal: { from: 'string', data: 'object' },
  cancel: { id: 'number' },
  penalised: { peer: 'string' },
  challenge: { id: 'number', hash: 'string', nonce: 'string' },
  error: { code: 'string' },
  manifest: { generation: 'number' },
  ring: {}, // serving and served may be null: the ring wiring checks them
  link: { peer: 'string', reason: 'string', offer: 'boolean' },
};

export function parseServerMessage(text: unknown): ServerMessage | null {
  if (typeof text !== 'string') return null;
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  const shape = m && SHAPES[m.type as string];
  if (!shape) return null;
  for (const k in shape) if (typeof m[k] !== shape[k] || m[k] === null) return null;
  return m as unknown as ServerMessage;
}
