#!/usr/bin/env node
// Browser to browser (issue 5, docs/benchmarks.md "Browser to browser"): one resource moved from
// visitor A to visitor B, two separate Chromium processes on this machine, by
//   (a) CircleCDN: A gets it through circlecdn.fetch() (from the origin) and stores it; once the
//       tracker holds A's pieces, B calls circlecdn.fetch(); bytesFromPeers must equal the size;
//   (b) WebTorrent 2.8.5: A seeds the same bytes with webtorrent.min.js, announcing to a local
//       bittorrent-tracker (bench/anchors/wt-tracker.mjs); B adds the .torrent (or the magnet).
// Measured on B: time from the request (fetch() / client.add()) to the bytes in the page as an
// ArrayBuffer (verified by the library's piece hashes; the SHA-256 of the whole is checked after),
// and time to the first byte of the resource (CircleCDN: first frame on the channel; WebTorrent:
// the torrent's first 'download' event). Both include signaling and ICE (B starts with no peer
// connection), neither includes the browser launch. B's tracker frames are logged by an init script
// (probe.mjs) to count the signaling before the first byte (signaling.mjs). Nothing about timing
// is asserted; a run fails when bytes are wrong or do not come from the peer.
//
// The floor under both (a bare channel, same messages): bench/browser/raw-channel.mjs.
//
//   node bench/browser/run.mjs [--sizes 1m,10m,50m] [--runs N] [--systems circlecdn,webtorrent]
//                              [--wt-add torrent|magnet] [--wt-store opfs|memory] [--circle-uploads N]
//                              [--allow-origin] [--out DIR] [--smoke]
// Env: B2B_SIZES, B2B_RUNS, B2B_SYSTEMS, B2B_WT_ADD, B2B_WT_STORE, B2B_CIRCLE_UPLOADS, B2B_OUT
// (flags win); CIRCLECDN_BIN or CIRCLECDN (server; else $BUILD_DIR/server/circlecdn, else
// build/release/server/circlecdn),
// CHROMIUM_BIN. Runs per size: --runs, else 5 for 10 MiB and 3 otherwise. --smoke: 1 MiB, one run
// of each system, output to a temp dir. --circle-uploads N: the holder's upload slots (the page's
// maxUploads and the server's --uploads-per-holder; default 4 and 4). A CircleCDN run that took
// bytes from the origin is recorded (from_origin in runs.csv, left out of the medians) and makes
// the command exit 1 at the end, unless --allow-origin; with --smoke it fails at once.
// For experiments: B2B_CLIENT_DIR (bundles to serve instead of client/dist), B2B_SERVER_ARGS (more
// `circlecdn serve` options, space-separated), B2B_B_QUOTA (B's store quota in bytes: 1 = B stores
// nothing in IndexedDB).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnUntil, startServer as startCirclecdn } from '../../e2e/support/server.mjs';
import { browsersCpuMs, closeBrowsers, ownChromiumPids } from '../support/procs.mjs';
import { check, log, size, step, until } from '../../e2e/support/util.mjs';
import { all as openVisitors, chromiumVisitor } from '../../e2e/support/visitors.mjs';
import { CIRCLE_PAGE, WT_PAGE } from './pages.mjs';
import { PROBE } from './probe.mjs';
import { circleSignaling, wholeTransfer, wtSignaling } from './signaling.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ANCHORS = join(ROOT, 'bench/anchors');
const TRACKER_START_MS = 20_000;
const READY_MS = 30_000; // page loaded and welcomed by its tracker / torrent seeded
const MIN_TRANSFER_MS = 60_000; // plus 2 s per MiB (the notes measured ≥ 3 MiB/s, CPU-bound)

// ---- options ---------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const SMOKE = argv.includes('--smoke') || process.env.B2B_SMOKE === '1';
const opt = (name, env, dflt, smokeVal) => flag(name) ?? process.env[env] ?? (SMOKE && smokeVal !== undefined ? smokeVal : dflt);
const parseSize = (s) => {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s} (bytes, or 1m / 512k)`);
  return Math.round(Number(m[1]) * { '': 1, k: 1024, m: 1048576, g: 1073741824 }[m[2].toLowerCase()]);
};
const SIZES = String(opt('sizes', 'B2B_SIZES', '1m,10m,50m', '1m')).split(',').filter(Boolean).map(parseSize);
const RUNS = opt('runs', 'B2B_RUNS', undefined, '1');
const runsFor = (bytes) => (RUNS !== undefined ? Number(RUNS) : bytes === 10 * 1048576 ? 5 : 3);
const SYSTEMS = String(opt('systems', 'B2B_SYSTEMS', 'circlecdn,webtorrent')).split(',').filter(Boolean);
const WT_ADD = String(opt('wt-add', 'B2B_WT_ADD', 'torrent'));
const WT_STORE = String(opt('wt-store', 'B2B_WT_STORE', 'opfs'));
const CIRCLE_UPLOADS = opt('circle-uploads', 'B2B_CIRCLE_UPLOADS', '');
const ALLOW_ORIGIN = argv.includes('--allow-origin');
const OUT = resolve(opt('out', 'B2B_OUT', join(ROOT, 'bench/out/browser'), join(tmpdir(), 'circlecdn-browser-smoke')));
const BUILD_DIR = process.env.BUILD_DIR ? resolve(ROOT, process.env.BUILD_DIR) : join(ROOT, 'build/release');
const CLIENT_DIR = resolve(process.env.B2B_CLIENT_DIR ?? join(ROOT, 'client/dist'));
const BIN = process.env.CIRCLECDN_BIN ?? process.env.CIRCLECDN ?? join(BUILD_DIR, 'server/circlecdn');
for (const s of SYSTEMS) if (s !== 'circlecdn' && s !== 'webtorrent') throw new Error(`unknown system ${s}`);
if (WT_STORE !== 'opfs' && WT_STORE !== 'memory') throw new Error(`--wt-store is opfs (WebTorrent's default in Chromium) or memory, not ${WT_STORE}`);
if (WT_ADD !== 'torrent' && WT_ADD !== 'magnet') throw new Error(`--wt-add is torrent or magnet, not ${WT_ADD}`);
if (!SIZES.every((s) => s > 0) || !SIZES.every((s) => runsFor(s) >= 1)) throw new Error('bad --sizes/--runs');

// ---- the site --------------------------------------------------------------------------------
// Deterministic, incompressible bytes (xorshift32, seeded by the size), so every run and both
// systems move the same file.
function makeResource(bytes) {
  const buf = Buffer.alloc(bytes);
  let x = (0x9e3779b9 ^ bytes) >>> 0 || 1;
  for (let i = 0; i < bytes; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    if (i + 4 <= bytes) buf.writeUInt32LE(x >>> 0, i);
    else for (let k = 0; i + k < bytes; k++) buf[i + k] = (x >>> (8 * k)) & 0xff;
  }
  return buf;
}

const resourcePath = (bytes) => `/r-${bytes}.bin`;

function makeSite() {
  const dir = mkdtempSync(join(tmpdir(), 'circlecdn-b2b-'));
  const sha = {};
  for (const bytes of SIZES) {
    const file = join(dir, resourcePath(bytes).slice(1));
    writeFileSync(file, makeResource(bytes));
    sha[bytes] = execFileSync('sha256sum', [file]).toString().split(' ')[0];
  }
  writeFileSync(join(dir, 'circle.html'), CIRCLE_PAGE);
  writeFileSync(join(dir, 'wt.html'), WT_PAGE);
  copyFileSync(join(ANCHORS, 'node_modules/webtorrent/dist/webtorrent.min.js'), join(dir, 'webtorrent.min.js'));
  return { dir, sha };
}

// ---- the servers -------------------------------------------------------------------------------
// circlecdn serve on the site (origin, tracker, pages and webtorrent.min.js for both systems).
function startServer(site) {
  const args = ['--log-level', 'warn', ...(process.env.B2B_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean)];
  if (CIRCLE_UPLOADS) args.push('--uploads-per-holder', CIRCLE_UPLOADS);
  return startCirclecdn({ bin: BIN, site, clientDir: CLIENT_DIR, root: ROOT, args, quiet: true });
}

// WebTorrent's tracker --------------------------------------------------------------------
async function startWtTracker() {
  const { found: port, child, exited, err } = await spawnUntil(process.execPath, [join(ANCHORS, 'wt-tracker.mjs'), '0'],
    { cwd: ANCHORS, pattern: /listening (\d+)/, timeoutMs: TRACKER_START_MS, name: 'wt-tracker' });
  return {
    url: `ws://127.0.0.1:${port}`,
    err,
    async stop() {
      // bittorrent-tracker's close() does not return while its swarms' timers run: SIGKILL soon.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 500);
      await exited;
      clearTimeout(t);
    },
  };
}



// Every socket a page opened went to this machine (WebTorrent adds public trackers when a torrent
// names none; the harness always names the local one).
async function checkLocalSockets(v) {
  const urls = await v.page.evaluate(() => window.__probe.ws.filter((f) => f.dir === 'connect').map((f) => f.data));
  const away = urls.filter((u) => !/^wss?:\/\/127\.0\.0\.1[:/]/.test(u));
  check(away.length === 0, `${v.name} opened sockets off this machine: ${away.join(', ')}`);
}

const transferMs = (bytes) => MIN_TRANSFER_MS + Math.ceil((2000 * bytes) / 1048576);

// ---- one run of each system --------------------------------------------------------------------
// A and B are launched first (not timed); B opens its page and is ready before the clock starts.
async function circleRun(ctx, A, B) {
  const { server, bytes, path } = ctx;
  const page = `${server.url}/circle.html${CIRCLE_UPLOADS ? `?uploads=${CIRCLE_UPLOADS}` : ''}`;
  await A.goto(page);
  await A.evaluate('is welcomed by the tracker', READY_MS, () => window.bench.ready());
  const a = await A.evaluate(`gets ${path} from the origin`, transferMs(bytes), (p) => window.bench.get(p), path);
  check(a.sha256 === ctx.sha && a.bytes === bytes, `A: wrong bytes (${a.bytes} B, ${a.sha256})`);
  const manifest = await (await fetch(`${server.url}/.circlecdn/manifest.json`)).json();
  const file = manifest.files.find((f) => f.path === path);
  const items = file.pieces ? file.pieces.length : 1;
  await step(`the tracker holds A's ${items} items`, READY_MS, () =>
    until(async () => (await A.page.evaluate(() => window.circlecdn.stats.announced)) >= items && (await server.stats()).holdings >= items, 50));
  const bQuota = process.env.B2B_B_QUOTA ? `${page.includes('?') ? '&' : '?'}quota=${process.env.B2B_B_QUOTA}` : '';
  await B.goto(page + bQuota);
  await B.evaluate('is welcomed by the tracker', READY_MS, () => window.bench.ready());
  const cpu0 = browsersCpuMs();
  const r = await B.evaluate(`fetches ${path} from A`, transferMs(bytes), (p) => window.bench.get(p), path);
  const cpuMs = browsersCpuMs() - cpu0;
  check(r.sha256 === ctx.sha && r.bytes === bytes, `B: wrong bytes (${r.bytes} B, ${r.sha256})`);
  const notPeer = r.items.filter((i) => i.source !== 'peer');
  const peersOnly = r.resource?.fromPeers === bytes && r.stats.bytesFromPeers === bytes;
  const why = `B: ${r.resource?.fromPeers} B from peers, ${r.resource?.fromOrigin} B from the origin (want all ${bytes} from A): `
    + `${notPeer.length} items not from the peer (${[...new Set(notPeer.map((i) => `${i.source}:${i.why}`))].join(', ')}), `
    + `the first ${notPeer.length ? (notPeer[0].t - r.start).toFixed(0) : '-'} ms after the request`;
  check(peersOnly || !SMOKE, why);
  if (!peersOnly) log(`  NOT PEER-ONLY: ${why}`);
  for (const v of [A, B]) await checkLocalSockets(v);
  const probe = await B.page.evaluate(() => window.__probe);
  check(probe.first && probe.first.head[0] === 1, `B: no data frame seen by the probe (${JSON.stringify(probe.first)})`);
  const first = probe.first.t - r.start;
  return { total: r.done - r.start, first, cpuMs, fromPeers: r.resource.fromPeers, fromOrigin: r.resource.fromOrigin,
    timeline: r.items.map((i) => [i.t - r.start, i.source, i.why ?? '', i.bytes]), items, pieceBytes: manifest.piece_size ?? '',
    sig: circleSignaling(probe, r.start, first), whole: wholeTransfer(probe, r.start, r.done, 'circlecdn'), channelOpen: (probe.opens[0]?.t ?? NaN) - r.start };
}

async function wtRun(ctx, A, B) {
  const { server, bytes, path } = ctx;
  const tracker = await startWtTracker();
  try {
    const page = `${server.url}/wt.html${WT_STORE === 'memory' ? '?store=memory' : ''}`;
    await A.goto(page);
    await A.evaluate('loads webtorrent', READY_MS, () => new Promise((r) => { const c = () => (window.benchReady ? r(true) : setTimeout(c, 20)); c(); }));
    const seed = await A.evaluate(`seeds ${path}`, transferMs(bytes), ([p, u]) => window.bench.seed(p, u), [path, tracker.url]);
    // A has announced (its tracker answered) before B asks.
    await step('the tracker has A', READY_MS, () =>
      until(() => A.page.evaluate(() => window.__probe.ws.some((f) => f.dir === 'in' && f.data.includes('"interval"'))), 50));
    await B.goto(page);
    await B.evaluate('loads webtorrent', READY_MS, () => new Promise((r) => { const c = () => (window.benchReady ? r(true) : setTimeout(c, 20)); c(); }));
    const src = WT_ADD === 'magnet' ? { magnet: seed.magnet } : { torrent: seed.torrent };
    const cpu0 = browsersCpuMs();
    const r = await B.evaluate(`adds the ${WT_ADD} and downloads from A`, transferMs(bytes), ([s, u]) => window.bench.get(s, u), [src, tracker.url]);
    const cpuMs = browsersCpuMs() - cpu0;
    check(r.sha256 === ctx.sha && r.bytes === bytes, `B: wrong bytes (${r.bytes} B, ${r.sha256})`);
    check(r.downloaded >= bytes && r.first !== null, `B: downloaded ${r.downloaded} B of ${bytes}`);
    for (const v of [A, B]) await checkLocalSockets(v);
    const probe = await B.page.evaluate(() => window.__probe);
    const first = r.first - r.start;
    return { total: r.done - r.start, first, cpuMs, fromPeers: r.downloaded, fromOrigin: 0, items: seed.pieces, pieceBytes: seed.pieceLength,
      sig: wtSignaling(probe, r.start, first), whole: wholeTransfer(probe, r.start, r.done, 'webtorrent'), channelOpen: (probe.opens[0]?.t ?? NaN) - r.start };
  } finally {
    await step('wt-tracker stops', 10_000, () => tracker.stop());
  }
}

async function oneRun(site, system, bytes, run, order) {
  const path = resourcePath(bytes);
  const server = await startServer(site.dir);
  const A = await chromiumVisitor('A', { initScript: PROBE });
  const B = await chromiumVisitor('B', { initScript: PROBE });
  const load = loadavg()[0];
  try {
    log(`\n--- ${system}, ${size(bytes)}, run ${run} (load ${load.toFixed(2)})`);
    const ctx = { server, bytes, path, sha: site.sha[bytes] };
    const r = await (system === 'circlecdn' ? circleRun(ctx, A, B) : wtRun(ctx, A, B));
    const s = r.sig;
    log(`  => ${(r.total / 1000).toFixed(3)} s to verified bytes (${((bytes / 1048576) / (r.total / 1000)).toFixed(2)} MiB/s), first byte ${r.first.toFixed(1)} ms; `
      + `signaling before it: ${s.out} out / ${s.in} in, round trip ${s.rttMs.toFixed(2)} ms, critical path ${s.criticalRoundTrips} (${s.critical}), first byte = ${s.ttfbRtts.toFixed(1)} round trips`);
    log(`     browsers' CPU during the transfer ${r.cpuMs.toFixed(0)} ms (${(r.cpuMs / (bytes / 1048576)).toFixed(0)} ms per MiB; ${(r.cpuMs / r.total).toFixed(2)} cores)`);
    log(`     first tracker frame ${s.firstOutMs.toFixed(1)} ms after the request, channel open at ${r.channelOpen.toFixed(1)} ms`);
    log(`     tracker frames over the whole transfer: ${r.whole.out} out / ${r.whole.in} in, at most ${r.whole.peakOutPerS} out in one second, ${r.whole.lateOutPerS.toFixed(1)}/s out over the second half; ${r.whole.kinds}`);
    return { system, bytes, run, order, load, ...r };
  } catch (e) {
    log(A.evidence());
    log(B.evidence());
    log(`[server]\n${server.err().slice(-4000)}`);
    throw e;
  } finally {
    await closeBrowsers(openVisitors);
    await step('server stops', 12_000, () => server.stop());
  }
}

// ---- report ----------------------------------------------------------------------------------
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function writeOutputs(all) {
  mkdirSync(OUT, { recursive: true });
  const cols = ['system', 'bytes', 'run', 'order', 'load1', 'total_ms', 'ttfb_ms', 'mib_per_s', 'browsers_cpu_ms', 'channel_open_ms', 'from_peers', 'from_origin',
    'items', 'piece_bytes', 'rtt_ms', 'ttfb_rtts', 'critical_round_trips', 'first_frame_out_ms', 'last_signal_ms', 'msgs_out', 'msgs_in', 'candidates_out', 'candidates_in', 'critical',
    'frames_out_total', 'frames_in_total', 'peak_frames_out_per_s', 'late_frames_out_per_s', 'frame_kinds'];
  const rows = all.map((r) => [r.system, r.bytes, r.run, r.order, r.load.toFixed(2), r.total.toFixed(1), r.first.toFixed(1),
    ((r.bytes / 1048576) / (r.total / 1000)).toFixed(3), r.cpuMs.toFixed(0), r.channelOpen.toFixed(1), r.fromPeers, r.fromOrigin, r.items, r.pieceBytes, r.sig.rttMs.toFixed(3),
    r.sig.ttfbRtts.toFixed(2), r.sig.criticalRoundTrips, r.sig.firstOutMs.toFixed(1), r.sig.lastSignalMs.toFixed(1), r.sig.out, r.sig.in, r.sig.candidatesOut,
    r.sig.candidatesIn, `"${r.sig.critical}"`, r.whole.out, r.whole.in, r.whole.peakOutPerS, r.whole.lateOutPerS.toFixed(1), `"${r.whole.kinds}"`].join(','));
  writeFileSync(join(OUT, 'runs.csv'), [cols.join(','), ...rows].join('\n') + '\n');
  const sig = ['system,bytes,run,t_ms,dir,label,chars,before_first_byte'];
  for (const r of all) {
    for (const f of r.sig.log) if (f.t < 0) sig.push([r.system, r.bytes, r.run, f.t.toFixed(2), f.dir, `"${f.label}"`, f.size, 1].join(','));
    for (const f of r.whole.log) sig.push([r.system, r.bytes, r.run, f.t.toFixed(2), f.dir, `"${f.label}"`, f.size, f.t <= r.first ? 1 : 0].join(','));
  }
  writeFileSync(join(OUT, 'signaling.csv'), sig.join('\n') + '\n');
  const items = ['system,bytes,run,t_ms,source,why,item_bytes'];
  for (const r of all) for (const [t, src, why, n] of r.timeline ?? []) items.push([r.system, r.bytes, r.run, t.toFixed(1), src, why, n].join(','));
  writeFileSync(join(OUT, 'items.csv'), items.join('\n') + '\n');
  log(`\nwrote ${join(OUT, 'runs.csv')}, signaling.csv and items.csv (CircleCDN's items as B got them)`);
}

function report(all) {
  log(`\n=== browser to browser: CircleCDN vs WebTorrent (${WT_ADD}, store ${WT_STORE}), medians (runs in brackets)`);
  for (const bytes of SIZES) {
    const per = {};
    for (const system of SYSTEMS) {
      const mixed = all.filter((r) => r.system === system && r.bytes === bytes && r.fromOrigin > 0);
      if (mixed.length)
        log(`${size(bytes).padStart(10)} ${system.padEnd(10)}: ${mixed.length} run(s) NOT peer-only, left out: `
          + mixed.map((r) => `${(r.total / 1000).toFixed(2)} s with ${size(r.fromOrigin)} from the origin`).join('; '));
      const rs = all.filter((r) => r.system === system && r.bytes === bytes && r.fromOrigin === 0);
      if (!rs.length) continue;
      per[system] = { total: median(rs.map((r) => r.total)), first: median(rs.map((r) => r.first)) };
      log(`${size(bytes).padStart(10)} ${system.padEnd(10)}: ${(per[system].total / 1000).toFixed(3)} s [${rs.map((r) => (r.total / 1000).toFixed(2)).join(' ')}], `
        + `browsers' CPU ${(median(rs.map((r) => r.cpuMs)) / (bytes / 1048576)).toFixed(0)} ms/MiB [${rs.map((r) => (r.cpuMs / (bytes / 1048576)).toFixed(0)).join(' ')}], `
        + `first byte ${per[system].first.toFixed(0)} ms [${rs.map((r) => r.first.toFixed(0)).join(' ')}], `
        + `${((bytes / 1048576) / (per[system].total / 1000)).toFixed(2)} MiB/s; round trip ${median(rs.map((r) => r.sig.rttMs)).toFixed(2)} ms, `
        + `first byte = ${median(rs.map((r) => r.sig.ttfbRtts)).toFixed(1)} round trips, ${median(rs.map((r) => r.sig.criticalRoundTrips))} on the critical path, `
        + `${median(rs.map((r) => r.sig.out))} out / ${median(rs.map((r) => r.sig.in))} in before it`);
    }
    if (per.circlecdn && per.webtorrent)
      log(`${size(bytes).padStart(10)} ratio WebTorrent / CircleCDN: ${(per.webtorrent.total / per.circlecdn.total).toFixed(2)}x to verified bytes, ${(per.webtorrent.first / per.circlecdn.first).toFixed(2)}x to first byte (target at 10 MiB: >= 1.5x)`);
  }
}

// ---- main ------------------------------------------------------------------------------------
if (!existsSync(BIN)) {
  console.error(`server binary ${BIN} not found: cmake --preset release && cmake --build --preset release --target circlecdn, or set CIRCLECDN_BIN`);
  process.exit(2);
}
if (!existsSync(join(ROOT, 'client/dist/circlecdn.iife.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
if (SYSTEMS.includes('webtorrent')) execFileSync('bash', [join(ANCHORS, 'install.sh')], { stdio: 'inherit' });
const plan = SIZES.reduce((n, b) => n + runsFor(b) * SYSTEMS.length * (2 * READY_MS + 2 * transferMs(b) + 60_000), 0);
const watchdog = setTimeout(() => {
  console.error('browser: the benchmark exceeded its deadline; killing browsers');
  for (const pid of ownChromiumPids()) try { process.kill(pid, 'SIGKILL'); } catch {}
  process.exit(1);
}, plan);
watchdog.unref();

const site = makeSite();
const all = [];
let failed = false;
try {
  log(`browser to browser: server ${BIN}, sizes ${SIZES.map(size).join(', ')}, systems ${SYSTEMS.join(',')}, WebTorrent adds the ${WT_ADD} (store ${WT_STORE}), load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  for (const bytes of SIZES) {
    for (let run = 1; run <= runsFor(bytes); run++) {
      // Alternate the order (a b, b a, ...) so drift in the machine's load hits both systems.
      const order = run % 2 ? SYSTEMS : [...SYSTEMS].reverse();
      for (const [i, system] of order.entries()) all.push(await oneRun(site, system, bytes, run, i + 1));
    }
  }
  report(all);
  writeOutputs(all);
  const mixed = all.filter((r) => r.fromOrigin > 0).length;
  if (mixed && !ALLOW_ORIGIN) {
    failed = true;
    console.error(`browser: FAIL ${mixed} CircleCDN run(s) took bytes from the origin (see above; --allow-origin to accept)`);
  }
} catch (e) {
  failed = true;
  console.error(`browser: FAIL ${e.stack ?? e}`);
  if (all.length) writeOutputs(all);
} finally {
  await closeBrowsers(openVisitors);
  rmSync(site.dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
