// The liar case of the loopback suite, across NATs: a visitor whose page alters every chunk it
// pushes (test-only init script, as e2e/tests/02-liar.mjs). The receiver rejects every altered
// item, shows correct images, reports the liar, the server penalises it, and a third visitor is
// never paired with it.
import {
  check, checkHeldContent, galleryFiles, itemCount, loadGallery, log, offloadLine, openVisitor, peerId,
  scriptFile, startLabServer, stats, waitAnnounced,
} from '../support/harness.mjs';
import { LIAR } from '../../../e2e/support/liar.mjs';

export const title = 'a lying peer across NATs is rejected, reported and no longer paired';

export async function run(ctx) {
  const [liarHome, receiverHome] = ctx.env.homes.filter((h) => h.nat === 'port-restricted');
  const thirdHome = ctx.env.homes.find((h) => h.nat === 'full-cone');
  const server = await startLabServer(ctx);
  const files = galleryFiles(await server.manifest());
  const items = itemCount(files);

  const liar = await openVisitor(ctx, liarHome, { name: 'liar', initScripts: [scriptFile(ctx, 'liar', LIAR)] });
  await loadGallery(liar, server.base);
  await waitAnnounced(liar, server, items);
  const liarId = await peerId(liar);

  const receiver = await openVisitor(ctx, receiverHome, { name: 'receiver' });
  await loadGallery(receiver, server.base);
  const r = await stats(receiver);
  const lies = await liar.eval('window.__circleLies ?? 0');
  log(`  ${offloadLine('receiver', r)}`);
  log(`  liar ${liarId} sent ${lies} altered chunks; receiver got ${r.receivedFrom[liarId] ?? 0} raw bytes from it, ` +
    `${r.verifyFailures} items failed verification, penalised: ${JSON.stringify(r.penalised)}`);
  check(r.receivedFrom[liarId] > 0, 'the liar was never asked: the test proves nothing');
  check(r.verifyFailures >= 1, 'no altered item was detected');
  check(r.bytesFromPeers === 0, `receiver accepted ${r.bytesFromPeers} bytes from peers while only the liar held content`);
  check(r.penalised.includes(liarId), 'the server did not confirm the liar was penalised');
  await checkHeldContent(receiver, files);
  const st = await server.stats();
  check(st.reports >= 1, `server counted ${st.reports} reports`);
  await waitAnnounced(receiver, server, items);

  const third = await openVisitor(ctx, thirdHome, { name: 'third' });
  await loadGallery(third, server.base);
  const t = await stats(third);
  log(`  ${offloadLine('third', t)}; raw bytes from the liar: ${t.receivedFrom[liarId] ?? 0}`);
  check(!t.receivedFrom[liarId], 'the server paired the third visitor with the penalised liar');
  check(t.verifyFailures === 0, `third visitor saw ${t.verifyFailures} verification failures`);
  check(t.bytesFromPeers > 0, 'third visitor got nothing from the honest receiver');
  await checkHeldContent(third, files);
}
