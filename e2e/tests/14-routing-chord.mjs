// Issue 14, --routing chord, in real browsers on loopback: six Chromium processes load the demo
// gallery, one leaves in the middle of another's load (e2e/support/routing-crowd.mjs).
import { routingCrowd } from '../support/routing-crowd.mjs';
import { check } from '../support/util.mjs';

export const title = '--routing chord: six visitors, correct bytes, offload reported, one leaves mid-load';

export async function run(ctx) {
  const { stats } = await routingCrowd(ctx, 'chord');
  // The lookups did not go through the server's directory: no `want`, but routing connections.
  check(stats.wants === 0, `the server answered ${stats.wants} wants in chord mode`);
  check(stats.routing_connects > 0, 'no routing connection was brokered');
}
