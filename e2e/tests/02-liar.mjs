// A lying peer: its page alters every chunk it pushes. The receiver rejects every altered item,
// shows correct images, reports the liar, and the server stops pairing with it.
import { checkHeldContent, galleryFiles, itemCount, loadGallery, waitAnnounced } from '../support/pages.mjs';
import { check, log, offloadLine } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';
import { LIAR } from '../support/liar.mjs';

export const title = 'a lying peer is rejected, reported and no longer paired';

export async function run(ctx) {
  const server = await ctx.startServer();
  const files = galleryFiles(await server.manifest());
  const items = itemCount(files);

  const liar = await chromiumVisitor('liar', { initScript: LIAR });
  await loadGallery(liar, server.url);
  await waitAnnounced(liar, server, items);
  const liarId = await liar.page.evaluate(() => window.circlecdn.peerId);

  const receiver = await chromiumVisitor('receiver');
  await loadGallery(receiver, server.url);
  const r = await receiver.stats();
  const lies = await liar.page.evaluate(() => window.__circleLies ?? 0);
  log(`  ${offloadLine('receiver', r)}`);
  log(`  liar ${liarId} sent ${lies} altered chunks; receiver got ${r.receivedFrom[liarId] ?? 0} raw bytes from it, ` +
    `${r.verifyFailures} items failed verification, penalised: ${JSON.stringify(r.penalised)}`);
  check(r.receivedFrom[liarId] > 0, 'the liar was never asked: the test proves nothing');
  check(r.verifyFailures >= 1, 'no altered item was detected');
  check(r.bytesFromPeers === 0, `receiver accepted ${r.bytesFromPeers} bytes from peers while only the liar held content`);
  check(r.penalised.includes(liarId), 'the server did not confirm the liar was penalised');
  await checkHeldContent(receiver, files); // every image shown and stored is the manifest's
  const st = await server.stats();
  check(st.reports >= 1, `server counted ${st.reports} reports`);
  await waitAnnounced(receiver, server, items);

  // A third visitor: the honest receiver holds everything now; the liar must not be chosen.
  const third = await chromiumVisitor('third');
  await loadGallery(third, server.url);
  const t = await third.stats();
  log(`  ${offloadLine('third', t)}; raw bytes from the liar: ${t.receivedFrom[liarId] ?? 0}`);
  check(!t.receivedFrom[liarId], 'the server paired the third visitor with the penalised liar');
  check(t.verifyFailures === 0, `third visitor saw ${t.verifyFailures} verification failures`);
  check(t.bytesFromPeers > 0, 'third visitor got nothing from the honest receiver');
  await checkHeldContent(third, files);
}
