// A plain-HTTP page on a name that is not localhost is not a secure context: the library stays off,
// says so once, and the gallery loads from its URLs, each file fetched exactly once.
import { galleryFiles, loadGallery } from '../support/pages.mjs';
import { check, log } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'on an insecure page the library is off and every file is fetched once';

const HOST = 'insecure.test'; // resolved to 127.0.0.1 by Chromium itself, nothing else

export async function run(ctx) {
  const server = await ctx.startServer();
  const files = galleryFiles(await server.manifest());
  const online = (await server.stats()).peers_online;
  const v = await chromiumVisitor('insecure', { args: [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`] });
  const base = server.url.replace('127.0.0.1', HOST);
  await loadGallery(v, base);
  const state = await v.page.evaluate(() => ({ secure: window.isSecureContext, optedOut: window.circlecdn.optedOut, peer: window.circlecdn.peerId }));
  log(`  page ${base}: ${JSON.stringify(state)}`);
  check(state.secure === false, 'the test page is a secure context: the test proves nothing');
  check(state.optedOut === 'insecure-context' && state.peer === '', `the library did not stay off: ${JSON.stringify(state)}`);
  const twice = files.filter((f) => v.requests.filter((p) => p === f.path).length !== 1);
  check(twice.length === 0, `not fetched exactly once: ${twice.map((f) => `${f.path} x${v.requests.filter((p) => p === f.path).length}`).join(', ')}`);
  check(!v.requests.includes('/.circlecdn/manifest.json'), 'the library read the manifest');
  check((await server.stats()).peers_online === online, 'the library joined the tracker');
  const warnings = v.logs.filter((l) => l.includes('console.warning') && l.includes('CircleCDN off'));
  // The gallery page logs every library event (console.debug).
  const events = v.logs.filter((l) => l.includes('circlecdn disabled {"reason":"insecure-context"}'));
  log(`  ${warnings.length} warning(s), ${events.length} disabled event(s); ${files.length} files, ${v.requests.length} requests`);
  check(warnings.length === 1, `${warnings.length} console warnings`);
  check(events.length === 1, `${events.length} disabled events`);
}
