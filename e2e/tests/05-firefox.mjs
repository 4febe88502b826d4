// Firefox ESR (puppeteer-core over WebDriver BiDi) and Chromium exchange resources both ways.
import { galleryFiles, itemCount, labFetch, openLab, waitAnnounced } from '../support/pages.mjs';
import { check, log, offloadLine, peerShare } from '../support/util.mjs';
import { chromiumVisitor, firefoxVisitor } from '../support/visitors.mjs';

export const title = 'Firefox ESR and Chromium exchange resources in both directions';
const MIN_PEER_SHARE = 0.9;

export async function run(ctx) {
  const server = await ctx.startServer();
  const files = galleryFiles(await server.manifest()).filter((f) => !f.pieces || f.pieces.length < 8);
  const firefoxSet = files.filter((_, i) => i % 2 === 0); // the large file is left out: keeps the run short
  const chromiumSet = files.filter((_, i) => i % 2 === 1);

  const firefox = await firefoxVisitor('firefox');
  const chrome = await chromiumVisitor('chromium');
  await openLab(firefox, server.url);
  await openLab(chrome, server.url);

  // Each browser first gets its own half from the origin and announces it ...
  await labFetch(firefox, firefoxSet);
  await labFetch(chrome, chromiumSet);
  await waitAnnounced(firefox, server, itemCount(firefoxSet));
  await waitAnnounced(chrome, server, itemCount(chromiumSet));
  const f0 = await firefox.stats();
  const c0 = await chrome.stats();

  // ... then the other half, from the other browser.
  await labFetch(chrome, firefoxSet);
  const c1 = await chrome.stats();
  await labFetch(firefox, chromiumSet);
  const f1 = await firefox.stats();

  const delta = (a, b) => ({ ...b, bytesFromPeers: b.bytesFromPeers - a.bytesFromPeers, bytesFromOrigin: b.bytesFromOrigin - a.bytesFromOrigin, bytesFromStore: b.bytesFromStore - a.bytesFromStore, bytesUploaded: b.bytesUploaded - a.bytesUploaded });
  const fromFirefox = delta(c0, c1);
  const fromChromium = delta(f0, f1);
  log(`  Firefox -> Chromium: ${offloadLine('chromium', fromFirefox)}`);
  log(`  Chromium -> Firefox: ${offloadLine('firefox', fromChromium)}`);
  check(peerShare(fromFirefox) >= MIN_PEER_SHARE, `Chromium got only ${(100 * peerShare(fromFirefox)).toFixed(1)}% from Firefox`);
  check(peerShare(fromChromium) >= MIN_PEER_SHARE, `Firefox got only ${(100 * peerShare(fromChromium)).toFixed(1)}% from Chromium`);
  check(f1.verifyFailures === 0 && c1.verifyFailures === 0, 'verification failures');
}
