// Two visitors in two homes behind symmetric NATs (a new mapping per destination): no direct
// path exists, so their connection goes through the lab's coturn (a relay candidate on at least
// one side of the selected pair, on both visitors' view), and the gallery still comes from the
// peer (>= 90 % of the second visitor's bytes), every byte verified.
import {
  check, checkHeldContent, galleryFiles, itemCount, loadGallery, log, offloadLine, openVisitor, pairText,
  peerShare, FAST_LINK, shapeHomes, startLabServer, stats, waitAnnounced, watchPairs,
} from '../support/harness.mjs';

export const title = 'symmetric <-> symmetric: relayed through coturn, gallery still from the peer';
const MIN_PEER_SHARE = 0.9;

export async function run(ctx) {
  const [ha, hb] = ctx.env.homes.filter((h) => h.nat === 'symmetric');
  await shapeHomes(ctx, [ha, hb], FAST_LINK); // an offload share needs a link SCTP does not collapse on (harness.mjs)
  const server = await startLabServer(ctx, { connectivity: true });
  const files = galleryFiles(await server.manifest());
  const items = itemCount(files);

  const first = await openVisitor(ctx, ha, { name: 'first' });
  await loadGallery(first, server.base);
  await waitAnnounced(first, server, items);

  const second = await openVisitor(ctx, hb, { name: 'second' });
  const watch = watchPairs(second);
  try {
    await loadGallery(second, server.base);
  } finally {
    await watch.stop();
  }
  const s2 = await stats(second);
  log(`  ${offloadLine('second', s2)}`);
  log(`  second's selected pair over time: ${watch.history.map((h) => `+${h.ms} ms ${h.pairs}`).join('; ')}`);
  check(s2.verifyFailures === 0 && s2.itemsVerified === items, `second: verified ${s2.itemsVerified} of ${items}, ${s2.verifyFailures} failures`);
  check(peerShare(s2) >= MIN_PEER_SHARE, `second: only ${(100 * peerShare(s2)).toFixed(1)}% from peers`);
  await checkHeldContent(second, files);

  const turnIp = ctx.env.LAB_TURN.split(':')[0];
  for (const v of [first, second]) {
    const pairs = (await v.pairs()).filter((p) => p.pair);
    log(`  ${v.name} (${v.home.name}) final: ${pairs.map(pairText).join(' | ')}`);
    check(pairs.length >= 1, `${v.name}: no selected candidate pair`);
    for (const p of pairs) {
      const { local, remote } = p.pair;
      check(local.type === 'relay' || remote.type === 'relay', `${v.name}: ${pairText(p)} has no relay candidate`);
      // a relay candidate's address is coturn's relay address
      for (const c of [local, remote]) if (c.type === 'relay' && c.address) check(c.address === turnIp, `${v.name}: relay address ${c.address} is not coturn's ${turnIp}`);
    }
  }
}
