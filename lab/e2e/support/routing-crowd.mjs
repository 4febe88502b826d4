// Issue 14 in the WAN lab, one routing strategy per test (tests 12-routing-*.mjs): six Chromium
// processes in the lab's homes (behind their NATs, default WebRTC settings, STUN and TURN) load
// the demo gallery one after another from a server run with `--routing <strategy>`; while the
// last one loads, the peer that sent it most closes its browser; every visitor still ends with
// every image decoded and every byte verified against the manifest, the offload is reported, and
// the server's counters say how the lookups went. The loopback twin: e2e/support/routing-crowd.mjs.
import {
  check, checkHeldContent, galleryFiles, itemCount, loadGallery, log, offloadLine, openVisitor, peerId, peerShare,
  FAST_LINK, shapeHomes, startLabServer, stats, timed, totalBytes, waitAnnounced,
} from './harness.mjs';

export const VISITORS = 6;
// After the leave the last visitor's gallery completes within this (ms): an item's worst case is a
// lookup (2 s, and up to 2 s more waiting for ring links), a matched path's connect and first-byte
// budgets (5 + 10 s here, connectivity), then the origin; items queue behind 6 wants in flight.
const AFTER_LEAVE_MS = 90_000;
const SENDER_WAIT_MS = 30_000;

export async function routingCrowd(ctx, strategy) {
  const homes = ctx.env.homes;
  await shapeHomes(ctx, homes, FAST_LINK); // an offload figure needs links SCTP does not collapse on
  const server = await startLabServer(ctx, { connectivity: true, args: ['--routing', strategy] });
  const files = galleryFiles(await server.manifest());
  const items = itemCount(files);
  const total = totalBytes(files);
  log(`  gallery: ${files.length} files, ${items} items, ${total} bytes; ${VISITORS} Chromium processes in ${homes.length} homes, --routing ${strategy}`);
  const checkLoad = async (v) => {
    const s = await stats(v);
    check(s.verifyFailures === 0, `${v.name}: ${s.verifyFailures} verification failures`);
    check(s.itemsVerified === items, `${v.name}: verified ${s.itemsVerified} of ${items} items`);
    check(s.bytesFromPeers + s.bytesFromOrigin === total, `${v.name}: fetched ${s.bytesFromPeers + s.bytesFromOrigin} of ${total} bytes`);
    check(s.routing?.strategy === strategy, `${v.name}: the library follows ${s.routing?.strategy}, not ${strategy}`);
    log(`  ${offloadLine(`${v.name} (${v.home.nat})`, s)}`);
    return s;
  };
  const visitors = [];
  const ids = new Map();
  for (let i = 1; i < VISITORS; i++) {
    const v = await openVisitor(ctx, homes[(i - 1) % homes.length], { name: `${strategy}-${i}` });
    visitors.push(v);
    await loadGallery(v, server.base);
    await checkLoad(v);
    await waitAnnounced(v, server, items);
    ids.set(await peerId(v), v);
  }

  const last = await openVisitor(ctx, homes[(VISITORS - 1) % homes.length], { name: `${strategy}-${VISITORS}` });
  visitors.push(last);
  await timed(`${last.name} opens the gallery`, () => last.goto(`${server.base}/index.html`, 30_000));
  // The peer that sent the last visitor most leaves; if none has sent it anything within
  // SENDER_WAIT_MS (Chord in the lab: its lookups may all end at the origin), the first visitor
  // leaves, still in the middle of the last one's load.
  const leaverId = await timed(`${last.name} gets bytes from peers`, async () => {
    const until = Date.now() + SENDER_WAIT_MS;
    for (;;) {
      const r = await last.eval('JSON.stringify(window.circlecdn?.stats?.receivedFrom ?? {})', 10_000);
      const [top] = Object.entries(JSON.parse(r)).sort((a, b) => b[1] - a[1]);
      if (top) return top[0];
      if (Date.now() > until) {
        log(`  ${last.name}: no bytes from peers in ${SENDER_WAIT_MS} ms; ${strategy}-1 leaves`);
        return [...ids.keys()][0];
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  });
  const leaver = ids.get(leaverId);
  check(leaver, `the top sender ${leaverId} is not one of the visitors`);
  const before = await stats(last);
  check(before.bytesFromPeers + before.bytesFromOrigin < total, `${last.name} was done before ${leaver.name} left`);
  log(`  ${leaver.name} leaves while ${last.name} has ${before.bytesFromPeers + before.bytesFromOrigin} of ${total} bytes`);
  const leftAt = Date.now();
  await leaver.close();
  visitors.splice(visitors.indexOf(leaver), 1);
  const rest = await timed(`${last.name} completes after the leave`, () =>
    last.eval(`(async () => {
      await window.circleLoaded;
      return Promise.all([...document.images].map(async (img) => { try { await img.decode(); } catch {} return img.naturalWidth; }));
    })()`, AFTER_LEAVE_MS));
  check(rest.every((w) => w > 0), `${last.name}: an image did not decode`);
  log(`  ${last.name} complete ${Date.now() - leftAt} ms after the leave`);
  await checkLoad(last);

  for (const v of visitors) await checkHeldContent(v, files);
  let peers = 0;
  let fetched = 0;
  for (const v of visitors) {
    const s = await stats(v);
    const r = s.routing;
    if (v.name !== `${strategy}-1`) (peers += s.bytesFromPeers), (fetched += s.bytesFromPeers + s.bytesFromOrigin);
    const hops = r.hops.length ? (r.hops.reduce((x, y) => x + y, 0) / r.hops.length).toFixed(2) : '-';
    log(`  ${v.name}: ${(100 * peerShare(s)).toFixed(1)}% from peers; lookups ${r.lookups}, found ${r.found}, mean hops ${hops}, misses ${JSON.stringify(r.misses)}, server messages ${r.serverSent} sent, ${r.serverReceived} received`);
  }
  log(`  offload of visitors 2-${VISITORS}: ${(100 * peers / fetched).toFixed(1)}% of ${fetched} bytes from peers`);
  check(peers > 0, `no bytes came from peers with --routing ${strategy}`);
  const st = await server.stats();
  log(`  server: wants ${st.wants}, matches ${st.matches}, misses ${st.misses}, routing_connects ${st.routing_connects}, crowd_misses ${JSON.stringify(st.crowd_misses)}`);
  return st;
}
