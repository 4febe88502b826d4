#!/usr/bin/env node
// Service worker mode, the first visit (docs/benchmarks.md, "Service worker: the first visit"):
// fresh visitors (new Chromium profiles) open the test page of e2e/support/sw-site.mjs once,
// with the library's tag (the worker is registered, claims the page, and what loaded before is
// fetched again through the library and announced) and without it (the same page, tag removed).
// Per visitor: the page's load event, what it announced, and the origin's bytes for it.
//   CIRCLECDN_BIN=build/release/server/circlecdn node bench/sw/first-visit.mjs [visitors=5]
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../e2e/support/server.mjs';
import { DIR, PAGE_FILES, writeSwSite } from '../../e2e/support/sw-site.mjs';
import { until } from '../../e2e/support/util.mjs';
import { all, chromiumVisitor } from '../../e2e/support/visitors.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = join(ROOT, 'e2e/out/site');
const RUNS = Number(process.argv[2] ?? 5);
writeSwSite(ROOT);
const page = readFileSync(join(SITE, DIR, 'page.html'), 'utf8');
writeFileSync(join(SITE, DIR, 'page-plain.html'), page.replace(/<script src="\/\.circlecdn\/[^\n]*\n/, ''));
const median = (a) => { const s = [...a].sort((x, y) => x - y); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };

const server = await startServer({ bin: process.env.CIRCLECDN_BIN ?? join(ROOT, 'build/release/server/circlecdn'), site: SITE, clientDir: join(ROOT, 'client/dist'), root: ROOT });
try {
  const manifest = await server.manifest();
  const total = PAGE_FILES.reduce((n, p) => n + manifest.files.find((f) => f.path === p).size, 0);
  const items = PAGE_FILES.reduce((n, p) => { const f = manifest.files.find((x) => x.path === p); return n + (f.pieces ? f.pieces.length : 1); }, 0);
  const result = {};
  for (const [name, path] of [['plain', 'page-plain.html'], ['library', 'page.html']]) {
    const load = [], origin = [], announced = [];
    for (let i = 0; i < RUNS; i++) {
      const before = (await server.stats()).origin_served_bytes;
      const v = await chromiumVisitor(`${name}${i}`);
      await v.goto(`${server.url}${DIR}/${path}`);
      await v.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      load.push(await v.page.evaluate(() => new Promise((r) => {
        const done = () => r(performance.getEntriesByType('navigation')[0].loadEventEnd);
        document.readyState === 'complete' ? setTimeout(done, 0) : addEventListener('load', () => setTimeout(done, 0));
      })));
      if (name === 'library') {
        const got = await Promise.race([until(async () => ((await v.page.evaluate(() => window.circlecdn?.stats.announced ?? 0)) >= items) && items, 200),
          new Promise((r) => setTimeout(r, 20_000, 0))]);
        announced.push(got ? items : await v.page.evaluate(() => window.circlecdn?.stats.announced ?? 0));
      } else {
        await new Promise((r) => setTimeout(r, 1500)); // lazy image and font
      }
      origin.push((await server.stats()).origin_served_bytes - before);
      await v.close();
    }
    result[name] = { load, origin, announced };
    console.log(`${name.padEnd(8)} load event median ${median(load).toFixed(0)} ms [${load.map((x) => x.toFixed(0)).join(', ')}]; ` +
      `origin bytes per visitor median ${median(origin)} (${(median(origin) / total).toFixed(2)}x the page's ${total} B)` +
      (announced.length ? `; items announced ${announced.join(', ')} of ${items}` : ''));
  }
  console.log(`Chromium, loopback, ${RUNS} fresh visitors each; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  for (const v of [...all]) await v.close();
  await server.stop();
}
