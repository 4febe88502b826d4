// Squatting on visitors' upload without their consent (issue 11, item 9), in real browsers:
// - Global Privacy Control (Firefox ESR's own setting) is an opt-out of uploading: the visitor
//   takes from the origin, announces nothing, and a second visitor gets nothing from it; with
//   `--gpc ignore` the operator overrides it and the same browser uploads;
// - a page that requires consent starts nothing (no manifest, no tracker) before grantConsent();
// - a session's upload budget stops uploads once spent, and the wanter gets the rest elsewhere.
import { galleryFiles, itemCount, labFetch, openLab, waitAnnounced } from '../support/pages.mjs';
import { check, log, offloadLine, sleep } from '../support/util.mjs';
import { chromiumVisitor, firefoxVisitor } from '../support/visitors.mjs';

export const title = 'no upload without consent: GPC, a consent hook, an upload budget';
const GPC = { 'privacy.globalprivacycontrol.enabled': true };
const BUDGET = 1_000_000;
const PIECE = 256 * 1024;

const paused = (v) => v.evaluate('reads why uploads are paused', 5_000, () => window.circlecdn.uploadsPaused);

async function gpcCase(ctx, files, args, expectUploads) {
  const server = await ctx.startServer(args);
  const gpc = await firefoxVisitor(`gpc${args.length ? '-ignored' : ''}`, { prefs: GPC });
  await openLab(gpc, server.url);
  check(await gpc.evaluate('reads navigator.globalPrivacyControl', 5_000, () => navigator.globalPrivacyControl) === true,
    'Firefox did not send Global Privacy Control');
  await labFetch(gpc, files);
  const wanter = await chromiumVisitor(`wanter${args.length ? '-2' : ''}`);
  await openLab(wanter, server.url);
  if (expectUploads) await waitAnnounced(gpc, server, itemCount(files));
  else await sleep(1_500); // what it would have announced has had time to arrive
  const holdingsBefore = (await server.stats()).holdings;
  await labFetch(wanter, files);
  const [g, w, why] = [await gpc.stats(), await wanter.stats(), await paused(gpc)];
  log(`  ${args.join(' ') || 'default'}: uploads paused: ${why}; holdings ${holdingsBefore}; ${offloadLine('gpc', g)}; ${offloadLine('wanter', w)}`);
  if (expectUploads) {
    check(why === null, `with --gpc ignore the GPC visitor still pauses uploads (${why})`);
    check(g.bytesUploaded > 0 && w.bytesFromPeers > 0, 'with --gpc ignore the GPC visitor uploaded nothing');
  } else {
    check(why === 'gpc', `uploads paused for ${why}, not for GPC`);
    check(holdingsBefore === 0, `the GPC visitor announced ${holdingsBefore} holdings`);
    check(g.bytesUploaded === 0 && w.bytesFromPeers === 0, 'the GPC visitor uploaded');
  }
  await gpc.close();
  await wanter.close();
  await server.stop();
}

export async function run(ctx) {
  const probe = await ctx.startServer();
  const all = galleryFiles(await probe.manifest());
  await probe.stop();
  const files = all.filter((f) => !f.pieces).slice(0, 12);

  // 1. GPC honoured by default, overridden by the operator.
  await gpcCase(ctx, files, [], false);
  await gpcCase(ctx, files, ['--gpc', 'ignore'], true);

  // 2. Consent: nothing starts before the page says so.
  const server = await ctx.startServer(['--upload-budget', String(BUDGET)]);
  const online = (await server.stats()).peers_online;
  const waiting = await chromiumVisitor('consent');
  await openLab(waiting, server.url, { options: { requireConsent: true }, ready: false });
  await labFetch(waiting, files.slice(0, 3));
  const before = { requests: [...waiting.requests], online: (await server.stats()).peers_online, why: await waiting.evaluate('reads optedOut', 5_000, () => window.circlecdn.optedOut) };
  check(before.why === 'consent', `before consent optedOut is ${before.why}`);
  check(!before.requests.includes('/.circlecdn/manifest.json'), 'the manifest was read before consent');
  check(before.online === online, 'the visitor joined the tracker before consent');
  await waiting.evaluate('grants consent', 15_000, async () => {
    await window.circlecdn.grantConsent();
    await window.circleReady;
  });
  check((await server.stats()).peers_online === online + 1, 'after consent the visitor did not join the tracker');
  log(`  consent: before it ${before.requests.length} plain requests, no manifest, no tracker; after it joined`);

  // 3. The upload budget: the holder stops offering once it has sent BUDGET bytes.
  const big = all.filter((f) => f.pieces).concat(all.filter((f) => !f.pieces)).slice(0, 8);
  await labFetch(waiting, big);
  await waitAnnounced(waiting, server, itemCount(big));
  const wanter = await chromiumVisitor('budget-wanter');
  await openLab(wanter, server.url);
  await labFetch(wanter, big);
  const [h, w, why] = [await waiting.stats(), await wanter.stats(), await paused(waiting)];
  log(`  budget ${BUDGET} B: uploads paused: ${why}; ${offloadLine('holder', h)}; ${offloadLine('wanter', w)}`);
  check(why === 'budget', `uploads paused for ${why}, not the budget`);
  // It stops after the item that crossed the budget and those already in flight (4 at most).
  check(h.bytesUploaded >= BUDGET && h.bytesUploaded <= BUDGET + 4 * PIECE, `the holder uploaded ${h.bytesUploaded} B`);
  check(w.bytesFromOrigin > 0, 'the wanter got nothing elsewhere once the budget was spent');
}
