// Service worker mode, test 4 of issue 12: the kill switch. The operator sets
// `service-worker = "off"` in the config file and sends SIGHUP; the visitor's next page load is
// served by the network, its worker unregisters itself, and the library registers none again.
// Set back on, the next load registers it again. In Firefox ESR, then in Chromium.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSwPage, openControlled, RECORD_EVENTS, resourcesCarried, writeSwSite, DIR, PAGE_FILES } from '../support/sw-site.mjs';
import { check, log, step, until } from '../support/util.mjs';
import { chromiumVisitor, firefoxVisitor } from '../support/visitors.mjs';

export const title = 'service worker mode: the kill switch steps the worker aside on the next load (Firefox, Chromium)';

const registrations = (v) => v.page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length);

async function switchTo(server, config, mode) {
  writeFileSync(config, `[serve]\nservice-worker = "${mode}"\n`);
  process.kill(server.pid, 'SIGHUP');
  await step(`the server serves the worker ${mode}`, 10_000, () =>
    until(async () => (await fetch(`${server.url}/.circlecdn/sw.js`, { method: 'HEAD' })).headers.get('circlecdn-service-worker') === mode));
}

export async function run(ctx) {
  writeSwSite(ctx.root);
  const dir = mkdtempSync(join(tmpdir(), 'circlecdn-sw-'));
  const config = join(dir, 'circlecdn.toml');
  writeFileSync(config, '[serve]\nservice-worker = "on"\n');
  try {
    const server = await ctx.startServer(['--config', config]);
    for (const [name, launch] of [['firefox', firefoxVisitor], ['chromium', chromiumVisitor]]) {
      const v = await launch(name, { initScript: RECORD_EVENTS });
      await openControlled(v, server.url);
      await loadSwPage(v, server.url);
      await resourcesCarried(v, PAGE_FILES);
      log(`  ${name}: with the worker on, the page was carried by the library`);

      await switchTo(server, config, 'off');
      const r = await loadSwPage(v, server.url);
      const carried = await v.page.evaluate(() => window.circleEvents.filter((e) => e.type === 'resource').length);
      log(`  ${name}: next load after the switch: controlled at load ${r.controlled}, resources carried by the library: ${carried}`);
      check(carried === 0, `${name}: ${carried} resources still went through the worker and the library after the switch`);
      await step(`${name}: the worker unregisters itself`, 15_000, () => until(async () => (await registrations(v)) === 0, 200));
      await v.goto(`${server.url}${DIR}/hello.html`);
      await step(`${name}: the library does not register it again`, 5_000, () =>
        v.page.evaluate(() => window.circlecdn.start().then(() => new Promise((r) => setTimeout(r, 1000)))));
      check((await registrations(v)) === 0, `${name}: a worker was registered again while the switch is off`);
      check(!(await v.page.evaluate(() => !!navigator.serviceWorker.controller)), `${name}: a page loaded after the switch is controlled`);

      await switchTo(server, config, 'on');
      await openControlled(v, server.url);
      log(`  ${name}: switched on again, the next load registered the worker and is controlled`);
      await v.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
