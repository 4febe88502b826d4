// One frame of /.circlecdn/dashboard/events (server/src/app/dashboard_data.cpp), and the rates
// the page derives from two consecutive frames.
export type Source = 'peer' | 'origin' | 'store';
export const SOURCES: Source[] = ['peer', 'origin', 'store'];

export interface Frame {
  t: number;
  peers_online: number;
  reported_bytes: Record<Source, number>;
  // Over the last 5 minutes (window_s: how far back it reaches; less for a young process).
  latency_s: Record<Source, { p50: number; p99: number; count: number; window_s: number }>;
  usage_reports: number;
  usage_clamped_bytes: number;
  origin_served_bytes: number;
  peer_transfer_bytes: number;
  pairings: number;
  wants: number;
  misses: number;
  paths_failed: Record<'connect_failed' | 'timeout' | 'closed', number>;
  verification_failures: number;
  penalties: number;
  penalised_now: number;
  generation: number;
  top_resources: { path: string; peer: number; origin: number }[];
  // With --redis only: the cluster as this process sees it (everything above is this process's).
  cluster?: {
    redis_up: boolean;
    processes: number;
    peers_online: number;
    remote_pairings: number;
    manifest_mismatch_paths: number;
  };
}

export function parseFrame(text: string): Frame | null {
  try {
    const f = JSON.parse(text) as Frame;
    return typeof f.t === 'number' && f.reported_bytes && f.paths_failed ? f : null;
  } catch {
    return null;
  }
}

export interface Rates {
  /** Share of visitors' network bytes (peer + origin) that came from peers in the interval. */
  offload: number;
  pairingsPerS: number;
}

export function rates(prev: Frame, cur: Frame): Rates {
  const s = Math.max(0.001, (cur.t - prev.t) / 1000);
  const peer = cur.reported_bytes.peer - prev.reported_bytes.peer;
  const origin = cur.reported_bytes.origin - prev.reported_bytes.origin;
  return { offload: peer + origin > 0 ? peer / (peer + origin) : 0, pairingsPerS: (cur.pairings - prev.pairings) / s };
}
