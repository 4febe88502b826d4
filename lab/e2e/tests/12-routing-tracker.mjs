// Issue 14, --routing tracker, in the WAN lab: six Chromium processes in the homes load the demo
// gallery, one leaves in the middle of another's load (lab/e2e/support/routing-crowd.mjs).
import { routingCrowd } from '../support/routing-crowd.mjs';
import { check } from '../support/harness.mjs';

export const title = '--routing tracker across NATs: six visitors, correct bytes, offload reported, one leaves mid-load';
export const timeoutMs = 420_000;

export async function run(ctx) {
  const stats = await routingCrowd(ctx, 'tracker');
  check(stats.wants > 0, 'the tracker answered no want');
}
