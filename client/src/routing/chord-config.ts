// Chord's periods, sizes and caps (the simulator's where it has them: docs/routing.md), the
// options a node takes to change them (tests shorten the periods), and what a lookup returns.
export const CHORD_FINGERS = 24; // the simulator's for 10^6 peers: bit_width(N) + 4
export const CHORD_SUCCESSORS = 4;
export const CHORD_STABILISE_MS = 5_000;
export const CHORD_FIX_PERIOD_MS = 120_000; // every finger once per period, one per tick
export const CHORD_REPUBLISH_MS = 600_000;
export const CHORD_RECORD_TTL_MS = 660_000; // a record outlives one republish, not two
export const CHORD_HOP_TIMEOUT_MS = 500;
export const CHORD_DEADLINE_MS = 2_000;
export const CHORD_MAX_CONNECTIONS = 12; // successors + predecessor + 7 fingers
/** How far past this peer's clock + deadline a lookup's deadline may reach (clocks differ). */
export const CHORD_CLOCK_SKEW_MS = 1_000;
/** Lookups this peer relays at once (each waits for its reply until its deadline). */
export const CHORD_MAX_ROUTES = 4_096;

export type ChordLookup =
  | { found: true; owner: string; hops: number; records: string[] }
  | { found: false; reason: 'deadline' | 'no_record'; hops: number };

export interface ChordOptions {
  fingers?: number;
  successors?: number;
  maxConnections?: number;
  stabiliseMs?: number;
  fixPeriodMs?: number;
  republishMs?: number;
  recordTtlMs?: number;
  hopTimeoutMs?: number;
  deadlineMs?: number;
}
