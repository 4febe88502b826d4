#!/usr/bin/env node
// Issue 14's browser figures (docs/routing.md, "The browsers' figures"): for each routing strategy,
// N Chromium processes on loopback load the demo gallery one after another from a server run with
// `--routing <strategy>`, and per strategy it prints hops per lookup (mean, p50 / p99), time to
// resource (p50 / p99, the library's `resource` events of visitors 2..N), messages on the signaling
// socket per resource (both ways, every kind, all visitors) and the offload (visitors 2..N's bytes
// from peers over their fetched bytes). A benchmark, not a test: nothing about timing is asserted;
// it fails only when the harness breaks (wrong bytes, a page that never loads).
//
//   node bench/routing/run.mjs [--n 6] [--strategies tracker,ring,chord] [--runs 1] [--out FILE.json]
// Env: CIRCLECDN_BIN (default build/release/server/circlecdn), CHROMIUM_BIN. Build first:
// `bash scripts/build.sh release circlecdn`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHeldContent, galleryFiles, itemCount, loadGallery, waitAnnounced } from '../../e2e/support/pages.mjs';
import { RECORD_RESOURCES } from '../../e2e/support/routing-crowd.mjs';
import { startServer } from '../../e2e/support/server.mjs';
import { check, log } from '../../e2e/support/util.mjs';
import { all as openVisitors, chromiumVisitor } from '../../e2e/support/visitors.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const flag = (name, d) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : d;
};
const N = Number(flag('n', '6'));
const STRATEGIES = flag('strategies', 'tracker,ring,chord').split(',');
const RUNS = Number(flag('runs', '1'));
const OUT = flag('out');
const BIN = process.env.CIRCLECDN_BIN ?? join(ROOT, 'build/release/server/circlecdn');

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

async function once(site, strategy) {
  const server = await startServer({ bin: BIN, site, clientDir: join(ROOT, 'client/dist'), root: ROOT, args: ['--routing', strategy], quiet: true });
  const visitors = [];
  try {
    const files = galleryFiles(await server.manifest());
    const items = itemCount(files);
    for (let i = 1; i <= N; i++) {
      const v = await chromiumVisitor(`${strategy}-${i}`, { initScript: RECORD_RESOURCES });
      visitors.push(v);
      await loadGallery(v, server.url);
      await checkHeldContent(v, files);
      await waitAnnounced(v, server, items);
    }
    const got = [];
    for (const v of visitors) got.push({ s: await v.stats(), res: await v.page.evaluate(() => window.circleResources) });
    for (const g of got) check(g.s.verifyFailures === 0 && g.s.routing?.strategy === strategy, `${strategy}: a visitor failed verification or did not follow the strategy`);
    const later = got.slice(1);
    const hops = got.flatMap((g) => g.s.routing.hops);
    const ms = later.flatMap((g) => g.res.map((r) => r.ms));
    const resources = got.reduce((n, g) => n + g.res.length, 0);
    const messages = got.reduce((n, g) => n + g.s.routing.serverSent + g.s.routing.serverReceived, 0);
    const peers = later.reduce((n, g) => n + g.s.bytesFromPeers, 0);
    const fetched = later.reduce((n, g) => n + g.s.bytesFromPeers + g.s.bytesFromOrigin, 0);
    const misses = {};
    for (const g of got) for (const [k, n] of Object.entries(g.s.routing.misses)) misses[k] = (misses[k] ?? 0) + n;
    const st = await server.stats();
    return {
      strategy, peers: N, lookups: hops.length, hopsMean: mean(hops), hopsP50: pct(hops, 50), hopsP99: pct(hops, 99),
      msP50: pct(ms, 50), msP99: pct(ms, 99), messagesPerResource: messages / resources, offload: peers / fetched,
      misses, serverWants: st.wants, routingConnects: st.routing_connects, load: loadavg()[0],
    };
  } finally {
    for (const v of visitors) await v.close();
    await server.stop();
  }
}

const site = mkdtempSync(join(tmpdir(), 'circlecdn-routing-bench-'));
execFileSync(process.execPath, [join(ROOT, 'scripts/gen-demo-site.mjs'), site], { stdio: 'inherit' });
const rows = [];
try {
  for (let r = 0; r < RUNS; r++) for (const s of STRATEGIES) rows.push(await once(site, s));
} finally {
  for (const v of [...openVisitors]) await v.close();
  rmSync(site, { recursive: true, force: true });
}
log('\n| strategy | peers | offload | hops mean (p50 / p99) | time to resource ms p50 / p99 | server msgs / resource | crowd misses | wants / routing connects | load |');
log('| --- | ---: | --- | --- | --- | ---: | --- | --- | ---: |');
for (const x of rows)
  log(`| ${x.strategy} | ${x.peers} | ${x.offload.toFixed(3)} | ${x.lookups ? `${x.hopsMean.toFixed(1)} (${x.hopsP50} / ${x.hopsP99})` : '0 (no lookups)'} | ${Math.round(x.msP50)} / ${Math.round(x.msP99)} | ${x.messagesPerResource.toFixed(1)} | ${JSON.stringify(x.misses)} | ${x.serverWants} / ${x.routingConnects ?? '-'} | ${x.load.toFixed(1)} |`);
if (OUT) writeFileSync(OUT, JSON.stringify(rows, null, 2));
