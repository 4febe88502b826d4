// TURN refuses the credentials, between two symmetric homes: resources still arrive, from the
// origin, each after at most one failed peer attempt (support/fallback.mjs says what is asserted).
//   wrong:   the server signs with a different secret than coturn's (--turn-secret-file).
//   expired: coturn runs with its clock 2 h ahead (faketime; only coturn, the machine's clock is
//            untouched), so every username the server issues (expiry = now + --turn-ttl 3600 s)
//            has expired for it. coturn's refusal of expired REST credentials on their own is
//            the lab self-test's; the server's expiry arithmetic and renewal are unit-tested
//            (server/tests/signal/ice_servers_test.cpp, tracker_test.cpp).
import { labSpawn } from '../../support/lab.mjs';
import { originFallback } from '../support/fallback.mjs';
import { check, inLab, labCmd, log, sleep, startLabServer } from '../support/harness.mjs';

export const title = 'TURN refuses the credentials (wrong secret, expired): resources still arrive from the origin';
export const timeoutMs = 240_000;
const COTURN_READY_MS = 10_000;

export async function run(ctx) {
  const wrong = await startLabServer(ctx, { turnSecret: `not-${ctx.env.LAB_TURN_SECRET}` });
  await originFallback(ctx, wrong, 'wrong secret');
  await Promise.all(ctx.visitors.splice(0).map((v) => v.close()));
  await wrong.stop();
  ctx.servers.splice(ctx.servers.indexOf(wrong), 1);

  // coturn two hours ahead, with the lab's own configuration
  await labCmd('services', 'stop');
  ctx.cleanup(() => labCmd('services', 'start'));
  const conf = `${ctx.env.LAB_RUN}/coturn/turnserver.conf`;
  const coturn = labSpawn('pub', ['faketime', '-f', '+2h', 'turnserver', '-c', conf, '--verbose']);
  let coturnLog = '';
  coturn.stdout.on('data', (d) => (coturnLog = (coturnLog + d).slice(-200_000)));
  coturn.stderr.on('data', (d) => (coturnLog = (coturnLog + d).slice(-200_000)));
  ctx.cleanup(async () => {
    coturn.kill('SIGTERM');
    await new Promise((r) => (coturn.exitCode !== null ? r() : coturn.on('exit', r)));
  });
  const ready = Date.now() + COTURN_READY_MS;
  const [stunIp, stunPort] = ctx.env.LAB_STUN_ALT.split(':');
  const altPort = `${stunIp}:${Number(stunPort) + 1} `; // lab.sh's readiness check: the RFC 5780 port is open
  while (!(await inLab('pub', ['ss', '-lnu'])).includes(altPort)) {
    check(Date.now() < ready && coturn.exitCode === null, `coturn under faketime did not start:\n${coturnLog.slice(-3000)}`);
    await sleep(100);
  }
  const expired = await startLabServer(ctx);
  await originFallback(ctx, expired, 'expired credentials');
  // Every allocation starts with a 401 challenge (no user yet); a refused one ends with a 401
  // for the username the server issued ("<expiry>:<peer id>"), and none succeeds.
  const lines = coturnLog.split('\n');
  const refused = lines.filter((l) => /user <\d+:[^>]+>.*error 401/.test(l));
  const allocated = lines.filter((l) => /ALLOCATE processed, success/.test(l));
  log(`  coturn (clock +2 h): ${refused.length} requests refused with 401 for issued usernames, ${allocated.length} allocations` +
    `${refused.length ? '\n    ' + refused.slice(0, 2).join('\n    ') : ''}`);
  check(refused.length > 0, `coturn refused no request with an issued username:\n${lines.filter((l) => /401|ALLOCATE/.test(l)).slice(0, 10).join('\n')}`);
  check(allocated.length === 0, `coturn allocated with expired credentials:\n${allocated.slice(0, 3).join('\n')}`);
}
