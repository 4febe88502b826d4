#!/usr/bin/env node
// Service worker mode: what the worker adds per resource (docs/benchmarks.md, "Service worker
// latency"). 24 files of 16 KiB, fetched one after another with fetch(url, {cache: 'no-store'})
// in a page, timed in the page (performance.now), in three ways:
//   network  a page no worker controls: the plain origin fetch (the baseline);
//   remote   a controlled page whose library holds nothing: worker -> page -> peers (one holder);
//   local    the same page again: worker -> page -> the library's IndexedDB store.
// Chromium and loopback: the figures are the mechanism's own cost, not a network's.
//   CIRCLECDN_BIN=build/release/server/circlecdn node bench/sw/latency.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../e2e/support/server.mjs';
import { openControlled, writeSwSite, DIR } from '../../e2e/support/sw-site.mjs';
import { waitAnnounced } from '../../e2e/support/pages.mjs';
import { chromiumVisitor, all } from '../../e2e/support/visitors.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = join(ROOT, 'e2e/out/site');
const N = 24;
const SIZE = 16 * 1024;

writeSwSite(ROOT);
mkdirSync(join(SITE, DIR, 'lat'), { recursive: true });
for (let i = 0; i < N; i++) {
  const b = Buffer.alloc(SIZE);
  for (let j = 0; j < SIZE; j++) b[j] = (i * 7919 + j * 31) & 255;
  writeFileSync(join(SITE, DIR, 'lat', `${i}.bin`), b);
}
writeFileSync(join(SITE, DIR, 'plain.html'), '<!doctype html>\n<meta charset="utf-8"><title>no library</title>\n');
const paths = Array.from({ length: N }, (_, i) => `${DIR}/lat/${i}.bin`);
const timeAll = (v) => v.page.evaluate(async (paths) => {
  const ms = [];
  for (const p of paths) {
    const t = performance.now();
    const n = (await (await fetch(p, { cache: 'no-store' })).arrayBuffer()).byteLength;
    ms.push(performance.now() - t);
    if (n !== 16384) throw new Error(`${p}: ${n} bytes`);
  }
  return ms;
}, paths);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const p90 = (a) => [...a].sort((x, y) => x - y)[Math.floor(0.9 * (a.length - 1))];
const line = (name, a) => console.log(`${name.padEnd(8)} median ${median(a).toFixed(1)} ms  p90 ${p90(a).toFixed(1)} ms  (n=${a.length})`);

const server = await startServer({ bin: process.env.CIRCLECDN_BIN ?? join(ROOT, 'build/release/server/circlecdn'), site: SITE, clientDir: join(ROOT, 'client/dist'), root: ROOT });
try {
  const holder = await chromiumVisitor('holder');
  await holder.goto(`${server.url}${DIR}/hello.html`);
  await holder.page.evaluate(async (paths) => { for (const p of paths) await (await window.circlecdn.fetch(p)).arrayBuffer(); }, paths);
  await waitAnnounced(holder, server, N, 30_000);

  const plain = await chromiumVisitor('plain');
  await plain.goto(`${server.url}${DIR}/plain.html`);
  await timeAll(plain); // warm-up: connections, the server's open-file cache
  const network = await timeAll(plain);

  const v = await chromiumVisitor('visitor');
  await openControlled(v, server.url);
  await v.page.evaluate(() => new Promise((r) => (window.circlecdn.peerId ? r() : window.circlecdn.addEventListener('ready', r, { once: true }))));
  const remote = await timeAll(v);
  const stats = await v.stats();
  const local = await timeAll(v);
  console.log(`Chromium, loopback, ${N} x 16 KiB, sequential; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  line('network', network);
  line('remote', remote);
  line('local', local);
  console.log(`remote run: ${stats.bytesFromPeers} B from peers, ${stats.bytesFromOrigin} B from the origin`);
} finally {
  for (const v of [...all]) await v.close();
  await server.stop();
}
