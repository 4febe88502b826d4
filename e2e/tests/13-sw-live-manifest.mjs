// The live manifest (issue 12 item 7): a page stays open while a file of the site changes on
// disk. The server tells the page over its socket; the library fetches the new manifest and tells
// its worker, so the next request for the file gets the new bytes, verified under the new hash.
// Without the notice the page would keep answering with the old bytes it stored.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIR, loadSwPage, openControlled, RECORD_EVENTS, writeSwSite } from '../support/sw-site.mjs';
import { check, log, step, until } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'service worker mode: a long-lived page learns of a changed file over its socket';

export async function run(ctx) {
  writeSwSite(ctx.root);
  const file = join(ctx.root, 'e2e/out/site', DIR, 'app.js');
  const server = await ctx.startServer();
  const v = await chromiumVisitor('visitor', { initScript: RECORD_EVENTS });
  await openControlled(v, server.url);
  await loadSwPage(v, server.url);
  const read = () => v.page.evaluate(async (p) => (await fetch(p)).text(), `${DIR}/app.js`);
  check((await read()) === readFileSync(file, 'utf8'), 'the first answer is not the file');

  const next = `window.appRan = 'v2';\n/* ${'changed '.repeat(3000)}*/\n`;
  writeFileSync(file, next);
  const got = await step('the open page serves the new file', 15_000, () => until(async () => ((await read()) === next ? 'new' : ''), 200));
  const s = await v.stats();
  const generation = (await server.manifest()).generation;
  log(`  after the change (generation ${generation}): ${got} bytes through the worker; verify failures ${s.verifyFailures}`);
  check(s.verifyFailures === 0, `${s.verifyFailures} verification failures: the file was wanted under its old hash`);
  check(/event=manifest_notice generation=\d+ peers=1/.test(server.err()), 'the server logged no manifest notice');
}
