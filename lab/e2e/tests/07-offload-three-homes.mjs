// The offload case of the loopback suite, across NATs: three Chromium visitors in three homes of
// three kinds (port-restricted, full-cone, symmetric) load the gallery one after another; the
// second and third get >= 90 % of their bytes from peers, every image decodes, every item is
// verified and every held file matches the manifest. The pairs each connection used are printed.
import {
  check, checkHeldContent, galleryFiles, itemCount, loadGallery, log, offloadLine, openVisitor, pairText,
  peerShare, FAST_LINK, shapeHomes, startLabServer, stats, totalBytes, waitAnnounced,
} from '../support/harness.mjs';

export const title = 'offload across three homes: visitors 2 and 3 get >= 90% of their bytes from peers';
const MIN_PEER_SHARE = 0.9;

export async function run(ctx) {
  const kinds = ['port-restricted', 'full-cone', 'symmetric'];
  const homes = kinds.map((k) => ctx.env.homes.find((h) => h.nat === k));
  await shapeHomes(ctx, homes, FAST_LINK); // an offload share needs a link SCTP does not collapse on (harness.mjs)
  const server = await startLabServer(ctx, { connectivity: true });
  const files = galleryFiles(await server.manifest());
  const items = itemCount(files);
  const total = totalBytes(files);
  log(`  gallery: ${files.length} files, ${items} items, ${total} bytes`);

  const visitors = [];
  for (const [i, home] of homes.entries()) {
    const name = `visitor-${i + 1}`;
    const v = await openVisitor(ctx, home, { name });
    visitors.push(v);
    await loadGallery(v, server.base);
    const s = await stats(v);
    log(`  ${offloadLine(`${name} (${home.name} ${home.nat})`, s)}`);
    check(s.verifyFailures === 0, `${name}: ${s.verifyFailures} verification failures`);
    check(s.itemsVerified === items, `${name}: verified ${s.itemsVerified} of ${items} items`);
    check(s.bytesFromPeers + s.bytesFromOrigin === total, `${name}: fetched ${s.bytesFromPeers + s.bytesFromOrigin} of ${total} bytes`);
    if (i === 0) check(s.bytesFromPeers === 0, 'visitor-1 had no one to get bytes from');
    else check(peerShare(s) >= MIN_PEER_SHARE, `${name}: only ${(100 * peerShare(s)).toFixed(1)}% from peers`);
    await checkHeldContent(v, files);
    await waitAnnounced(v, server, items, items * (i + 1));
  }
  for (const v of visitors) log(`  ${v.name} (${v.home.nat}) pairs: ${(await v.pairs()).map(pairText).join(' | ')}`);
  const st = await server.stats();
  log(`  server: wants ${st.wants}, matches ${st.matches}, misses ${st.misses}, paths failed ` +
    `${st.paths_failed_connect}/${st.paths_failed_timeout}/${st.paths_failed_closed} (connect/timeout/closed)`);
}
