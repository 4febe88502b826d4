// Issue 14, --routing tracker, in real browsers on loopback: six Chromium processes load the demo
// gallery, one leaves in the middle of another's load (e2e/support/routing-crowd.mjs).
import { routingCrowd } from '../support/routing-crowd.mjs';
import { check } from '../support/util.mjs';

export const title = '--routing tracker: six visitors, correct bytes, offload reported, one leaves mid-load';

export async function run(ctx) {
  const { stats } = await routingCrowd(ctx, 'tracker');
  check(stats.wants > 0, 'the tracker answered no want');
}
