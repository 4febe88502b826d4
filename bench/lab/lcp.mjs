#!/usr/bin/env node
// Largest contentful paint for visitor 2 (issue 12, docs/benchmarks.md "LCP in the lab"): the demo
// gallery (scripts/gen-demo-site.mjs) as plain markup (<img src>), with the service-worker tag
// (`sw`: the one-tag install, the library's defaults) and without it (`plain`: the site without
// CircleCDN), loaded by Chromium visitors in the WAN lab (lab/lab.sh) from the real server in the
// lab's origin over HTTPS, with STUN/TURN from the lab's coturn.
//   sw     visitor 1 (home 1) opens the gallery (its first visit: plain loading, then the library's
//          warm-up stores and announces it); visitor 2 (home 2), whose worker is installed (it
//          opened a small page of the site first: a returning visitor with nothing stored), opens
//          the gallery: its images go worker -> page -> cdn.fetch -> visitor 1 or the origin.
//   plain  visitor 2 opens the small page, then the gallery, with no library.
// Origins: `idle` (uplink 100 Mbit/s, nobody else loading) and `busy` (uplink 10 Mbit/s while
// --load other visitors, homes 3.., load the plain gallery at the same moment as visitor 2).
// LCP = the last `largest-contentful-paint` entry's startTime (ms from navigation start) once every
// image has decoded. Nothing is asserted; a run fails when the harness breaks.
//
//   LAB_PREFIX=cw- node bench/lab/lcp.mjs [--runs 3] [--origins idle,busy] [--load 2] [--prefer-peers] [--keep-lab]
// Env: LAB_PREFIX (default cclcp-), CIRCLECDN_BIN (else build/release/server/circlecdn).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.env.LAB_PREFIX ??= 'cclcp-';
const { LAB_SH, labEnv, labExec, labSpawn, Visitor } = await import('../../lab/support/lab.mjs');

const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Number(flag('runs', 3));
const ORIGINS = String(flag('origins', 'idle,busy')).split(',');
const LOAD = Number(flag('load', 2));
const KEEP_LAB = argv.includes('--keep-lab');
const BIN = process.env.CIRCLECDN_BIN ?? join(ROOT, 'build/release/server/circlecdn');
const CLIENT_DIR = join(ROOT, 'client/dist');
const RATE = { idle: '100mbit', busy: '10mbit' };
const OPERATOR_TOKEN = randomBytes(18).toString('base64url');
const PAGE_MS = 180_000;
const log = (...a) => console.log(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const lab = (...args) => execFileSync('bash', [LAB_SH, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

// ---- the pages ---------------------------------------------------------------------------------
// --prefer-peers: the tag asks the crowd first (data-circle-prefer-peers) instead of the default
// (the origin as one more source, docs/client.md).
const SW_TAG = `<script src="/.circlecdn/circlecdn.iife.js" data-circlecdn-sw${argv.includes('--prefer-peers') ? ' data-circle-prefer-peers' : ''}></script>`;
const MEASURE = `<script>
window.__lcp = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lcp.push({ t: e.startTime, size: e.size, url: e.url }); })
  .observe({ type: 'largest-contentful-paint', buffered: true });
</script>`;
function writePages(site) {
  const html = readFileSync(join(site, 'index.html'), 'utf8');
  const body = html.slice(0, html.indexOf('<script type="module">')).replace(/<img data-circle-src=/g, '<img src=');
  for (const [name, tag] of [['sw', SW_TAG], ['plain', '']]) {
    writeFileSync(join(site, `lcp-${name}.html`), `${body.replace('<head>\n', `<head>\n${MEASURE}\n${tag}\n`)}\n</body>\n</html>\n`);
    writeFileSync(join(site, `hello-${name}.html`), `<!doctype html>\n<meta charset="utf-8"><title>hello</title>\n${tag}\n<p>hello</p>\n`);
  }
}
// In the page, once it has committed: every image decoded, then the LCP entries and the library's counts.
const RESULT_EXPR = `(async () => {
  if (document.readyState !== 'complete') await new Promise((r) => addEventListener('load', r, { once: true }));
  const imgs = [...document.images];
  await Promise.all(imgs.map((i) => i.decode().catch(() => {})));
  const tDone = performance.now();
  await new Promise((r) => setTimeout(r, 300));
  const last = window.__lcp[window.__lcp.length - 1];
  const s = window.circlecdn && window.circlecdn.stats;
  return { lcp: last ? last.t : null, lcpUrl: last ? last.url : null, tDone, images: imgs.length,
           broken: imgs.filter((i) => !(i.naturalWidth > 0)).length, controlled: !!(navigator.serviceWorker && navigator.serviceWorker.controller),
           stats: s ? { peers: s.bytesFromPeers, origin: s.bytesFromOrigin, store: s.bytesFromStore } : null };
})()`;
const CONTROLLED_EXPR = `navigator.serviceWorker.controller ? true : new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', () => r(true), { once: true }))`;

// ---- the server --------------------------------------------------------------------------------
async function startServer(env, site, secretFile) {
  const child = labSpawn('origin', [BIN, 'serve', site, '--listen', `${env.LAB_SERVER_IP}:443`, '--client-dir', CLIENT_DIR,
    '--tls-cert', env.LAB_TLS_CERT, '--tls-key', env.LAB_TLS_KEY, '--stun', `stun:${env.LAB_STUN}`,
    '--turn', `turn:${env.LAB_TURN}?transport=udp`, '--turn', `turn:${env.LAB_TURN}?transport=tcp`,
    '--turn-secret-file', secretFile, '--log-level', 'warn', '--operator-token', OPERATOR_TOKEN]);
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-50_000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-50_000)));
  const exited = new Promise((r) => child.on('exit', r));
  for (const t0 = Date.now(); !/listening on https:\/\//.test(out); await sleep(50))
    if (child.exitCode !== null || Date.now() - t0 > 20_000) throw new Error(`server did not start:\n${out}`);
  const base = `https://${env.LAB_SERVER_IP}`;
  const get = (path, auth) => JSON.parse(labExec('origin', ['curl', '-sS', '--max-time', '5', '--cacert', env.LAB_CA,
    ...(auth ? ['-H', `Authorization: Bearer ${OPERATOR_TOKEN}`] : []), base + path]));
  return {
    base,
    stats: () => get('/.circlecdn/stats', true),
    manifest: () => get('/.circlecdn/manifest.json', false),
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8_000);
      await exited;
      clearTimeout(t);
    },
  };
}

// ---- one run -----------------------------------------------------------------------------------
async function oneRun(env, site, secretFile, origin, mode) {
  lab('shape', 'origin', 'rate', RATE[origin]);
  const server = await startServer(env, site, secretFile);
  const vs = [];
  const open = async (home) => {
    const v = await Visitor.open(home.name, { browser: 'chromium', ca: env.LAB_CA });
    vs.push(v);
    return v;
  };
  try {
    const files = server.manifest().files.filter((f) => f.path.startsWith('/img/') || f.path.startsWith('/media/'));
    const items = files.reduce((n, f) => n + (f.pieces ? f.pieces.length : 1), 0);
    if (mode === 'sw') {
      const v1 = await open(env.homes[0]);
      await v1.goto(`${server.base}/lcp-sw.html`, 60_000, 'commit');
      await v1.eval(RESULT_EXPR, PAGE_MS);
      // Whatever its first visit's warm-up left out, read through its library: visitor 1 holds the gallery.
      const paths = JSON.stringify(files.map((f) => f.path));
      await v1.eval(`(async () => { for (const p of ${paths}) await (await window.circlecdn.fetch(p)).arrayBuffer(); return true; })()`, PAGE_MS);
      for (const t0 = Date.now(); server.stats().holdings < items; await sleep(500))
        if (Date.now() - t0 > PAGE_MS) throw new Error(`visitor 1 announced ${server.stats().holdings} of ${items} items`);
    }
    const v2 = await open(env.homes[1]);
    await v2.goto(`${server.base}/hello-${mode}.html`, 60_000, 'load');
    if (mode === 'sw') await v2.eval(CONTROLLED_EXPR, 30_000);
    const background = origin === 'busy' ? await Promise.all(env.homes.slice(2, 2 + LOAD).map(open)) : [];
    const others = background.map((b) => b.goto(`${server.base}/lcp-plain.html`, 60_000, 'commit').then(() => b.eval(RESULT_EXPR, PAGE_MS)));
    await v2.goto(`${server.base}/lcp-${mode}.html`, 60_000, 'commit');
    const r = await v2.eval(RESULT_EXPR, PAGE_MS);
    await Promise.all(others);
    if (!r || r.broken || !r.images) throw new Error(`visitor 2: ${JSON.stringify(r)}\n${v2.evidence()}`);
    return { origin, mode, ...r };
  } finally {
    await Promise.all(vs.map((v) => v.close()));
    await server.stop();
  }
}

// ---- main --------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(tmpdir(), 'circlecdn-lcp-'));
const site = join(tmp, 'site');
execFileSync(process.execPath, [join(ROOT, 'scripts/gen-demo-site.mjs'), site], { stdio: 'inherit' });
writePages(site);
let startedLab = false;
let failed = false;
const all = [];
try {
  if (!/: up;/.test((() => { try { return lab('status'); } catch { return ''; } })())) {
    lab('up', '--homes', String(2 + LOAD));
    startedLab = true;
  }
  const env = labEnv();
  if (env.homes.length < 2 + LOAD) throw new Error(`the lab has ${env.homes.length} homes; ${2 + LOAD} needed`);
  const secretFile = join(tmp, 'turn-secret');
  writeFileSync(secretFile, env.LAB_TURN_SECRET + '\n', { mode: 0o600 });
  log(`homes: ${env.homes.slice(0, 2 + LOAD).map((h) => `${h.name} ${h.nat} ${h.rttMs} ms`).join('; ')}`);
  for (const origin of ORIGINS)
    for (let run = 1; run <= RUNS; run++)
      for (const mode of run % 2 ? ['sw', 'plain'] : ['plain', 'sw']) {
        const load0 = loadavg();
        const r = await oneRun(env, site, secretFile, origin, mode);
        all.push(r);
        log(`  ${origin} ${mode} run ${run}: LCP ${r.lcp?.toFixed(0)} ms (${r.lcpUrl?.replace(/^.*\//, '')}), every image ${r.tDone.toFixed(0)} ms` +
          (r.stats ? `, peers ${r.stats.peers} B, origin ${r.stats.origin} B, controlled ${r.controlled}` : '') + `; load ${load0} -> ${loadavg()}`);
      }
  for (const origin of ORIGINS)
    for (const mode of ['sw', 'plain']) {
      const rs = all.filter((r) => r.origin === origin && r.mode === mode);
      if (rs.length) log(`${origin} origin (${RATE[origin]}${origin === 'busy' ? `, ${LOAD} other visitors loading` : ''}), ${mode}: LCP median ${median(rs.map((r) => r.lcp)).toFixed(0)} ms [${rs.map((r) => r.lcp.toFixed(0)).join(', ')}], every image median ${median(rs.map((r) => r.tDone)).toFixed(0)} ms`);
    }
} catch (e) {
  failed = true;
  console.error(`lcp bench: FAIL ${e.stack ?? e}`);
} finally {
  try {
    lab('shape', 'origin', 'rate', '100mbit');
  } catch {}
  if (startedLab && !KEEP_LAB) lab('down');
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
