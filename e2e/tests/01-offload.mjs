// Visitor 1 loads the gallery (all from the origin); visitors 2 and 3 then load it and get at least
// 90% of their bytes from peers, every image decodes, every item verified.
import { checkHeldContent, galleryFiles, itemCount, loadGallery, waitAnnounced } from '../support/pages.mjs';
import { check, log, offloadLine, peerShare } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'offload: visitors 2 and 3 get >= 90% of their bytes from peers';
const MIN_PEER_SHARE = 0.9;

export async function run(ctx) {
  const server = await ctx.startServer();
  const files = galleryFiles(await server.manifest());
  const items = itemCount(files);
  const total = files.reduce((n, f) => n + f.size, 0);
  log(`  gallery: ${files.length} files, ${items} items, ${total} bytes`);

  const visitors = [];
  for (const name of ['visitor-1', 'visitor-2', 'visitor-3']) {
    const v = await chromiumVisitor(name);
    visitors.push(v);
    const images = await loadGallery(v, server.url);
    const s = await v.stats();
    log(`  ${offloadLine(name, s)}; ${images} images decoded`);
    check(s.verifyFailures === 0, `${name}: ${s.verifyFailures} verification failures`);
    check(s.itemsVerified === items, `${name}: verified ${s.itemsVerified} of ${items} items`);
    check(s.bytesFromPeers + s.bytesFromOrigin === total, `${name}: fetched ${s.bytesFromPeers + s.bytesFromOrigin} of ${total} bytes`);
    if (name === 'visitor-1') check(s.bytesFromPeers === 0, 'visitor-1 had no one to get bytes from');
    else check(peerShare(s) >= MIN_PEER_SHARE, `${name}: only ${(100 * peerShare(s)).toFixed(1)}% from peers`);
    await checkHeldContent(v, files);
    await waitAnnounced(v, server, items);
  }
  for (const v of visitors) log(`  final ${offloadLine(v.name, await v.stats())}`);
  const st = await server.stats();
  log(`  server: wants ${st.wants}, matches ${st.matches}, misses ${st.misses}, miss tokens valid ${st.miss_tokens_valid}, http requests ${st.http_requests}`);
}
