// Issue 14, --routing ring, in real browsers on loopback: six Chromium processes load the demo
// gallery, one leaves in the middle of another's load (e2e/support/routing-crowd.mjs).
import { routingCrowd } from '../support/routing-crowd.mjs';
import { check } from '../support/util.mjs';

export const title = '--routing ring: six visitors, correct bytes, offload reported, one leaves mid-load';

export async function run(ctx) {
  const { stats } = await routingCrowd(ctx, 'ring');
  // Lookups walk the ring: the library sends no `want`; the server pairs holders it found.
  check(stats.wants === 0, `the server answered ${stats.wants} wants in ring mode`);
}
