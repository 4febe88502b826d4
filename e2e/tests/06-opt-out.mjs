// An opted-out visitor (the visitor's own switch) gets everything from the origin, never joins
// the tracker, and so uploads nothing, even with a holder on line.
import { galleryFiles, itemCount, loadGallery, waitAnnounced } from '../support/pages.mjs';
import { check, log, offloadLine } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'an opted-out visitor fetches from the origin and uploads nothing';

export async function run(ctx) {
  const server = await ctx.startServer();
  const files = galleryFiles(await server.manifest());

  const holder = await chromiumVisitor('holder');
  await loadGallery(holder, server.url);
  await waitAnnounced(holder, server, itemCount(files));
  const online = (await server.stats()).peers_online;

  const out = await chromiumVisitor('opted-out', {
    initScript: () => localStorage.setItem('circlecdn-optout', '1'),
  });
  await loadGallery(out, server.url);
  const state = await out.page.evaluate(() => ({ optedOut: window.circlecdn.optedOut, peer: window.circlecdn.peerId }));
  const s = await out.stats();
  log(`  opted-out visitor: ${JSON.stringify(state)}; ${offloadLine('opted-out', s)}`);
  const fetched = files.filter((f) => out.requests.includes(f.path));
  check(state.optedOut === 'visitor' && state.peer === '', 'the visitor switch was not honoured');
  check(fetched.length === files.length, `only ${fetched.length} of ${files.length} files came from the origin`);
  check(!out.requests.includes('/.circlecdn/manifest.json'), 'an opted-out visitor read the manifest');
  check((await server.stats()).peers_online === online, 'the opted-out visitor joined the tracker');
  check(s.bytesFromPeers === 0 && s.bytesUploaded === 0, 'the opted-out visitor exchanged bytes with peers');
  check((await holder.stats()).bytesUploaded === 0, 'the holder uploaded to someone');
}
