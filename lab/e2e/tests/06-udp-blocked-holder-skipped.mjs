// A holder whose home drops all UDP (a firewall rule added in its router for this test, removed
// after), on a site that offers STUN and TURN over UDP only (TURN over TCP would reach it: see
// lab/README.md): it can reach no one. Wanters get their resources from another holder or the
// origin, verified, and the holder stops being chosen, as the server's rules guarantee
// (docs/protocol.md, "Failed peer paths"):
//   - per wanter: after its first failed path with that holder it is never matched with it again
//     (asserted from the `match` and `done` messages the page recorded);
//   - globally: once two wanters have failed with it (3 failures or more, none successful), the
//     server counts it unreachable (stats holders_unreachable) and a third wanter is never
//     matched with it.
import {
  check, FAST_LINK, inLab, itemCount, labFetch, log, offloadLine, openLab, openVisitor, peerId, record, shapeHomes, startLabServer, stats,
  waitAnnounced, wantsOf,
} from '../support/harness.mjs';

export const title = 'a holder behind a UDP-dropping firewall is skipped: content from another holder or the origin';
export const timeoutMs = 240_000;
const RULE = ['FORWARD', '-p', 'udp', '-j', 'DROP'];

export async function run(ctx) {
  const homes = ctx.env.homes;
  const byName = (n) => homes.find((h) => h.name === n);
  const [blockedHome, goodHome, w1Home] = homes.filter((h) => h.nat === 'port-restricted');
  const [w2Home] = homes.filter((h) => h.nat === 'full-cone');
  const w3Home = homes.filter((h) => h.nat === 'full-cone')[1] ?? byName('h8');
  // Fast links: a reachable holder's path must not fail for a reason of its own (harness.mjs)
  await shapeHomes(ctx, [...new Set([blockedHome, goodHome, w1Home, w2Home, w3Home])], FAST_LINK);
  const server = await startLabServer(ctx, { turnTransports: ['udp'] });
  const files = (await server.manifest()).files.filter((f) => f.path.startsWith('/img/'));
  const items = itemCount(files);

  // The good holder gets the files from the origin, the soon-blocked one from it: the blocked
  // holder starts with no pairing outcomes as a holder.
  const good = await openVisitor(ctx, goodHome, { name: 'good-holder' });
  await openLab(good, server.base);
  await labFetch(good, files);
  await waitAnnounced(good, server, items);
  const blocked = await openVisitor(ctx, blockedHome, { name: 'blocked-holder' });
  await openLab(blocked, server.base);
  await labFetch(blocked, files);
  await waitAnnounced(blocked, server, items, 2 * items);
  const blockedId = await peerId(blocked);
  const goodId = await peerId(good);

  const router = `r${blockedHome.name.slice(1)}`;
  await inLab(router, ['iptables-nft', '-w', '-I', ...RULE]);
  ctx.cleanup(() => inLab(router, ['iptables-nft', '-w', '-D', ...RULE]));
  log(`  ${router}: all UDP to and from ${blockedHome.name} dropped (iptables-nft -I ${RULE.join(' ')})`);

  const failedWith = {}; // wanter -> failed paths with the blocked holder
  const wanter = async (home, name) => {
    const before = await server.stats();
    const v = await openVisitor(ctx, home, { name });
    await openLab(v, server.base);
    await labFetch(v, files); // sizes and SHA-256 against the manifest
    const s = await stats(v);
    const wants = wantsOf(await record(v));
    const st = await server.stats();
    const withBlocked = wants.filter((w) => w.peer === blockedId);
    const failed = wants.filter((w) => w.end?.kind === 'done' && w.end.ok === false);
    failedWith[name] = failed.filter((w) => w.peer === blockedId).length;
    log(`  ${offloadLine(name, s)}`);
    log(`  ${name}: ${wants.length} wants; matched with the blocked holder ${withBlocked.length}, with the good one ` +
      `${wants.filter((w) => w.peer === goodId).length}; failed ${failed.length} ` +
      `(${[...new Set(failed.map((w) => w.end.reason))].join(', ') || '-'}); server: paths_failed_connect ` +
      `+${st.paths_failed_connect - before.paths_failed_connect}, holders_unreachable now ${st.holders_unreachable}`);
    check(s.verifyFailures === 0, `${name}: ${s.verifyFailures} verification failures`);
    check(failed.every((w) => w.peer === blockedId), `${name}: a path with a reachable holder failed: ${JSON.stringify(failed.filter((w) => w.peer !== blockedId))}`);
    const firstFail = failed.length ? Math.min(...failed.map((w) => w.end.t)) : Infinity;
    const rematched = withBlocked.filter((w) => w.matchT > firstFail);
    check(rematched.length === 0, `${name}: matched with the blocked holder again after its failed path (${rematched.length} times)`);
    await v.close();
    return { withBlocked, failed };
  };

  const a = await wanter(w1Home, 'wanter-1');
  const b = await wanter(w2Home, 'wanter-2');
  const st = await server.stats();
  const failures = failedWith['wanter-1'] + failedWith['wanter-2'];
  check(a.withBlocked.length + b.withBlocked.length > 0, 'no wanter was matched with the blocked holder: the test proves nothing');
  log(`  failed paths with the blocked holder: wanter-1 ${failedWith['wanter-1']}, wanter-2 ${failedWith['wanter-2']}; ` +
    `server holders_unreachable ${st.holders_unreachable}, paths_failed_connect ${st.paths_failed_connect}`);
  if (failedWith['wanter-1'] >= 1 && failedWith['wanter-2'] >= 1 && failures >= 3) {
    check(st.holders_unreachable >= 1, `3+ failures from 2 wanters and no success, yet holders_unreachable = ${st.holders_unreachable}`);
    const c = await wanter(w3Home, 'wanter-3');
    check(c.withBlocked.length === 0, `wanter-3 was matched ${c.withBlocked.length} times with the holder the server found unreachable`);
  } else {
    log('  the unreachable rule was not exercised this run (it needs failures from two wanters); per-wanter exclusion held');
  }
}
