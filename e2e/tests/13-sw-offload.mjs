// Service worker mode, test 1 of issue 12 (without the video): a page with no CircleCDN markup
// beyond the script tag. Visitor 1's first visit loads it plainly while the worker installs, then
// fetches what it loaded once more through the library and announces it. Visitor 2 (Chromium) and
// visitor 3 (Firefox ESR), each on a later page of their visit (controlled by the worker), get at
// least 95 % of the page's bytes from peers, and everything renders: srcset and lazy images, the
// CSS background, the @font-face font, the script.
import { waitAnnounced } from '../support/pages.mjs';
import { loadSwPage, openControlled, PAGE_FILES, RECORD_EVENTS, resourcesCarried, writeSwSite } from '../support/sw-site.mjs';
import { check, log, offloadLine, size } from '../support/util.mjs';
import { chromiumVisitor, firefoxVisitor } from '../support/visitors.mjs';

export const title = 'service worker mode: a page with only the script tag is carried by peers (Chromium, Firefox)';

export async function run(ctx) {
  writeSwSite(ctx.root);
  const server = await ctx.startServer();
  const manifest = await server.manifest();
  const files = PAGE_FILES.map((p) => manifest.files.find((f) => f.path === p));
  check(files.every(Boolean), `the manifest lacks some of ${PAGE_FILES.join(', ')}`);
  const total = files.reduce((n, f) => n + f.size, 0);
  const items = files.reduce((n, f) => n + (f.pieces ? f.pieces.length : 1), 0);
  log(`  the page's files: ${files.length}, ${size(total)}, ${items} items`);

  // Visitor 1, first visit: plain loading, then the worker claims the page and the library warms up.
  const v1 = await chromiumVisitor('v1', { initScript: RECORD_EVENTS });
  await loadSwPage(v1, server.url);
  await waitAnnounced(v1, server, items, 60_000);
  log(`  ${offloadLine('v1 (first visit)', await v1.stats())}`);

  for (const [name, launch] of [['v2', chromiumVisitor], ['v3', firefoxVisitor]]) {
    const v = await launch(name, { initScript: RECORD_EVENTS });
    await openControlled(v, server.url); // a first page of the visit installs the worker
    const r = await loadSwPage(v, server.url);
    check(r.controlled, `${name}: the page was not controlled by the worker`);
    const carried = await resourcesCarried(v, PAGE_FILES);
    let fromPeers = 0;
    for (const f of files) {
      const e = carried.get(f.path);
      fromPeers += e.fromPeers;
      check(e.bytes === f.size, `${name}: ${f.path} carried ${e.bytes} of ${f.size} bytes`);
    }
    const s = await v.stats();
    log(`  ${offloadLine(name, s)}; the page's files from peers: ${size(fromPeers)} of ${size(total)}`);
    check(s.verifyFailures === 0, `${name}: ${s.verifyFailures} verification failures`);
    check(fromPeers >= 0.95 * total, `${name}: only ${((100 * fromPeers) / total).toFixed(1)} % of the page's bytes came from peers`);
    await v.close();
  }
}
