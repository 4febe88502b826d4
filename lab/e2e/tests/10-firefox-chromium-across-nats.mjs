// Firefox ESR and Chromium in two homes behind different NATs (full-cone and port-restricted)
// exchange resources both ways: each first gets its own half from the origin, then the other
// half from the other browser (>= 90 % from the peer), every byte verified. The selected pairs
// of both browsers are printed.
import {
  check, galleryFiles, itemCount, labFetch, log, offloadLine, openLab, openVisitor, pairText, peerShare,
  FAST_LINK, shapeHomes, startLabServer, stats, waitAnnounced,
} from '../support/harness.mjs';

export const title = 'Firefox ESR and Chromium across NATs exchange resources in both directions';
export const timeoutMs = 240_000;
const MIN_PEER_SHARE = 0.9;

export async function run(ctx) {
  const ffHome = ctx.env.homes.find((h) => h.nat === 'full-cone');
  const crHome = ctx.env.homes.filter((h) => h.nat === 'port-restricted').at(-1);
  await shapeHomes(ctx, [ffHome, crHome], FAST_LINK); // an offload share needs a link SCTP does not collapse on (harness.mjs)
  const server = await startLabServer(ctx, { connectivity: true });
  const files = galleryFiles(await server.manifest()).filter((f) => !f.pieces || f.pieces.length < 8);
  const firefoxSet = files.filter((_, i) => i % 2 === 0);
  const chromiumSet = files.filter((_, i) => i % 2 === 1);

  const firefox = await openVisitor(ctx, ffHome, { browser: 'firefox', name: 'firefox' });
  const chrome = await openVisitor(ctx, crHome, { name: 'chromium' });
  await openLab(firefox, server.base);
  await openLab(chrome, server.base);

  await labFetch(firefox, firefoxSet);
  await labFetch(chrome, chromiumSet);
  await waitAnnounced(firefox, server, itemCount(firefoxSet));
  await waitAnnounced(chrome, server, itemCount(chromiumSet), itemCount(firefoxSet) + itemCount(chromiumSet));
  const f0 = await stats(firefox);
  const c0 = await stats(chrome);

  await labFetch(chrome, firefoxSet);
  const c1 = await stats(chrome);
  await labFetch(firefox, chromiumSet);
  const f1 = await stats(firefox);

  const delta = (a, b) => ({ ...b, bytesFromPeers: b.bytesFromPeers - a.bytesFromPeers, bytesFromOrigin: b.bytesFromOrigin - a.bytesFromOrigin, bytesFromStore: b.bytesFromStore - a.bytesFromStore, bytesUploaded: b.bytesUploaded - a.bytesUploaded });
  const fromFirefox = delta(c0, c1);
  const fromChromium = delta(f0, f1);
  log(`  Firefox (${ffHome.name} ${ffHome.nat}) -> Chromium (${crHome.name} ${crHome.nat}): ${offloadLine('chromium', fromFirefox)}`);
  log(`  Chromium -> Firefox: ${offloadLine('firefox', fromChromium)}`);
  for (const v of [firefox, chrome]) log(`  ${v.name} pairs: ${(await v.pairs()).map(pairText).join(' | ')}`);
  check(peerShare(fromFirefox) >= MIN_PEER_SHARE, `Chromium got only ${(100 * peerShare(fromFirefox)).toFixed(1)}% from Firefox`);
  check(peerShare(fromChromium) >= MIN_PEER_SHARE, `Firefox got only ${(100 * peerShare(fromChromium)).toFixed(1)}% from Chromium`);
  check(f1.verifyFailures === 0 && c1.verifyFailures === 0, 'verification failures');
}
