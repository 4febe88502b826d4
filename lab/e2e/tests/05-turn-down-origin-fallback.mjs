// coturn stopped (no STUN, no TURN), between two symmetric homes: resources still arrive, from
// the origin, each after at most one failed peer attempt (support/fallback.mjs says what is
// asserted). coturn is started again afterwards, whatever happens.
import { originFallback } from '../support/fallback.mjs';
import { labCmd, startLabServer } from '../support/harness.mjs';

export const title = 'coturn stopped: resources still arrive from the origin';

export async function run(ctx) {
  const server = await startLabServer(ctx);
  await labCmd('services', 'stop');
  ctx.cleanup(() => labCmd('services', 'start'));
  await originFallback(ctx, server, 'coturn stopped');
}
