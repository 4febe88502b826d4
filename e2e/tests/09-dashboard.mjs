// An operator opens the dashboard (token typed into its page) while three visitors load the
// gallery. Once the server holds the visitors' `usage` reports, the dashboard's next frame shows
// exactly the byte counts the visitors' pages report (cdn.stats), peers online and the top
// resources; a screenshot is kept as e2e/out/dashboard.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { galleryFiles, loadGallery } from '../support/pages.mjs';
import { check, log, offloadLine, step, until } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'dashboard: live numbers match what three visitors report, within one update';

const SOURCES = [['peer', 'bytesFromPeers'], ['origin', 'bytesFromOrigin'], ['store', 'bytesFromStore']];

// What the dashboard shows now: raw values kept in data-value by dashboard/src/view.ts.
function shown(operator) {
  return operator.page.evaluate(() => {
    const v = (id) => Number(document.getElementById(id)?.dataset.value ?? NaN);
    return {
      frames: Number(document.body.dataset.frames ?? 0),
      peer: v('bytes-peer'), origin: v('bytes-origin'), store: v('bytes-store'),
      peersOnline: v('peers-online'), saved: v('saved'),
      resources: document.querySelectorAll('#resources tr').length - 1,
    };
  });
}

function reported(text, source) {
  const m = new RegExp(`^circlecdn_reported_bytes_total\\{source="${source}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export async function run(ctx) {
  const server = await ctx.startServer();
  const files = galleryFiles(await server.manifest());

  const operator = await chromiumVisitor('operator');
  await operator.goto(`${server.url}/.circlecdn/dashboard`);
  await step('operator types the token', 10_000, async () => {
    await operator.page.fill('#token', server.token);
    await operator.page.click('#login button[type=submit]');
  });
  await step('dashboard shows its first frame', 15_000, () => until(async () => (await shown(operator)).frames >= 1));

  const visitors = [];
  for (const name of ['visitor-1', 'visitor-2', 'visitor-3']) {
    const v = await chromiumVisitor(name);
    visitors.push(v);
    await loadGallery(v, server.url);
  }
  const stats = await Promise.all(visitors.map((v) => v.stats()));
  for (const [i, s] of stats.entries()) log(`  ${offloadLine(visitors[i].name, s)}`);
  const expected = Object.fromEntries(SOURCES.map(([src, key]) => [src, stats.reduce((n, s) => n + s[key], 0)]));
  check(expected.peer > 0 && expected.origin > 0, `visitors got bytes from peers and the origin: ${JSON.stringify(expected)}`);
  check(expected.peer + expected.origin + expected.store === 3 * files.reduce((n, f) => n + f.size, 0), 'every visitor loaded the whole gallery');

  // The server has every visitor's report (they send one within a second of their last byte).
  await step('server holds the visitors\' usage reports', 15_000, () => until(async () => {
    const text = await server.metrics();
    return SOURCES.every(([src]) => reported(text, src) === expected[src]);
  }, 200));
  // From here the dashboard must catch up within one update: the frame being written may predate
  // the last report, the one after it cannot.
  const framesThen = (await shown(operator)).frames;
  const view = await step('dashboard shows the same numbers', 10_000, () => until(async () => {
    const s = await shown(operator);
    return SOURCES.every(([src]) => s[src] === expected[src]) ? s : null;
  }, 50));
  log(`  dashboard: ${JSON.stringify(view)}; expected ${JSON.stringify(expected)}`);
  check(view.frames - framesThen <= 2, `dashboard needed ${view.frames - framesThen} frames to show the reports (at most one update interval)`);
  check(view.peersOnline === visitors.length, `peers online ${view.peersOnline}, expected ${visitors.length}`);
  check(view.saved === expected.peer, `origin bytes saved ${view.saved}, expected ${expected.peer}`);
  check(view.resources > 0, 'top resources listed');

  const out = join(ctx.root, 'e2e/out');
  mkdirSync(out, { recursive: true });
  await operator.page.screenshot({ path: join(out, 'dashboard.png'), fullPage: true });
  log(`  screenshot: e2e/out/dashboard.png`);
}
