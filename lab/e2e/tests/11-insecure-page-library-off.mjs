// A plain-HTTP page on a lab address (a second circlecdn server without TLS, on port 8080 of the
// origin, opened as http://lab.test:8080/): not a secure context, so the library says it is off
// (one console warning, one `disabled` event {reason: insecure-context}, optedOut
// 'insecure-context') and nothing breaks: every image decodes, each gallery file is requested
// exactly once, the manifest never, and the tracker sees no one.
import { check, galleryFiles, loadGallery, log, openVisitor, record, startLabServer } from '../support/harness.mjs';

export const title = 'a plain-HTTP page in the lab: the library is off and every file is fetched once';

export async function run(ctx) {
  const server = await startLabServer(ctx, { tls: false, port: 8080 });
  const files = galleryFiles(await server.manifest());
  const home = ctx.env.homes.find((h) => h.nat === 'port-restricted');
  const v = await openVisitor(ctx, home, { name: 'plain-http' });
  await loadGallery(v, server.base);
  const state = await v.eval('({ secure: window.isSecureContext, subtle: !!(window.crypto && crypto.subtle), optedOut: window.circlecdn.optedOut, peer: window.circlecdn.peerId, url: location.href })');
  log(`  page: ${JSON.stringify(state)}`);
  check(state.secure === false && state.url.startsWith('http://'), 'the page is a secure context: the test proves nothing');
  check(state.optedOut === 'insecure-context' && state.peer === '', `the library did not stay off: ${JSON.stringify(state)}`);

  const paths = (await v.requests()).map((r) => new URL(r.url).pathname);
  const count = (p) => paths.filter((x) => x === p).length;
  const notOnce = files.filter((f) => count(f.path) !== 1);
  log(`  ${paths.length} requests: ${[...new Set(paths)].filter((p) => !files.some((f) => f.path === p)).join(' ')} and ${files.length} gallery files`);
  check(notOnce.length === 0, `not fetched exactly once: ${notOnce.map((f) => `${f.path} x${count(f.path)}`).join(', ')}`);
  check(!paths.includes('/.circlecdn/manifest.json'), 'the library read the manifest');
  check(!paths.includes('/.circlecdn/ws'), 'the library opened the tracker socket');
  const st = await server.stats();
  check(st.peers_online === 0 && st.wants === 0, `the tracker saw the page: peers_online ${st.peers_online}, wants ${st.wants}`);

  const rec = await record(v);
  const disabled = rec.events.filter((e) => e.type === 'disabled');
  const warnings = v.events.filter((l) => /^console\.warn(ing)?: CircleCDN off: insecure context/.test(l));
  log(`  ${warnings.length} console warning(s), disabled events ${JSON.stringify(disabled.map((e) => e.reason))}`);
  check(disabled.length === 1 && disabled[0].reason === 'insecure-context', `disabled events: ${JSON.stringify(disabled)}`);
  check(warnings.length === 1, `${warnings.length} console warnings "CircleCDN off: insecure context"`);
}
