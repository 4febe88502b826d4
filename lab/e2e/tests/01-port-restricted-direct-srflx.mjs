// Two Chromium visitors in two homes behind port-restricted NATs: the second gets the gallery
// from the first (>= 90 % of its bytes from peers, every byte verified), and the candidate pair
// their connection settles on (getStats) is srflx <-> srflx: STUN was enough, no relay.
// Chromium may select a relay pair first and move to the direct one once its checks succeed
// (lab recipe, pitfall 3), so the pairs are watched during the transfer and read after it; the
// history is printed.
import {
  check, checkHeldContent, galleryFiles, itemCount, loadGallery, log, offloadLine, openVisitor, pairText,
  peerShare, FAST_LINK, shapeHomes, sleep, startLabServer, stats, totalBytes, waitAnnounced, watchPairs,
} from '../support/harness.mjs';

export const title = 'port-restricted <-> port-restricted: gallery from a peer over a srflx <-> srflx pair';
const MIN_PEER_SHARE = 0.9;
const SETTLE_MS = 15_000; // after the transfer: time for Chromium to move off a first relay pair

export async function run(ctx) {
  const [ha, hb] = ctx.env.homes.filter((h) => h.nat === 'port-restricted');
  await shapeHomes(ctx, [ha, hb], FAST_LINK); // an offload share needs a link SCTP does not collapse on (harness.mjs)
  const server = await startLabServer(ctx, { connectivity: true });
  const files = galleryFiles(await server.manifest());
  const items = itemCount(files);

  const first = await openVisitor(ctx, ha, { name: 'first' });
  await loadGallery(first, server.base);
  const s1 = await stats(first);
  log(`  ${offloadLine('first', s1)}`);
  check(s1.bytesFromPeers === 0 && s1.bytesFromOrigin === totalBytes(files), `the first visitor had no one to get bytes from (peers ${s1.bytesFromPeers} B, origin ${s1.bytesFromOrigin} of ${totalBytes(files)} B)`);
  await waitAnnounced(first, server, items);

  const second = await openVisitor(ctx, hb, { name: 'second' });
  const watchA = watchPairs(first);
  const watchB = watchPairs(second);
  try {
    await loadGallery(second, server.base);
  } finally {
    // read after the transfer: give a first relay selection time to move to the direct pair
    const until = Date.now() + SETTLE_MS;
    while (Date.now() < until) {
      const p = await second.pairs();
      if (p.length && p.every((x) => x.pair?.local.type === 'srflx' && x.pair?.remote.type === 'srflx')) break;
      await sleep(500);
    }
    await watchA.stop();
    await watchB.stop();
  }
  const s2 = await stats(second);
  log(`  ${offloadLine('second', s2)}`);
  for (const [name, w] of [['first', watchA], ['second', watchB]])
    log(`  ${name}'s selected pair over time: ${w.history.map((h) => `+${h.ms} ms ${h.pairs}`).join('; ')}`);

  check(s2.verifyFailures === 0, `second: ${s2.verifyFailures} verification failures`);
  check(s2.itemsVerified === items, `second: verified ${s2.itemsVerified} of ${items} items`);
  check(peerShare(s2) >= MIN_PEER_SHARE, `second: only ${(100 * peerShare(s2)).toFixed(1)}% from peers`);
  await checkHeldContent(second, files);

  for (const [v, other] of [[first, second], [second, first]]) {
    const pairs = (await v.pairs()).filter((p) => p.pair);
    log(`  ${v.name} (${v.home.name}, public ${v.home.publicIp}) final: ${pairs.map(pairText).join(' | ')}`);
    check(pairs.length >= 1, `${v.name}: no selected candidate pair`);
    for (const p of pairs) {
      check(p.pair.local.type === 'srflx' && p.pair.remote.type === 'srflx',
        `${v.name}: selected pair is ${pairText(p)}, not srflx <-> srflx`);
      // the remote srflx address is the other home's public address: a direct path between homes
      check(p.pair.remote.address === other.home.publicIp,
        `${v.name}: remote ${p.pair.remote.address} is not ${other.name}'s public address ${other.home.publicIp}`);
    }
  }
}
