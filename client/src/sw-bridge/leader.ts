// One mesh per visitor: the tab holding the Web Lock `circlecdn-leader` is the one whose library
// owns the peer connections and answers the service worker for every tab; the lock passes to a
// waiting tab when the leader closes (docs/client.md, "Which page answers"). Without Web Locks
// every tab leads itself.
const LOCK = 'circlecdn-leader';
let state: 'idle' | 'waiting' | 'leading' = 'idle';
const waiters: (() => void)[] = [];

export const isLeader = () => state === 'leading';

/** Runs `fn` once this tab leads: at once if it does, else when the lock comes to it. */
export function whenLeader(fn: () => void): void {
  if (state === 'leading') return fn();
  waiters.push(fn);
  if (state === 'waiting') return;
  state = 'waiting';
  const lead = () => {
    state = 'leading';
    for (const w of waiters.splice(0)) w();
  };
  const locks = typeof navigator == 'object' ? navigator.locks : undefined;
  if (!locks) return lead();
  // Held for the life of the tab: the browser releases it when the tab goes.
  void locks.request(LOCK, () => (lead(), new Promise<never>(() => {}))).catch(() => {});
}

/** Whether this tab leads within `ms` (a tab that has just opened gets the lock a moment later). */
export function leaderWithin(ms: number): Promise<boolean> {
  if (state === 'leading') return Promise.resolve(true);
  return new Promise((r) => {
    whenLeader(() => r(true));
    setTimeout(r, ms, false);
  });
}
