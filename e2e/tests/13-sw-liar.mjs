// Service worker mode, test 2 of issue 12: the only holder lies. The receiver's worker still
// serves every resource (the library rejects the altered pieces and takes them from the origin),
// no wrong byte reaches the page, and the liar is reported and penalised. And a page that never
// answers its worker: the worker goes to the network after its deadline, and the page renders.
import { waitAnnounced } from '../support/pages.mjs';
import { loadSwPage, openControlled, PAGE_FILES, RECORD_EVENTS, resourcesCarried, writeSwSite } from '../support/sw-site.mjs';
import { check, log, offloadLine } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';
import { LIAR } from '../support/liar.mjs';

export const title = 'service worker mode: a lying holder costs time, never a wrong byte; a silent page, the network';

// A page whose library never hears its worker: its message listeners are dropped.
const MUTE = () => {
  const add = ServiceWorkerContainer.prototype.addEventListener;
  ServiceWorkerContainer.prototype.addEventListener = function (type, ...rest) {
    if (type !== 'message') return add.call(this, type, ...rest);
  };
};

// Every page file fetched again through the worker and hashed in the page.
async function hashesThroughWorker(v, files) {
  return v.evaluate('hashes every file fetched through its worker', 60_000, async (files) => {
    const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const bad = [];
    for (const f of files) {
      const buf = await (await fetch(f.path)).arrayBuffer();
      if (hex(await crypto.subtle.digest('SHA-256', buf)) !== f.sha256) bad.push(f.path);
    }
    return bad;
  }, files.map((f) => ({ path: f.path, sha256: f.sha256 })));
}

export async function run(ctx) {
  writeSwSite(ctx.root);
  const server = await ctx.startServer();
  const manifest = await server.manifest();
  const files = PAGE_FILES.map((p) => manifest.files.find((f) => f.path === p));
  const items = files.reduce((n, f) => n + (f.pieces ? f.pieces.length : 1), 0);

  const liar = await chromiumVisitor('liar', { initScript: LIAR });
  await loadSwPage(liar, server.url);
  await waitAnnounced(liar, server, items, 60_000);
  const liarId = await liar.page.evaluate(() => window.circlecdn.peerId);

  const receiver = await chromiumVisitor('receiver', { initScript: RECORD_EVENTS });
  await openControlled(receiver, server.url);
  const r = await loadSwPage(receiver, server.url);
  check(r.controlled, 'receiver: the page was not controlled by the worker');
  const carried = await resourcesCarried(receiver, PAGE_FILES, 60_000);
  const s = await receiver.stats();
  log(`  ${offloadLine('receiver', s)}; raw bytes from the liar ${s.receivedFrom[liarId] ?? 0}, ` +
    `${s.verifyFailures} items failed verification, penalised ${JSON.stringify(s.penalised)}`);
  check(s.receivedFrom[liarId] > 0, 'the liar was never asked: the test proves nothing');
  check(s.verifyFailures >= 1, 'no altered item was detected');
  check(s.bytesFromPeers === 0, `the receiver accepted ${s.bytesFromPeers} bytes from the liar`);
  check([...carried.values()].every((e) => e.fromPeers === 0), 'a resource counted bytes from peers');
  check(s.penalised.includes(liarId), 'the server did not confirm the liar was penalised');
  const bad = await hashesThroughWorker(receiver, files);
  check(bad.length === 0, `wrong bytes through the worker: ${bad.join(', ')}`);
  check((await server.stats()).reports >= 1, 'the server counted no report');

  // A page that never answers: every resource from the network after the worker's deadline.
  const mute = await chromiumVisitor('mute', { initScript: MUTE });
  await openControlled(mute, server.url);
  const m = await loadSwPage(mute, server.url);
  check(m.controlled, 'mute: the page was not controlled by the worker');
  const stats = await mute.stats();
  log(`  ${offloadLine('mute', stats)} (the worker asked, nobody answered)`);
  check(stats.bytesFromPeers + stats.bytesFromOrigin === 0, 'the mute page library carried bytes it was never asked for');
  const wrong = await hashesThroughWorker(mute, files);
  check(wrong.length === 0, `wrong bytes from the network fallback: ${wrong.join(', ')}`);
}
