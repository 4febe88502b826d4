#!/usr/bin/env node
// Flash crowd (issue 5, docs/benchmarks.md "Flash crowd"): N Chromium visitors arrive within about
// a second at a page with one large resource, the origin capped at RATE bytes/s in total.
//   (a) crowd:  the page loads /.circlecdn/circlecdn.iife.js with data-circle-auto and gets the
//               resource with circlecdn.fetch() (store → peers → origin);
//   (b) origin: the same page with data-circle-auto="off" (the operator switch: plain origin fetch).
// Per visitor: time from its navigation to the resource (verified SHA-256 in the page), bytes from
// peers and from the origin. Per run: time from the first arrival until the last visitor is done.
// /.circlecdn/stats is sampled every 250 ms (origin_capped_bytes) for the origin-bytes/s plot.
// Nothing is asserted about timing; the run fails only when the harness breaks (wrong bytes,
// a visitor that never finishes, a server that does not start).
//
//   node bench/flash/run.mjs [--n 8] [--size 10485760] [--rate 2097152] [--runs 3]
//                            [--modes crowd,origin] [--spread-ms 1000] [--out DIR] [--png PATH] [--smoke]
// Env: FLASH_N, FLASH_SIZE, FLASH_RATE, FLASH_RUNS, FLASH_MODES, FLASH_SPREAD_MS, FLASH_OUT, FLASH_PNG
// (flags win), CIRCLECDN_BIN or CIRCLECDN (server binary; else $BUILD_DIR/server/circlecdn, else
// build/release/server/circlecdn), FLASH_CLIENT_DIR (the library bundles served, default client/dist: point
// it at a copy so a rebuild in a shared tree does not change the library mid-run), CHROMIUM_BIN. --smoke: N=2, 1 MiB, cap 512 KiB/s, one run of each mode, no PNG.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer as startCirclecdn } from '../../e2e/support/server.mjs';
import { closeBrowsers, descendants, machineCpuMs, ownChromiumPids } from '../support/procs.mjs';
import { log, size, sleep, step } from '../../e2e/support/util.mjs';
import { all as openVisitors, chromiumVisitor } from '../../e2e/support/visitors.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RESOURCE = '/big.bin';
const SAMPLE_MS = 250;
const GOTO_MS = 30_000;

// ---- options ---------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const SMOKE = argv.includes('--smoke') || process.env.FLASH_SMOKE === '1';
const opt = (name, env, dflt, smokeVal) => flag(name) ?? process.env[env] ?? (SMOKE && smokeVal !== undefined ? smokeVal : dflt);
const N = Number(opt('n', 'FLASH_N', 8, 2));
const SIZE = Number(opt('size', 'FLASH_SIZE', 10 * 1048576, 1048576));
const RATE = Number(opt('rate', 'FLASH_RATE', 2 * 1048576, 524288));
const RUNS = Number(opt('runs', 'FLASH_RUNS', 3, 1));
const MODES = String(opt('modes', 'FLASH_MODES', 'crowd,origin')).split(',').filter(Boolean);
const SPREAD_MS = Number(opt('spread-ms', 'FLASH_SPREAD_MS', 1000, 300));
const OUT = resolve(opt('out', 'FLASH_OUT', join(ROOT, 'bench/out/flash'), join(tmpdir(), 'circlecdn-flash-smoke')));
const PNG = SMOKE ? '' : opt('png', 'FLASH_PNG', join(ROOT, 'docs/img/bench-flash.png'));
const BUILD_DIR = process.env.BUILD_DIR ? resolve(ROOT, process.env.BUILD_DIR) : join(ROOT, 'build/release');
const CLIENT_DIR = resolve(ROOT, process.env.FLASH_CLIENT_DIR ?? 'client/dist');
const BIN = process.env.CIRCLECDN_BIN ?? process.env.CIRCLECDN ?? join(BUILD_DIR, 'server/circlecdn');
for (const m of MODES) if (m !== 'crowd' && m !== 'origin') throw new Error(`unknown mode ${m}`);
if (!(N >= 1 && SIZE > 0 && RATE > 0 && RUNS >= 1)) throw new Error('bad --n/--size/--rate/--runs');
// Origin-only needs at least N × SIZE / RATE; give every fetch three times that, and 90 s at least.
const RESOURCE_MS = Math.max(90_000, Math.ceil((3 * N * SIZE * 1000) / RATE));
const RUN_MS = RESOURCE_MS + 120_000 + N * 30_000; // the whole run, launches included

// ---- the site --------------------------------------------------------------------------------
// Deterministic, incompressible bytes (xorshift32), so every run serves the same file.
function makeResource(bytes) {
  const buf = Buffer.alloc(bytes);
  let x = 0x9e3779b9;
  for (let i = 0; i + 4 <= bytes; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeUInt32LE(x >>> 0, i);
  }
  return buf;
}

// One page, two modes. The library's own `resource` event gives fromPeers/fromOrigin; the page
// records wall-clock times and checks the SHA-256 of what it got.
const page = (auto) => `<!doctype html>
<meta charset="utf-8">
<title>CircleCDN flash crowd (${auto === 'off' ? 'origin only' : 'crowd'})</title>
<script src="/.circlecdn/circlecdn.iife.js" data-circle-auto="${auto}"></script>
<script>
  const cdn = window.circlecdn;
  for (const t of ['ready', 'peerconnect', 'peerclose', 'verifyfailure', 'servererror'])
    cdn.addEventListener(t, (e) => console.log('circlecdn', t, JSON.stringify(e.detail)));
  let detail = null;
  const items = {};
  const itemLog = []; // [ms since epoch, source, why, peer] per item, for items.csv
  cdn.addEventListener('item', (e) => {
    const k = e.detail.source + (e.detail.why ? ':' + e.detail.why : '');
    items[k] = (items[k] || 0) + 1;
    itemLog.push([performance.timeOrigin + performance.now(), e.detail.source, e.detail.why || '', e.detail.peer || '']);
  });
  performance.setResourceTimingBufferSize(10000);
  cdn.addEventListener('resource', (e) => { if (e.detail.url.endsWith('${RESOURCE}')) detail = e.detail; });
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
  window.flash = (async () => {
    const start = performance.timeOrigin + performance.now();
    const buf = await (await cdn.fetch('${RESOURCE}')).arrayBuffer();
    const done = performance.timeOrigin + performance.now();
    const sha256 = hex(await crypto.subtle.digest('SHA-256', buf));
    const d = detail ?? { fromPeers: 0, fromOrigin: cdn.optedOut ? buf.byteLength : 0, fromStore: 0 };
    // Origin requests for the resource as the browser saw them: [responseStart, responseEnd, bytes].
    const wire = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('${RESOURCE}'))
      .map((e) => [performance.timeOrigin + e.responseStart, performance.timeOrigin + e.responseEnd, e.encodedBodySize]);
    return { navStart: performance.timeOrigin, start, done, bytes: buf.byteLength, sha256,
             fromPeers: d.fromPeers, fromOrigin: d.fromOrigin, fromStore: d.fromStore,
             optedOut: cdn.optedOut, items, itemLog, peerId: cdn.peerId, wire, stats: JSON.parse(JSON.stringify(cdn.stats)) };
  })().catch((e) => ({ error: String(e && e.stack || e) }));
</script>
<p>flash crowd bench: one ${SIZE}-byte resource.</p>
`;

function makeSite() {
  const dir = mkdtempSync(join(tmpdir(), 'circlecdn-flash-'));
  const data = makeResource(SIZE);
  writeFileSync(join(dir, RESOURCE.slice(1)), data);
  writeFileSync(join(dir, 'crowd.html'), page(''));
  writeFileSync(join(dir, 'origin.html'), page('off'));
  const sha256 = execFileSync('sha256sum', [join(dir, RESOURCE.slice(1))]).toString().split(' ')[0];
  return { dir, sha256 };
}

// ---- the server ------------------------------------------------------------------------------
function startServer(site) {
  const args = ['--origin-rate-limit', String(RATE), '--log-level', 'warn'];
  return startCirclecdn({ bin: BIN, site, clientDir: CLIENT_DIR, root: ROOT, args, quiet: true });
}


// CPU accounting for "what bounds the crowd": jiffies of the whole machine (/proc/stat) and of
// every process below this one (the Chromiums with their renderer, GPU and network processes,
// and the server), read at the first arrival and when the last visitor is done.
function cpuNow() {
  const { totalMs, busyMs } = machineCpuMs();
  let ours = 0;
  const byKind = {}; // Chromium process type (--type=renderer, utility = network service, ...) or server
  for (const q of descendants()) {
    ours += q.cpuMs;
    let kind = 'other';
    try {
      const cmd = readFileSync(`/proc/${q.pid}/cmdline`, 'utf8');
      kind = /circlecdn/.test(cmd.split('\0')[0]) ? 'server' : (/--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser');
    } catch {} // the process ended while we read
    byKind[kind] = (byKind[kind] ?? 0) + q.cpuMs;
  }
  return { totalMs, busyMs, ours, byKind };
}
// CPU-seconds between two readings: the whole machine's busy time, ours (browsers + server), the rest.
function cpuSpent(a, b) {
  const busy = (b.busyMs - a.busyMs) / 1000;
  const ours = Math.max(0, b.ours - a.ours) / 1000;
  const kinds = Object.keys(b.byKind).map((k) => `${k} ${((b.byKind[k] - (a.byKind[k] ?? 0)) / 1000).toFixed(1)}`).join(', ');
  return { busyS: busy, oursS: ours, othersS: Math.max(0, busy - ours), busyFrac: (b.busyMs - a.busyMs) / (b.totalMs - a.totalMs || 1), kinds };
}

// ---- one run ---------------------------------------------------------------------------------
async function oneRun(site, mode, run) {
  const server = await startServer(site.dir);
  const visitors = [];
  const samples = [];
  let sampling = true;
  try {
    log(`\n--- ${mode} run ${run}: ${N} visitors, ${size(SIZE)}, origin capped at ${size(RATE)}/s (server pid ${server.pid})`);
    // Launch every browser first (launch time is not part of the crowd), one after another.
    for (let i = 0; i < N; i++) {
      const v = await chromiumVisitor(`v${i + 1}`);
      visitors.push(v);
    }
    const s0 = await server.stats();
    const t0 = Date.now();
    const cpu0 = cpuNow();
    const sampler = (async () => {
      while (sampling) {
        try {
          const s = await server.stats();
          samples.push({ t: (Date.now() - t0) / 1000, origin: s.origin_capped_bytes - s0.origin_capped_bytes,
            waits: s.origin_cap_waits - s0.origin_cap_waits, matches: s.matches, misses: s.misses });
        } catch {}
        await sleep(SAMPLE_MS);
      }
    })();
    // Arrivals spread evenly over SPREAD_MS; each visitor then waits for its own resource.
    const results = await Promise.all(visitors.map(async (v, i) => {
      await sleep(N > 1 ? Math.round((i * SPREAD_MS) / (N - 1)) : 0);
      const arrive = Date.now();
      await v.goto(`${server.url}/${mode}.html`, GOTO_MS);
      const r = await v.evaluate(`gets ${RESOURCE}`, RESOURCE_MS, () => window.flash);
      if (r.error) throw new Error(`${v.name}: ${r.error}\n${v.evidence()}`);
      if (r.sha256 !== site.sha256 || r.bytes !== SIZE) throw new Error(`${v.name}: wrong bytes (${r.bytes} B, ${r.sha256})`);
      return { name: v.name, arrive: arrive - t0, navStart: r.navStart - t0, done: r.done - t0, ttr: r.done - r.navStart,
        fromPeers: r.fromPeers, fromOrigin: r.fromOrigin, fromStore: r.fromStore, uploaded: r.stats.bytesUploaded,
        items: r.items, peerId: r.peerId, itemLog: r.itemLog.map(([t, ...rest]) => [t - t0, ...rest]),
        wire: r.wire.map(([a, b, n]) => [a - t0, b - t0, n]) };
    }));
    const cpu = cpuSpent(cpu0, cpuNow());
    sampling = false;
    await sampler;
    const sEnd = await server.stats();
    for (const r of results)
      log(`  ${r.name}: arrived ${(r.arrive / 1000).toFixed(2)} s, done ${(r.done / 1000).toFixed(2)} s, time to resource ${(r.ttr / 1000).toFixed(2)} s, peers ${size(r.fromPeers)}, origin ${size(r.fromOrigin)}; items ${JSON.stringify(r.items)}`);
    const last = Math.max(...results.map((r) => r.done)) / 1000;
    const peers = results.reduce((n, r) => n + r.fromPeers, 0);
    const total = results.reduce((n, r) => n + r.fromPeers + r.fromOrigin + r.fromStore, 0);
    const originBytes = sEnd.origin_capped_bytes - s0.origin_capped_bytes;
    const summary = { mode, run, last, peers, total, offload: total ? peers / total : 0, originBytes,
      capWaits: sEnd.origin_cap_waits - s0.origin_cap_waits, wants: sEnd.wants - s0.wants,
      matches: sEnd.matches - s0.matches, misses: sEnd.misses - s0.misses, cpu, visitors: results, samples };
    log(`  => last visitor done after ${last.toFixed(2)} s; offload ${(100 * summary.offload).toFixed(1)}% (${size(peers)} of ${size(total)}); origin sent ${size(originBytes)} through the cap (${summary.capWaits} waits); tracker wants ${summary.wants}, matches ${summary.matches}, misses ${summary.misses}`);
    log(`  => CPU from the first arrival to the last done: machine ${(100 * cpu.busyFrac).toFixed(0)}% busy (${cpu.busyS.toFixed(1)} CPU-s), browsers + server ${cpu.oursS.toFixed(1)} CPU-s, other processes ${cpu.othersS.toFixed(1)} CPU-s; ours by process type: ${cpu.kinds}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    return summary;
  } catch (e) {
    for (const v of visitors) log(v.evidence());
    log(`[server stderr]\n${server.err().slice(-4000)}`);
    throw e;
  } finally {
    sampling = false;
    await closeBrowsers(openVisitors);
    await server.stop();
  }
}

// ---- report ----------------------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// Origin bytes/s over time: differences of origin_capped_bytes between samples, over a 1 s window.
function rateSeries(samples) {
  const out = [];
  for (let i = 0; i < samples.length; i++) {
    let j = i;
    while (j > 0 && samples[i].t - samples[j - 1].t <= 1.0001) j--;
    const a = j < i ? samples[j] : { t: 0, origin: 0 };
    const dt = samples[i].t - a.t;
    out.push({ t: samples[i].t, origin: samples[i].origin, rate: dt > 0 ? (samples[i].origin - a.origin) / dt : 0 });
  }
  return out;
}

// Origin bytes/s as the browsers received them (Resource Timing of every origin request for the
// resource, its bytes spread evenly from responseStart to responseEnd), in 250 ms bins, then a 1 s
// moving average. The server's origin_capped_bytes counts bytes when the bucket grants them (it may
// go into debt by a slice per connection), so its 250 ms differences lead the wire in bursts.
function wireSeries(s) {
  const reqs = s.visitors.flatMap((v) => v.wire);
  const end = Math.max(s.last * 1000, ...reqs.map((r) => r[1]));
  const bin = SAMPLE_MS;
  const bins = new Array(Math.ceil(end / bin) + 1).fill(0);
  for (const [a, b, n] of reqs) {
    if (!(b > a)) {
      bins[Math.max(0, Math.floor(b / bin))] += n;
      continue;
    }
    for (let k = Math.max(0, Math.floor(a / bin)); k * bin < b; k++) {
      const lo = Math.max(a, k * bin);
      const hi = Math.min(b, (k + 1) * bin);
      if (hi > lo) bins[k] += (n * (hi - lo)) / (b - a);
    }
  }
  const per = 1000 / bin;
  return bins.map((_, k) => {
    let sum = 0;
    for (let j = Math.max(0, k - per + 1); j <= k; j++) sum += bins[j];
    return { t: ((k + 1) * bin) / 1000, bytes: bins[k], rate: sum / (Math.min(k + 1, per) * bin / 1000) };
  });
}

function writeOutputs(all) {
  mkdirSync(OUT, { recursive: true });
  const csv = ['mode,run,t_end_s,origin_bytes_in_bin,origin_bytes_per_s_1s'];
  for (const s of all) for (const p of wireSeries(s)) csv.push(`${s.mode},${s.run},${p.t.toFixed(3)},${Math.round(p.bytes)},${Math.round(p.rate)}`);
  writeFileSync(join(OUT, 'origin-over-time.csv'), csv.join('\n') + '\n');
  const st = ['mode,run,t_s,origin_capped_bytes,origin_capped_bytes_per_s_1s,origin_cap_waits,matches,misses'];
  for (const s of all) {
    const rs = rateSeries(s.samples);
    s.samples.forEach((p, i) => st.push(`${s.mode},${s.run},${p.t.toFixed(3)},${p.origin},${Math.round(rs[i].rate)},${p.waits},${p.matches},${p.misses}`));
  }
  writeFileSync(join(OUT, 'stats-samples.csv'), st.join('\n') + '\n');
  const vis = ['mode,run,visitor,arrive_s,done_s,time_to_resource_s,from_peers,from_origin,from_store,uploaded'];
  for (const s of all)
    for (const r of s.visitors)
      vis.push([s.mode, s.run, r.name, (r.arrive / 1000).toFixed(3), (r.done / 1000).toFixed(3), (r.ttr / 1000).toFixed(3), r.fromPeers, r.fromOrigin, r.fromStore, r.uploaded].join(','));
  writeFileSync(join(OUT, 'visitors.csv'), vis.join('\n') + '\n');
  // Every item as it became ready in each page: when, from where, why (origin), from which visitor.
  const its = ['mode,run,visitor,t_s,source,why,from_visitor'];
  for (const s of all) {
    const names = new Map(s.visitors.map((r) => [r.peerId, r.name]));
    for (const r of s.visitors)
      for (const [t, source, why, peer] of r.itemLog) its.push([s.mode, s.run, r.name, (t / 1000).toFixed(3), source, why, names.get(peer) ?? peer].join(','));
  }
  writeFileSync(join(OUT, 'items.csv'), its.join('\n') + '\n');
  const runs = ['mode,run,last_done_s,offload,from_peers,total,origin_capped_bytes,origin_cap_waits,wants,matches,misses,machine_busy,machine_cpu_s,ours_cpu_s,others_cpu_s'];
  for (const s of all)
    runs.push([s.mode, s.run, s.last.toFixed(3), s.offload.toFixed(4), s.peers, s.total, s.originBytes, s.capWaits, s.wants, s.matches, s.misses,
      s.cpu.busyFrac.toFixed(3), s.cpu.busyS.toFixed(2), s.cpu.oursS.toFixed(2), s.cpu.othersS.toFixed(2)].join(','));
  writeFileSync(join(OUT, 'runs.csv'), runs.join('\n') + '\n');
  log(`\nwrote ${join(OUT, 'origin-over-time.csv')}, stats-samples.csv, visitors.csv, items.csv, runs.csv`);
}

// The plot: origin bytes/s (1 s window) over time, for the median run of each mode.
function plot(all) {
  if (!PNG) return;
  const lines = [];
  for (const mode of MODES) {
    const runs = all.filter((s) => s.mode === mode);
    if (!runs.length) continue;
    const med = median(runs.map((s) => s.last));
    const pick = runs.reduce((b, s) => (Math.abs(s.last - med) < Math.abs(b.last - med) ? s : b));
    const f = join(OUT, `plot-${mode}.dat`);
    writeFileSync(f, [`0 0`, ...wireSeries(pick).map((p) => `${p.t.toFixed(3)} ${(p.rate / 1048576).toFixed(4)}`)].join('\n') + '\n');
    const title = mode === 'crowd' ? `with the crowd (run ${pick.run}, last done ${pick.last.toFixed(1)} s)` : `origin only (run ${pick.run}, last done ${pick.last.toFixed(1)} s)`;
    lines.push(`'${f}' using 1:2 with lines lw 2 title '${title}'`);
  }
  const gp = [
    `set terminal pngcairo size 800,420 font 'sans,10'`,
    `set output '${PNG}'`,
    `set title 'Flash crowd: ${N} Chromium visitors, one ${size(SIZE)} file, origin capped at ${size(RATE)}/s'`,
    `set xlabel 'seconds since the first visitor arrived'`,
    `set ylabel 'origin bytes received by the visitors, MiB/s (1 s avg)'`,
    `set grid`, `set key top right`, `set yrange [0:*]`, `set xrange [0:*]`,
    `plot ${lines.join(', ')}, ${RATE / 1048576} with lines dt 2 lc rgb 'gray' title 'origin cap'`,
  ].join('\n');
  writeFileSync(join(OUT, 'plot.gp'), gp + '\n');
  mkdirSync(dirname(PNG), { recursive: true });
  execFileSync('gnuplot', [join(OUT, 'plot.gp')], { stdio: 'inherit' });
  log(`wrote ${PNG}`);
}

function report(all) {
  log(`\n=== flash crowd: N=${N}, ${size(SIZE)} resource, origin cap ${size(RATE)}/s, arrivals over ${SPREAD_MS} ms, ${RUNS} run(s) per mode`);
  const per = {};
  for (const mode of MODES) {
    const runs = all.filter((s) => s.mode === mode);
    if (!runs.length) continue;
    per[mode] = { last: median(runs.map((s) => s.last)), offload: median(runs.map((s) => s.offload)),
      ttr: median(runs.flatMap((s) => s.visitors.map((v) => v.ttr / 1000))), lasts: runs.map((s) => s.last.toFixed(2)).join(' / '),
      offloads: runs.map((s) => (100 * s.offload).toFixed(1)).join(' / ') };
    log(`${mode.padEnd(6)}: last visitor done ${per[mode].last.toFixed(2)} s (runs: ${per[mode].lasts}); median time to resource ${per[mode].ttr.toFixed(2)} s; offload ${(100 * per[mode].offload).toFixed(1)}% (runs: ${per[mode].offloads})`);
  }
  const limit = N > 1 ? (N - 1) / N : 0;
  if (per.crowd) log(`offload ${(100 * per.crowd.offload).toFixed(1)}% vs limit (n-1)/n = ${(100 * limit).toFixed(1)}%: ${(100 * per.crowd.offload / (limit || 1)).toFixed(1)}% of the limit (target >= 95%)`);
  if (per.crowd && per.origin) log(`ratio origin-only / crowd (last visitor done): ${(per.origin.last / per.crowd.last).toFixed(2)}x (target >= 5x, limit ${N}x)`);
  log(`origin-only lower bound: N x size / rate = ${((N * SIZE) / RATE).toFixed(1)} s`);
}

// ---- main ------------------------------------------------------------------------------------
if (!existsSync(BIN)) {
  console.error(`server binary ${BIN} not found: cmake --preset release && cmake --build --preset release --target circlecdn, or set CIRCLECDN_BIN`);
  process.exit(2);
}
if (!existsSync(join(CLIENT_DIR, 'circlecdn.iife.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
const watchdog = setTimeout(() => {
  console.error(`flash: a run exceeded its deadline; killing browsers`);
  for (const pid of ownChromiumPids()) try { process.kill(pid, 'SIGKILL'); } catch {}
  process.exit(1);
}, RUN_MS * RUNS * MODES.length + 60_000);
watchdog.unref();

const site = makeSite();
const all = [];
let failed = false;
try {
  log(`flash crowd: server ${BIN}, client ${CLIENT_DIR}, N=${N}, ${size(SIZE)}, cap ${size(RATE)}/s, runs ${RUNS}, modes ${MODES.join(',')}, load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  for (let run = 1; run <= RUNS; run++) {
    // Alternate the order (a b, b a, ...) so drift in the machine's load hits both modes.
    const order = run % 2 ? MODES : [...MODES].reverse();
    for (const mode of order) {
      let timer;
      try {
        all.push(await Promise.race([oneRun(site, mode, run), new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`${mode} run ${run} exceeded ${RUN_MS} ms`)), RUN_MS)))]));
      } finally {
        clearTimeout(timer);
      }
    }
  }
  report(all);
  writeOutputs(all);
  plot(all);
} catch (e) {
  failed = true;
  console.error(`flash: FAIL ${e.stack ?? e}`);
  if (all.length) writeOutputs(all);
} finally {
  await closeBrowsers(openVisitors);
  rmSync(site.dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
