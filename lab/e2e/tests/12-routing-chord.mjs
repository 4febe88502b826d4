// Issue 14, --routing chord, in the WAN lab: six Chromium processes in the homes load the demo
// gallery, one leaves in the middle of another's load (lab/e2e/support/routing-crowd.mjs).
import { routingCrowd } from '../support/routing-crowd.mjs';
import { check } from '../support/harness.mjs';

export const title = '--routing chord across NATs: six visitors, correct bytes, offload reported, one leaves mid-load';
export const timeoutMs = 420_000;

export async function run(ctx) {
  const stats = await routingCrowd(ctx, 'chord');
  // The lookups did not go through the server's directory: no `want`, but routing connections.
  check(stats.wants === 0, `the server answered ${stats.wants} wants in chord mode`);
  check(stats.routing_connects > 0, 'no routing connection was brokered');
}
