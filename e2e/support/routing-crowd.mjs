// The issue-14 crowd for one routing strategy (tests 14-routing-*.mjs): six visitors, each its own
// Chromium process, load the demo gallery one after another from a server run with
// `--routing <strategy>`; while the last one loads, the peer that served it most closes its
// browser; every visitor still ends with every image decoded and every byte verified against the
// manifest, the offload is reported per visitor, and the server's counters say how lookups went.
import { checkHeldContent, galleryFiles, itemCount, loadGallery, waitAnnounced } from './pages.mjs';
import { check, log, offloadLine, peerShare, step, until } from './util.mjs';
import { chromiumVisitor } from './visitors.mjs';

export const VISITORS = 6;
// After the leave, the last visitor's gallery completes within this (ms): an item's worst case is
// a lookup (2 s, and 2 s more waiting for ring links), then a matched path's connect and first-byte
// budgets (5 + 3 s), then the origin; a few items queue behind the library's 6 wants in flight.
const AFTER_LEAVE_MS = 45_000;
const SENDER_WAIT_MS = 30_000;

// Every `resource` event the library dispatches, kept in the page (the figures' time to resource).
export const RECORD_RESOURCES = () => {
  window.circleResources = [];
  const dispatch = EventTarget.prototype.dispatchEvent;
  EventTarget.prototype.dispatchEvent = function (e) {
    if (e.type === 'resource' && e instanceof CustomEvent) window.circleResources.push(e.detail);
    return dispatch.call(this, e);
  };
};

export async function routingCrowd(ctx, strategy) {
  const server = await ctx.startServer(['--routing', strategy]);
  const files = galleryFiles(await server.manifest());
  const items = itemCount(files);
  const total = files.reduce((n, f) => n + f.size, 0);
  log(`  gallery: ${files.length} files, ${items} items, ${total} bytes; ${VISITORS} Chromium processes, --routing ${strategy}`);

  const visitors = [];
  const checkLoad = async (v) => {
    const s = await v.stats();
    check(s.verifyFailures === 0, `${v.name}: ${s.verifyFailures} verification failures`);
    check(s.itemsVerified === items, `${v.name}: verified ${s.itemsVerified} of ${items} items`);
    check(s.bytesFromPeers + s.bytesFromOrigin === total, `${v.name}: fetched ${s.bytesFromPeers + s.bytesFromOrigin} of ${total} bytes`);
    check(s.routing?.strategy === strategy, `${v.name}: the library follows ${s.routing?.strategy}, not ${strategy}`);
    return s;
  };
  for (let i = 1; i < VISITORS; i++) {
    const v = await chromiumVisitor(`${strategy}-${i}`, { initScript: RECORD_RESOURCES });
    visitors.push(v);
    await loadGallery(v, server.url);
    const s = await checkLoad(v);
    log(`  ${offloadLine(v.name, s)}`);
    await waitAnnounced(v, server, items);
  }

  // The last visitor loads; once bytes reach it from peers, the peer that sent it most leaves.
  const last = await chromiumVisitor(`${strategy}-${VISITORS}`, { initScript: RECORD_RESOURCES });
  visitors.push(last);
  await last.goto(`${server.url}/index.html`);
  const ids = new Map();
  for (const v of visitors.slice(0, -1)) ids.set(await v.page.evaluate(() => window.circlecdn.peerId), v);
  // The peer that sent the last visitor most leaves; if none has sent it anything within
  // SENDER_WAIT_MS, the first visitor leaves, still in the middle of the last one's load.
  const waitUntil = Date.now() + SENDER_WAIT_MS;
  const leaverId = await step(`${last.name} gets bytes from peers`, SENDER_WAIT_MS + 10_000, () =>
    until(async () => {
      const s = await last.page.evaluate(() => window.circlecdn?.stats);
      const [top] = Object.entries(s?.receivedFrom ?? {}).sort((a, b) => b[1] - a[1]);
      if (!top && Date.now() > waitUntil) log(`  ${last.name}: no bytes from peers in ${SENDER_WAIT_MS} ms; ${strategy}-1 leaves`);
      return top ? top[0] : Date.now() > waitUntil && [...ids.keys()][0];
    }, 50),
  );
  const leaver = ids.get(leaverId);
  check(leaver, `the top sender ${leaverId} is not one of the visitors`);
  const before = await last.stats();
  check(before.bytesFromPeers + before.bytesFromOrigin + before.bytesFromStore < total, `${last.name} was done before ${leaver.name} left`);
  log(`  ${leaver.name} leaves while ${last.name} has ${before.bytesFromPeers + before.bytesFromOrigin} of ${total} bytes (${before.receivedFrom[leaverId]} raw from it)`);
  const leftAt = Date.now();
  await leaver.close();
  visitors.splice(visitors.indexOf(leaver), 1);
  await loadGallery(last, server.url, { navigate: false, ms: AFTER_LEAVE_MS });
  log(`  ${last.name} complete ${Date.now() - leftAt} ms after the leave`);
  const s = await checkLoad(last);
  log(`  ${offloadLine(last.name, s)}`);

  // Every visitor still in the crowd holds the right bytes (re-read through the library).
  for (const v of visitors) await checkHeldContent(v, files);
  const all = [];
  for (const v of visitors) all.push({ name: v.name, s: await v.stats(), res: await v.page.evaluate(() => window.circleResources) });
  const later = all.filter((a) => a.name !== `${strategy}-1`);
  const peers = later.reduce((n, a) => n + a.s.bytesFromPeers, 0);
  const fetched = later.reduce((n, a) => n + a.s.bytesFromPeers + a.s.bytesFromOrigin, 0);
  log(`  offload of visitors 2-${VISITORS}: ${(100 * peers / fetched).toFixed(1)}% of ${fetched} bytes from peers`);
  for (const a of all) {
    const r = a.s.routing;
    const hops = r.hops.length ? (r.hops.reduce((x, y) => x + y, 0) / r.hops.length).toFixed(2) : '-';
    log(`  ${a.name}: ${(100 * peerShare(a.s)).toFixed(1)}% from peers; lookups ${r.lookups}, found ${r.found}, mean hops ${hops}, misses ${JSON.stringify(r.misses)}, server messages sent ${r.serverSent} received ${r.serverReceived}`);
  }
  check(peers > 0, `no bytes came from peers with --routing ${strategy}`);
  const st = await server.stats();
  log(`  server: wants ${st.wants}, matches ${st.matches}, misses ${st.misses}, routing_connects ${st.routing_connects}, crowd_misses ${JSON.stringify(st.crowd_misses)}`);
  return { server, stats: st, all, files, total };
}
