// The signaling messages of docs/protocol.md (version 1), and the shape check every server message
// passes before the rest of the library sees it.

export interface Welcome {
  type: 'welcome';
  peer: string;
  resume?: string;
  ice_servers?: RTCIceServer[];
  limits?: { messages_per_s?: unknown };
}
export interface Match { type: 'match' | 'push'; id: number; hash: string; peer: string; connect: boolean }
export interface Miss { type: 'miss'; id: number; hash: string; token: string; reason?: string }
export interface SignalIn { type: 'signal'; from: string; data: SignalData }
export interface Cancel { type: 'cancel'; id: number; hash?: string; peer?: string; role?: 'wanter' | 'holder'; reason?: string }
export interface Penalised { type: 'penalised'; peer: string }
export interface ErrorMessage { type: 'error'; code: string; message?: string; ref?: unknown; id?: number; hashes?: string[] }

export type ServerMessage = Welcome | Match | Miss | SignalIn | Cancel | Penalised | ErrorMessage;

export interface SignalData {
  sdp?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit;
}

// Required fields and their `typeof` per message type.
const SHAPES: Record<string, Record<string, string>> = {
  welcome: { peer: 'string' },
  match: { id: 'number', hash: 'string', peer: 'string', connect: 'boolean' },
  push: { id: 'number', hash: 'string', peer: 'string', connect: 'boolean' },
  miss: { id: 'number', hash: 'string', token: 'string' },
  signal: { from: 'string', data: 'object' },
  cancel: { id: 'number' },
  penalised: { peer: 'string' },
  error: { code: 'string' },
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
