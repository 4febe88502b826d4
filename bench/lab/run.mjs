#!/usr/bin/env node
// Across NATs (issue 10, docs/benchmarks.md "Across NATs"): the demo gallery loaded by Chromium
// visitors in the WAN lab (lab/lab.sh: one visitor per home, behind port-restricted, symmetric and
// full-cone NATs, 20-80 ms RTT, 0.5 % loss, 10/50 Mbit/s), from the real server in the lab's
// origin over HTTPS (lab CA) with STUN and TURN from the lab's coturn. CircleCDN (crowd.html: the
// library) against the same server and images without the library (plain.html: <img src>), in
// the same run, alternating order (bench/lab/pages.mjs says what each page measures).
//   steady    origin uplink 100 Mbit/s, visitors arrive one every --spacing-ms: page load p50/p95
//   flash     origin uplink 10 Mbit/s, all visitors within --spread-ms: time until every visitor
//             is done, offload = bytes from peers / all bytes, against its limit (n-1)/n
//   setup     (from the crowd runs of steady and flash) time from a match to the first byte of a
//             new pairing, per NAT kinds of wanter and holder; pairings through TURN; TURN bytes
//   failfast  one holder (h1) has the gallery, then becomes unreachable (its home drops UDP and
//             TCP to the TURN port) or silent (its channel sends nothing); a visitor in h2 loads
//             the gallery: each item's wait from its want to the origin request, against the
//             welcome's connect_timeout + first_byte_timeout; plain.html in h2 as the reference
// Nothing about timing is asserted; a run fails when the harness breaks (an image that does not
// decode, a page error, a server that does not start).
//
//   node bench/lab/run.mjs [--cases steady,flash,failfast] [--n 8] [--runs 3] [--modes crowd,plain]
//                          [--spacing-ms 5000] [--spread-ms 1000] [--faults unreachable,silent]
//                          [--loss PCT] [--out DIR] [--no-plots] [--keep-lab] [--smoke] [--report-only]
// Env: LAB_PREFIX (default cclb-: a lab of its own beside others), CIRCLECDN_BIN or CIRCLECDN (else
// $BUILD_DIR/server/circlecdn, else build/release/server/circlecdn), LAB_BENCH_CLIENT_DIR (bundles
// served; default client/dist: point it at a copy in a shared tree).
// --smoke: 2 visitors, steady only, one run of each mode, no plots (about 40 s). --loss: an
// experiment (what the lab's 0.5 % costs); --report-only: the report and plots again from OUT.
// Output: OUT/<case>-<mode>-<run>.json per run, OUT/summary.json, OUT/*.dat + *.gp, PNGs in docs/img/.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.env.LAB_PREFIX ??= 'cclb-';
const { LAB_SH, labEnv, labExec, labSpawn, Visitor } = await import('../../lab/support/lab.mjs');
const { machineCpuMs, descendants } = await import('../support/procs.mjs');
const { writePages, RESULT_EXPR } = await import('./pages.mjs');

// ---- options ---------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const SMOKE = argv.includes('--smoke');
const opt = (name, dflt, smokeVal) => flag(name) ?? (SMOKE && smokeVal !== undefined ? smokeVal : dflt);
const CASES = String(opt('cases', 'steady,flash,failfast', 'steady')).split(',').filter(Boolean);
const N = Number(opt('n', 8, 2));
const RUNS = Number(opt('runs', 3, 1));
const MODES = String(opt('modes', 'crowd,plain')).split(',').filter(Boolean);
const SPACING_MS = Number(opt('spacing-ms', 5000, 3000));
const SPREAD_MS = Number(opt('spread-ms', 1000));
const FAULTS = String(opt('faults', 'unreachable,silent')).split(',').filter(Boolean);
const LOSS = flag('loss'); // every home's loss (percent each way) for this invocation; the lab's own after it
const OUT = resolve(opt('out', join(ROOT, 'bench/out/lab'), join(tmpdir(), 'circlecdn-lab-smoke')));
const PLOTS = !SMOKE && !argv.includes('--no-plots');
const KEEP_LAB = argv.includes('--keep-lab');
const BUILD_DIR = process.env.BUILD_DIR ? resolve(ROOT, process.env.BUILD_DIR) : join(ROOT, 'build/release');
const BIN = process.env.CIRCLECDN_BIN ?? process.env.CIRCLECDN ?? join(BUILD_DIR, 'server/circlecdn');
const CLIENT_DIR = resolve(ROOT, process.env.LAB_BENCH_CLIENT_DIR ?? 'client/dist');
const RATES = { steady: '100mbit', flash: '10mbit', failfast: '100mbit' };
const PORT = 443;
const START_MS = 20_000;
const GOTO_MS = 60_000;
const LOAD_MS = { steady: 120_000, flash: 300_000, failfast: 120_000 };
const ANNOUNCE_MS = 60_000;
const SETTLE_MS = 1_500; // after the last visitor: TURN sessions close, coturn logs their usage
for (const c of CASES) if (!['steady', 'flash', 'failfast'].includes(c)) throw new Error(`unknown case ${c}`);
for (const m of MODES) if (!['crowd', 'plain', 'off'].includes(m)) throw new Error(`unknown mode ${m}`);
for (const f of FAULTS) if (!['unreachable', 'silent'].includes(f)) throw new Error(`unknown fault ${f}`);
if (!(N >= 1 && RUNS >= 1)) throw new Error('bad --n/--runs');

const log = (...a) => console.log(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
function quantile(xs, q) { // nearest rank
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const range = (xs, f = (x) => x.toFixed(2)) => xs.map(f).join(' / ');

// ---- the lab ---------------------------------------------------------------------------------
function lab(...args) {
  return execFileSync('bash', [LAB_SH, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}
let startedLab = false;
function labUp() {
  let up = false;
  try {
    up = /: up;/.test(lab('status'));
  } catch {}
  if (!up) {
    lab('up', '--homes', String(Math.max(N, 2)));
    startedLab = true;
  }
  return labEnv();
}

// The lab's own daemons (nfqdelay per home, coturn) are not our children: CPU by their PID files.
function labDaemonCpuMs(env) {
  const dir = join(env.LAB_RUN, 'pids');
  let nfq = 0;
  let turn = 0;
  for (const f of existsSync(dir) ? execFileSync('ls', [dir], { encoding: 'utf8' }).split('\n').filter(Boolean) : []) {
    try {
      const pid = readFileSync(join(dir, f), 'utf8').split(' ')[0];
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      if (f.startsWith('nfqdelay')) nfq += ms;
      else if (f.startsWith('coturn')) turn += ms;
    } catch {}
  }
  return { nfq, turn };
}
function cpuNow(env) {
  const { totalMs, busyMs } = machineCpuMs();
  const kinds = { browsers: 0, server: 0 };
  for (const q of descendants()) {
    let kind = 'browsers';
    try {
      if (/circlecdn$/.test(readFileSync(`/proc/${q.pid}/cmdline`, 'utf8').split('\0')[0])) kind = 'server';
    } catch {}
    kinds[kind] += q.cpuMs;
  }
  const d = labDaemonCpuMs(env);
  return { totalMs, busyMs, ...kinds, nfqdelay: d.nfq, coturn: d.turn };
}
function cpuSpent(a, b) {
  const s = (k) => Math.max(0, (b[k] - a[k]) / 1000);
  const busy = s('busyMs');
  const ours = s('browsers') + s('server') + s('nfqdelay') + s('coturn');
  return { wallS: (b.totalMs - a.totalMs) / 1000 / 2, busyFrac: (b.busyMs - a.busyMs) / (b.totalMs - a.totalMs || 1), busyS: busy,
    browsersS: s('browsers'), serverS: s('server'), nfqdelayS: s('nfqdelay'), coturnS: s('coturn'), othersS: Math.max(0, busy - ours) };
}

// Bytes through TURN, counted where coturn runs: the public segment's namespace only forwards
// (FORWARD) for everyone else, so its OUTPUT/INPUT on br0 is coturn's own traffic (STUN answers,
// TURN to clients and from relay ports to peers; relay-to-relay between two allocations stays on
// lo and is not counted twice). Counting rules in a chain of our own, zeroed per run.
const TURN_CHAIN = 'LABBENCH';
function turnCounters(reset) {
  const ipt = (...a) => labExec('pub', ['iptables-nft', '-w', ...a], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (reset) {
    try { ipt('-N', TURN_CHAIN); } catch {}
    ipt('-F', TURN_CHAIN);
    ipt('-A', TURN_CHAIN, '-o', 'br0', '-m', 'comment', '--comment', 'out');
    ipt('-A', TURN_CHAIN, '-i', 'br0', '-m', 'comment', '--comment', 'in');
    for (const c of ['OUTPUT', 'INPUT']) try { ipt('-C', c, '-j', TURN_CHAIN); } catch { ipt('-I', c, '-j', TURN_CHAIN); }
    return null;
  }
  const text = ipt('-L', TURN_CHAIN, '-v', '-x', '-n');
  const bytes = (tag) => Number(new RegExp(`^\\s*\\d+\\s+(\\d+).*/\\* ${tag} \\*/`, 'm').exec(text)?.[1] ?? NaN);
  return { sentBytes: bytes('out'), receivedBytes: bytes('in') };
}

// ---- the server ------------------------------------------------------------------------------
// /.circlecdn/stats needs the operator token; a fresh one per run.
const OPERATOR_TOKEN = randomBytes(18).toString('base64url');
async function startServer(env, site, secretFile) {
  const args = [BIN, 'serve', site, '--listen', `${env.LAB_SERVER_IP}:${PORT}`, '--client-dir', CLIENT_DIR,
    '--tls-cert', env.LAB_TLS_CERT, '--tls-key', env.LAB_TLS_KEY, '--stun', `stun:${env.LAB_STUN}`,
    '--turn', `turn:${env.LAB_TURN}?transport=udp`, '--turn', `turn:${env.LAB_TURN}?transport=tcp`,
    '--turn-secret-file', secretFile, '--log-level', 'warn', '--operator-token', OPERATOR_TOKEN];
  const child = labSpawn('origin', args);
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-100_000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-100_000)));
  const exited = new Promise((r) => child.on('exit', (code, signal) => r(code ?? signal)));
  const t0 = Date.now();
  while (!/listening on https:\/\//.test(out)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited:\n${out}`);
    if (Date.now() - t0 > START_MS) throw new Error(`server did not listen within ${START_MS} ms:\n${out}`);
    await sleep(50);
  }
  const base = `https://${env.LAB_SERVER_IP}${PORT === 443 ? '' : ':' + PORT}`;
  return {
    base,
    out: () => out,
    stats() {
      const text = labExec('origin', ['curl', '-sS', '--max-time', '5', '--cacert', env.LAB_CA,
        '-H', `Authorization: Bearer ${OPERATOR_TOKEN}`, `${base}/.circlecdn/stats`]);
      return JSON.parse(text);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8_000);
      await exited;
      clearTimeout(t);
    },
  };
}

// ---- visitors --------------------------------------------------------------------------------
async function launch(env, homes) {
  const t0 = Date.now();
  const vs = [];
  try {
    for (const h of homes) vs.push(Object.assign(await Visitor.open(h.name, { browser: 'chromium', ca: env.LAB_CA }), { home: h }));
  } catch (e) {
    await Promise.all(vs.map((v) => v.close()));
    throw e;
  }
  return { visitors: vs, launchS: (Date.now() - t0) / 1000 };
}

// Opens the page and waits for its own measurement. Returns the page's result with host times.
async function visit(v, url, loadMs) {
  const arrive = Date.now();
  await v.goto(url, GOTO_MS, 'commit');
  const r = await v.eval(RESULT_EXPR, loadMs);
  if (!r || r.error) throw new Error(`${v.name}: ${r?.error ?? 'no result'}\n${v.evidence()}`);
  if (r.broken.length || !r.images) throw new Error(`${v.name}: images that did not decode: ${r.broken.join(' ')}`);
  return { ...r, arrive, home: v.home.name, nat: v.home.nat, rttMs: v.home.rttMs, done: r.navStart + r.tDone };
}

// ---- one run of steady or flash ----------------------------------------------------------------
async function crowdRun(env, site, secretFile, kase, mode, run) {
  lab('shape', 'origin', 'rate', RATES[kase]);
  const server = await startServer(env, site, secretFile);
  const homes = env.homes.slice(0, N);
  let visitors = [];
  try {
    const l = await launch(env, homes);
    visitors = l.visitors;
    const load0 = loadavg();
    const s0 = server.stats();
    turnCounters(true);
    const cpu0 = cpuNow(env);
    const t0 = Date.now();
    const url = `${server.base}/${mode}.html`;
    const results = await Promise.all(visitors.map(async (v, i) => {
      const at = kase === 'flash' ? (N > 1 ? Math.round((i * SPREAD_MS) / (N - 1)) : 0) : i * SPACING_MS;
      await sleep(Math.max(0, t0 + at - Date.now()));
      return visit(v, url, LOAD_MS[kase]);
    }));
    const cpu = cpuSpent(cpu0, cpuNow(env));
    // Every connection's bytes at the end of the run (a visitor keeps serving after its own load).
    if (mode === 'crowd')
      await Promise.all(visitors.map(async (v, i) => {
        const last = await v.eval('window.__probe.finish().then(() => window.__probe.pcs.map((r) => r.last))', 20_000).catch(() => null);
        if (last) results[i].probe.pcs.forEach((r, k) => (r.last = last[k] ?? r.last));
      }));
    const s1 = server.stats();
    const load1 = loadavg();
    await Promise.all(visitors.map((v) => v.close()));
    visitors = [];
    await sleep(SETTLE_MS);
    const turn = turnCounters(false);
    const first = Math.min(...results.map((r) => r.arrive));
    const lastDone = Math.max(...results.map((r) => r.done)) - first;
    const loads = results.map((r) => r.tDone);
    const fromPeers = results.reduce((n, r) => n + (r.stats?.bytesFromPeers ?? 0), 0);
    const total = results.reduce((n, r) => n + (r.stats ? r.stats.bytesFromPeers + r.stats.bytesFromOrigin + r.stats.bytesFromStore : r.httpBytes), 0);
    const summary = { case: kase, mode, run, n: N, originRate: RATES[kase], launchS: l.launchS, loadBefore: load0, loadAfter: load1,
      p50: quantile(loads, 0.5), p95: quantile(loads, 0.95), max: Math.max(...loads), lastDone, fromPeers, total,
      offload: mode === 'crowd' && total ? fromPeers / total : 0,
      originBytes: (s1.origin_bytes ?? s1.bytes_served ?? 0) - (s0.origin_bytes ?? s0.bytes_served ?? 0),
      server: { before: s0, after: s1 }, cpu, turn,
      visitors: results.map((r) => ({ ...r, arrive: r.arrive - first, done: r.done - first })) };
    writeFileSync(join(OUT, `${kase}-${mode}-${run}.json`), JSON.stringify(summary, null, 1));
    log(`  ${kase} ${mode} run ${run}: page load p50 ${sec(summary.p50)}, p95 ${sec(summary.p95)}, max ${sec(summary.max)}; last done ${sec(lastDone)} after the first arrival` +
      (mode === 'crowd' ? `; offload ${(100 * summary.offload).toFixed(1)} % (${mib(fromPeers)} of ${mib(total)})` : '') +
      `; CPU: machine ${(100 * cpu.busyFrac).toFixed(0)} % busy, browsers ${cpu.browsersS.toFixed(1)} s, server ${cpu.serverS.toFixed(1)} s, nfqdelay ${cpu.nfqdelayS.toFixed(1)} s, coturn ${cpu.coturnS.toFixed(1)} s, others ${cpu.othersS.toFixed(1)} s; load ${load0} -> ${load1}`);
    for (const r of summary.visitors)
      log(`    ${r.home} (${r.nat}, ${r.rttMs} ms): arrived ${sec(r.arrive)}, load ${sec(r.tDone)}` +
        (r.stats ? `, peers ${mib(r.stats.bytesFromPeers)}, origin ${mib(r.stats.bytesFromOrigin)}, uploaded ${mib(r.stats.bytesUploaded)}` : ''));
    return summary;
  } finally {
    await Promise.all(visitors.map((v) => v.close()));
    await server.stop();
  }
}

// ---- fail fast ---------------------------------------------------------------------------------
const UNREACHABLE = [['-p', 'udp'], ['-p', 'tcp', '--dport', '3478'], ['-p', 'tcp', '--sport', '3478']];
function fault(home, on) {
  const router = home.name.replace(/^h/, 'r');
  for (const m of UNREACHABLE) {
    try {
      labExec(router, ['iptables-nft', '-w', on ? '-I' : '-D', 'FORWARD', ...m, '-j', 'DROP'], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      if (on) throw e;
    }
  }
  if (on) try { labExec(router, ['conntrack', '-F'], { stdio: ['ignore', 'pipe', 'pipe'] }); } catch {}
}

const galleryFiles = (m) => m.files.filter((f) => f.path.startsWith('/img/') || f.path.startsWith('/media/'));

// Items of the manifest: hash -> {path, range} (range as the library asks for a piece).
function itemsOf(manifest) {
  const byKey = new Map();
  const ps = manifest.piece_size;
  for (const f of manifest.files) {
    if (f.pieces?.length) f.pieces.forEach((h, i) => byKey.set(`${f.path}|bytes=${i * ps}-${Math.min((i + 1) * ps, f.size) - 1}`, h));
    else byKey.set(`${f.path}|`, f.sha256);
  }
  return byKey;
}

function itemWaits(r, byKey) {
  const P = r.probe;
  const firstWant = new Map();
  for (const w of P.wants) if (!firstWant.has(w.hash)) firstWant.set(w.hash, w.t);
  const firstMatch = new Map();
  for (const m of P.matches) if (!firstMatch.has(m.hash)) firstMatch.set(m.hash, m);
  const ready = new Map(P.items.map((i) => [i.hash, i]));
  const out = [];
  for (const f of P.fetches) {
    const path = new URL(f.url, 'https://x').pathname;
    const hash = byKey.get(`${path}|${f.range ?? ''}`);
    if (!hash || !firstWant.has(hash)) continue;
    const it = ready.get(hash);
    out.push({ hash, path, range: f.range, want: firstWant.get(hash), match: firstMatch.get(hash)?.t ?? null,
      holder: firstMatch.get(hash)?.peer ?? null, originStart: f.t, ready: it?.t ?? null, why: it?.why ?? '',
      waitMs: f.t - firstWant.get(hash), originMs: it ? it.t - f.t : null });
  }
  return out;
}

async function failfastRun(env, site, secretFile, kind, run, manifest) {
  lab('shape', 'origin', 'rate', RATES.failfast);
  const server = await startServer(env, site, secretFile);
  const holderHome = env.homes[0];
  const wanterHome = env.homes[1];
  let vs = [];
  try {
    const l = await launch(env, [holderHome, wanterHome, wanterHome]);
    vs = l.visitors;
    const [holder, wanter, reference] = vs;
    const load0 = loadavg();
    const hr = await visit(holder, `${server.base}/crowd.html`, LOAD_MS.failfast);
    const items = galleryFiles(manifest).reduce((n, f) => n + (f.pieces?.length || 1), 0);
    await holder.wait(`window.circlecdn.stats.announced >= ${items}`, ANNOUNCE_MS, 200);
    const deadline = Date.now() + ANNOUNCE_MS;
    while (server.stats().holdings < items) {
      if (Date.now() > deadline) throw new Error('the holder\'s announce did not reach the server');
      await sleep(200);
    }
    if (kind === 'unreachable') fault(holderHome, true);
    else await holder.eval(`(RTCDataChannel.prototype.send = function () {}, true)`, 5_000);
    const order = run % 2 ? ['crowd', 'plain'] : ['plain', 'crowd'];
    const res = {};
    for (const mode of order) res[mode] = await visit(mode === 'crowd' ? wanter : reference, `${server.base}/${mode}.html`, LOAD_MS.failfast);
    const s1 = server.stats();
    const w = res.crowd;
    const waits = itemWaits(w, itemsOf(manifest));
    const budget = (w.probe.welcome?.connect_timeout ?? 5000) + (w.probe.welcome?.first_byte_timeout ?? 3000);
    const badMatches = w.probe.matches.filter((m) => m.peer === hr.peerId);
    const summary = { case: 'failfast', fault: kind, run, loadBefore: load0, loadAfter: loadavg(), budgetMs: budget,
      welcome: w.probe.welcome, holderHome: holderHome.name, wanterHome: wanterHome.name,
      crowdLoad: w.tDone, plainLoad: res.plain.tDone, maxWaitMs: Math.max(0, ...waits.map((x) => x.waitMs)),
      maxTotalMs: Math.max(0, ...waits.filter((x) => x.ready).map((x) => x.ready - x.want)),
      maxOriginMs: Math.max(0, ...waits.filter((x) => x.originMs != null).map((x) => x.originMs)),
      matchesToBadHolder: badMatches.length, dones: w.probe.dones.filter((d) => !d.ok),
      fromPeers: w.stats.bytesFromPeers, fromOrigin: w.stats.bytesFromOrigin, waits,
      server: s1, wanter: w, reference: res.plain };
    writeFileSync(join(OUT, `failfast-${kind}-${run}.json`), JSON.stringify(summary, null, 1));
    const reasons = {};
    for (const d of summary.dones) reasons[d.reason ?? 'none'] = (reasons[d.reason ?? 'none'] ?? 0) + 1;
    log(`  failfast ${kind} run ${run}: worst wait before the origin ${sec(summary.maxWaitMs)} (budget ${sec(budget)}), worst want-to-ready ${sec(summary.maxTotalMs)}, ` +
      `origin time per item <= ${sec(summary.maxOriginMs)}; ${badMatches.length} matches to the bad holder, failed dones ${JSON.stringify(reasons)}; ` +
      `page load ${sec(w.tDone)} (plain ${sec(res.plain.tDone)}); peers ${mib(w.stats.bytesFromPeers)}, origin ${mib(w.stats.bytesFromOrigin)}; load ${load0}`);
    return summary;
  } finally {
    if (kind === 'unreachable') fault(holderHome, false);
    await Promise.all(vs.map((v) => v.close()));
    await server.stop();
  }
}

// ---- connection setup (from the crowd runs) ------------------------------------------------------
const RELAY_IP = '198.51.100.1'; // coturn's relay-ip in the lab
const isRelay = (c) => !!c && (c.type === 'relay' || c.address === RELAY_IP);
function pairings(run) {
  const byPeer = new Map(run.visitors.map((v) => [v.peerId, v]));
  const out = [];
  for (const w of run.visitors) {
    const P = w.probe;
    if (!P) continue;
    // Connections this visitor opened as the wanter (the offerer), named by the peer its offer went to.
    for (const pc of P.pcs) {
      const peer = pc.ufrag ? P.ufragTo[pc.ufrag] : null;
      if (!pc.offerer || !peer) continue;
      // the match that made it: the last connect:true match with that peer before the connection
      const m = P.matches.filter((x) => x.peer === peer && x.connect && x.t <= pc.created + 1).pop();
      if (!m) continue;
      const h = byPeer.get(peer);
      const pair = typeof pc.pair === 'object' ? pc.pair : null;
      const last = pc.last ?? null;
      out.push({ wanter: w.home, holder: h?.home ?? '?', wanterNat: w.nat, holderNat: h?.nat ?? '?',
        openMs: pc.open ? pc.open - m.t : null, ttfbMs: P.first[m.id] ? P.first[m.id] - m.t : null,
        firstFail: P.dones.find((d) => d.id === m.id && !d.ok)?.reason ?? null,
        relay: pair ? isRelay(pair.local) || isRelay(pair.remote) : null, pair: pair && `${pair.local?.type}/${pair.remote?.type}`,
        rttMs: pair?.rttMs ?? null, bytes: last ? last.bytesReceived + last.bytesSent : (pair?.bytesReceived ?? 0) });
    }
  }
  return out;
}
const short = (k) => ({ 'port-restricted': 'prc', symmetric: 'sym', 'full-cone': 'full' })[k] ?? k;
const natPair = (p) => [p.wanterNat, p.holderNat].map(short).sort().join('-');

// ---- report and plots --------------------------------------------------------------------------
function gnuplot(name, script) {
  const gp = join(OUT, `${name}.gp`);
  writeFileSync(gp, script + '\n');
  execFileSync('gnuplot', [gp], { stdio: 'inherit' });
  log(`wrote ${join(ROOT, 'docs/img', `${name}.png`)}`);
}
const PNG = (name) => join(ROOT, 'docs/img', `${name}.png`);

function reportCrowd(all, kase) {
  const runs = all.filter((s) => s.case === kase);
  if (!runs.length) return null;
  const by = (m) => runs.filter((s) => s.mode === m);
  const out = { case: kase, n: N, originRate: RATES[kase] };
  for (const m of MODES) {
    const rs = by(m);
    if (!rs.length) continue;
    out[m] = { p50: median(rs.map((s) => s.p50)), p50s: rs.map((s) => s.p50), p95: median(rs.map((s) => s.p95)), p95s: rs.map((s) => s.p95),
      lastDone: median(rs.map((s) => s.lastDone)), lastDones: rs.map((s) => s.lastDone), offload: median(rs.map((s) => s.offload)),
      offloads: rs.map((s) => s.offload), pooledP50: quantile(rs.flatMap((s) => s.visitors.map((v) => v.tDone)), 0.5),
      pooledP95: quantile(rs.flatMap((s) => s.visitors.map((v) => v.tDone)), 0.95), busy: rs.map((s) => s.cpu.busyFrac),
      browsersCpuS: rs.map((s) => s.cpu.browsersS), othersCpuS: rs.map((s) => s.cpu.othersS), loads: rs.map((s) => s.loadBefore) };
    log(`${kase} ${m.padEnd(5)}: page load p50 ${sec(out[m].p50)} (runs ${range(out[m].p50s.map((x) => x / 1000))}), p95 ${sec(out[m].p95)} (runs ${range(out[m].p95s.map((x) => x / 1000))}); ` +
      `last done ${sec(out[m].lastDone)} (runs ${range(out[m].lastDones.map((x) => x / 1000))})` + (m === 'crowd' ? `; offload ${(100 * out[m].offload).toFixed(1)} % (runs ${range(out[m].offloads.map((x) => 100 * x), (x) => x.toFixed(1))})` : '') +
      `; machine busy ${range(out[m].busy.map((x) => 100 * x), (x) => x.toFixed(0))} %`);
  }
  if (out.crowd) {
    // Where the crowd's items came from, and why the origin: per run, all visitors together.
    out.crowd.items = by('crowd').map((s) => {
      const c = {};
      for (const v of s.visitors) for (const i of v.probe?.items ?? []) c[i.source + (i.why ? ':' + i.why : '')] = (c[i.source + (i.why ? ':' + i.why : '')] ?? 0) + 1;
      for (const v of s.visitors) for (const d of v.probe?.dones ?? []) if (!d.ok) c[`done:${d.reason ?? 'closed'}`] = (c[`done:${d.reason ?? 'closed'}`] ?? 0) + 1;
      for (const v of s.visitors) for (const m of v.probe?.misses ?? []) c[`miss:${m.reason}`] = (c[`miss:${m.reason}`] ?? 0) + 1;
      return c;
    });
    log(`${kase} crowd items (per run): ${out.crowd.items.map((c) => JSON.stringify(Object.fromEntries(Object.entries(c).sort()))).join(' | ')}`);
  }
  if (out.crowd && out.plain) {
    const ratios = (k) => by('crowd').map((c) => { const p = by('plain').find((x) => x.run === c.run); return p ? c[k] / p[k] : NaN; });
    out.ratioP95 = { median: median(ratios('p95')), runs: ratios('p95') };
    out.ratioP50 = { median: median(ratios('p50')), runs: ratios('p50') };
    out.ratioLast = { median: median(ratios('lastDone').map((x) => 1 / x)), runs: ratios('lastDone').map((x) => 1 / x) };
    log(`${kase}: crowd / plain p95 ${out.ratioP95.median.toFixed(2)}x (runs ${range(out.ratioP95.runs)}), p50 ${out.ratioP50.median.toFixed(2)}x (runs ${range(out.ratioP50.runs)}); ` +
      `plain / crowd last done ${out.ratioLast.median.toFixed(2)}x (runs ${range(out.ratioLast.runs)})`);
    if (kase === 'flash') {
      const limit = (N - 1) / N;
      out.offloadOfLimit = out.crowd.offload / limit;
      log(`flash: offload ${(100 * out.crowd.offload).toFixed(1)} % of bytes vs limit (n-1)/n = ${(100 * limit).toFixed(1)} %: ${(100 * out.offloadOfLimit).toFixed(1)} % of the limit`);
    }
  }
  if (PLOTS) plotCrowd(runs, kase);
  return out;
}

function plotCrowd(runs, kase) {
  const lines = [];
  const colors = { crowd: '#1f77b4', plain: '#d62728', off: '#2ca02c' };
  const label = { crowd: 'CircleCDN', plain: 'origin only (plain <img src>)', off: 'library switched off' };
  for (const m of MODES) {
    const rs = runs.filter((s) => s.mode === m);
    if (!rs.length) continue;
    const f = join(OUT, `${kase}-${m}.dat`);
    if (kase === 'steady') {
      // per visitor: arrival index (jittered per run) vs page load
      const rows = rs.flatMap((s) => s.visitors.map((v, i) => `${i + 1 + (m === 'crowd' ? -0.12 : 0.12) + (s.run - 2) * 0.05} ${(v.tDone / 1000).toFixed(3)} ${s.run}`));
      writeFileSync(f, rows.join('\n') + '\n');
      lines.push(`'${f}' using 1:2 with points pt 7 ps 1 lc rgb '${colors[m]}' title '${label[m]} (${rs.length} runs)'`);
    } else {
      // visitors done over time (since the first arrival), each run a step curve
      const blocks = rs.map((s) => {
        const d = s.visitors.map((v) => v.done / 1000).sort((a, b) => a - b);
        return ['0 0', ...d.flatMap((t, i) => [`${t.toFixed(3)} ${i}`, `${t.toFixed(3)} ${i + 1}`])].join('\n');
      });
      writeFileSync(f, blocks.join('\n\n\n') + '\n');
      rs.forEach((s, k) => lines.push(`'${f}' index ${k} using 1:2 with lines lw 2 lc rgb '${colors[m]}' ${k ? 'notitle' : `title '${label[m]} (${rs.length} runs)'`}`));
    }
  }
  const title = kase === 'steady'
    ? `Across NATs, origin 100 Mbit/s: page load per visitor, in arrival order (${N} Chromium visitors, one every ${SPACING_MS / 1000} s)`
    : `Across NATs, flash crowd, origin 10 Mbit/s: visitors done (${N} Chromium visitors within ${SPREAD_MS / 1000} s)`;
  gnuplot(`bench-lab-${kase}`, [
    `set terminal pngcairo size 860,460 font 'sans,10'`, `set output '${PNG(`bench-lab-${kase}`)}'`, `set title "${title}"`,
    kase === 'steady' ? '' : `set xlabel 'seconds since the first visitor arrived'`,
    kase === 'steady' ? `set ylabel 'page load: navigation start to every image decoded (s)'` : `set ylabel 'visitors done'`,
    'set grid', 'set yrange [0:*]', kase === 'steady' ? `set xrange [0.5:${N + 0.5}]` : 'set xrange [0:*]',
    kase === 'steady' ? `set xtics (${runs[0].visitors.map((v, i) => `"${v.home} ${short(v.nat)}\\n${v.rttMs} ms" ${i + 1}`).join(', ')})` : '',
    kase === 'steady' ? 'set key below' : 'set key center right', `plot ${lines.join(', ')}`,
  ].join('\n'));
}

function reportSetup(all) {
  const runs = all.filter((s) => s.mode === 'crowd' && s.case !== 'failfast');
  if (!runs.length) return null;
  const ps = runs.flatMap((s) => pairings(s).map((p) => ({ ...p, case: s.case, run: s.run })));
  const kinds = [...new Set(ps.map(natPair))].sort();
  const out = { pairings: ps.length, byKind: {}, cases: [...new Set(runs.map((s) => s.case))] };
  log(`\nconnection setup: ${ps.length} pairings (wanter -> holder) in ${runs.length} crowd runs; from a pairing's first match (connect:true) to its channel's open and to its want's first byte`);
  for (const k of [...kinds, 'all']) {
    const sel = ps.filter((p) => k === 'all' || natPair(p) === k);
    const t = sel.filter((p) => p.ttfbMs != null).map((p) => p.ttfbMs);
    const o2 = sel.filter((p) => p.openMs != null).map((p) => p.openMs);
    const known = sel.filter((p) => p.relay !== null);
    const relayed = known.filter((p) => p.relay);
    out.byKind[k] = { pairings: sel.length, delivered: t.length, p50: quantile(t, 0.5), p95: quantile(t, 0.95),
      openP50: quantile(o2, 0.5), openP95: quantile(o2, 0.95), firstFails: sel.filter((p) => p.firstFail).map((p) => p.firstFail),
      relayShare: known.length ? relayed.length / known.length : null, relayBytes: relayed.reduce((n, p) => n + p.bytes, 0),
      pairTypes: Object.entries(sel.reduce((m, p) => ((m[p.pair ?? 'none'] = (m[p.pair ?? 'none'] ?? 0) + 1), m), {})) };
    const o = out.byKind[k];
    log(`  ${k.padEnd(10)}: ${o.pairings} pairings, first want delivered in ${o.delivered}${o.firstFails.length ? ` (failed: ${o.firstFails.join(' ')})` : ''}; ` +
      `match to channel open p50 ${sec(o.openP50)}, p95 ${sec(o.openP95)}; to first byte p50 ${sec(o.p50)}, p95 ${sec(o.p95)}; through TURN ${o.relayShare == null ? '?' : (100 * o.relayShare).toFixed(0) + ' %'}; pairs ${JSON.stringify(Object.fromEntries(o.pairTypes))}`);
  }
  const peerBytes = runs.reduce((n, s) => n + s.fromPeers, 0);
  const relayBytes = ps.filter((p) => p.relay).reduce((n, p) => n + p.bytes, 0);
  out.peerBytes = peerBytes;
  out.relayBytesGetStats = relayBytes;
  out.coturn = runs.map((s) => ({ case: s.case, run: s.run, ...s.turn, fromPeers: s.fromPeers }));
  out.coturnSent = runs.reduce((n, s) => n + s.turn.sentBytes, 0);
  log(`  TURN: ${mib(relayBytes)} received on relayed pairs (getStats) of ${mib(peerBytes)} from peers (${(100 * relayBytes / (peerBytes || 1)).toFixed(1)} %); coturn sent ${mib(out.coturnSent)} and received ${mib(runs.reduce((n, s) => n + s.turn.receivedBytes, 0))} (iptables counters in the public segment)`);
  for (const s of runs) log(`    ${s.case} run ${s.run}: coturn sent ${mib(s.turn.sentBytes)}, peers carried ${mib(s.fromPeers)} (${(100 * s.turn.sentBytes / (s.fromPeers || 1)).toFixed(0)} %)`);
  writeFileSync(join(OUT, 'pairings.json'), JSON.stringify(ps, null, 1));
  if (PLOTS) {
    const f = join(OUT, 'setup.dat');
    const order = kinds;
    writeFileSync(f, ps.filter((p) => p.ttfbMs != null).map((p) => `${order.indexOf(natPair(p)) + 1 + (Math.random() - 0.5) * 0.3} ${(p.ttfbMs / 1000).toFixed(3)} ${p.relay ? 1 : 0}`).join('\n') + '\n');
    gnuplot('bench-lab-setup', [
      `set terminal pngcairo size 860,440 font 'sans,10'`, `set output '${PNG('bench-lab-setup')}'`,
      `set title "Across NATs: match to first byte of a new pairing, by the NAT kinds of wanter and holder (${ps.length} pairings)"`,
      `set xtics (${order.map((k, i) => `'${k}' ${i + 1}`).join(', ')})`, `set xrange [0.5:${order.length + 0.5}]`,
      `set ylabel 'seconds'`, 'set grid ytics', 'set key top left', 'set yrange [0:*]',
      `plot '${f}' using 1:($3==0?$2:1/0) with points pt 7 ps 0.8 lc rgb '#1f77b4' title 'direct', '' using 1:($3==1?$2:1/0) with points pt 9 ps 1 lc rgb '#d62728' title 'through TURN'`,
    ].join('\n'));
  }
  return out;
}

function reportFailfast(all) {
  const runs = all.filter((s) => s.case === 'failfast');
  if (!runs.length) return null;
  const out = {};
  for (const k of FAULTS) {
    const rs = runs.filter((s) => s.fault === k);
    if (!rs.length) continue;
    out[k] = { maxWaitMs: rs.map((s) => s.maxWaitMs), maxTotalMs: rs.map((s) => s.maxTotalMs), maxOriginMs: rs.map((s) => s.maxOriginMs),
      budgetMs: rs[0].budgetMs, crowdLoad: rs.map((s) => s.crowdLoad), plainLoad: rs.map((s) => s.plainLoad), matchesToBad: rs.map((s) => s.matchesToBadHolder) };
    log(`failfast ${k}: worst wait before the origin ${range(out[k].maxWaitMs.map((x) => x / 1000))} s (budget ${sec(out[k].budgetMs)}); worst want-to-ready ${range(out[k].maxTotalMs.map((x) => x / 1000))} s; ` +
      `page load crowd ${range(out[k].crowdLoad.map((x) => x / 1000))} s vs plain ${range(out[k].plainLoad.map((x) => x / 1000))} s`);
  }
  if (PLOTS) {
    const lines = [];
    const colors = { unreachable: '#d62728', silent: '#ff7f0e' };
    for (const k of FAULTS) {
      const rs = runs.filter((s) => s.fault === k);
      if (!rs.length) continue;
      const f = join(OUT, `failfast-${k}.dat`);
      writeFileSync(f, rs.map((s) => s.waits.sort((a, b) => a.want - b.want).map((x, i) => `${i + 1} ${(x.waitMs / 1000).toFixed(3)} ${x.ready ? ((x.ready - x.want) / 1000).toFixed(3) : 'NaN'}`).join('\n')).join('\n\n\n') + '\n');
      rs.forEach((s, j) => {
        lines.push(`'${f}' index ${j} using 1:2 with points pt 7 ps 0.8 lc rgb '${colors[k]}' ${j ? 'notitle' : `title 'holder ${k}: want -> origin request'`}`);
        lines.push(`'${f}' index ${j} using 1:3 with points pt 6 ps 0.8 lc rgb '${colors[k]}' ${j ? 'notitle' : `title 'holder ${k}: want -> item verified'`}`);
      });
    }
    const b = runs[0].budgetMs / 1000;
    gnuplot('bench-lab-failfast', [
      `set terminal pngcairo size 860,440 font 'sans,10'`, `set output '${PNG('bench-lab-failfast')}'`,
      `set title "Across NATs, fail fast: each item that went to the origin, one holder unreachable or silent (${runs.length} runs)"`,
      `set xlabel 'item (in the order of its first want)'`, `set ylabel 'seconds'`, 'set grid', 'set key below', `set yrange [0:${b + 1.5}]`,
      `set terminal pngcairo size 860,500 font 'sans,10'`,
      `plot ${lines.join(', ')}, ${b} with lines dt 2 lc rgb 'gray' title 'budget: connect + first byte'`,
    ].join('\n'));
  }
  return out;
}

// ---- main --------------------------------------------------------------------------------------
if (!existsSync(BIN)) {
  console.error(`server binary ${BIN} not found: cmake --preset release && cmake --build --preset release --target circlecdn, or set CIRCLECDN_BIN`);
  process.exit(2);
}
if (!existsSync(join(CLIENT_DIR, 'circlecdn.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
mkdirSync(OUT, { recursive: true });
if (argv.includes('--report-only')) {
  // Re-reads the runs of an earlier invocation from OUT and writes the report and plots again.
  const all = execFileSync('ls', [OUT], { encoding: 'utf8' }).split('\n').filter((f) => /^(steady|flash|failfast)-.*-\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(OUT, f), 'utf8'))).sort((a, b) => a.run - b.run);
  writeSummary(all);
  process.exit(0);
}
const tmp = mkdtempSync(join(tmpdir(), 'circlecdn-lab-bench-'));
const site = join(tmp, 'site');
execFileSync(process.execPath, [join(ROOT, 'scripts/gen-demo-site.mjs'), site], { stdio: 'inherit' });
writePages(site);
const all = [];
let failed = false;
const t00 = Date.now();
let env;
try {
  env = labUp();
  if (env.homes.length < N || env.homes.length < 2) throw new Error(`the lab has ${env.homes.length} homes; --n ${N} needs as many (lab.sh down, then up --homes ${N})`);
  const secretFile = join(tmp, 'turn-secret');
  writeFileSync(secretFile, env.LAB_TURN_SECRET + '\n', { mode: 0o600 });
  log(`lab bench: prefix ${env.LAB_PREFIX}, server ${BIN}, client ${CLIENT_DIR}, N=${N}, runs ${RUNS}, cases ${CASES.join(',')}, modes ${MODES.join(',')}; load ${loadavg()}`);
  if (LOSS !== undefined) {
    for (const h of env.homes) lab('shape', h.name, 'loss', LOSS);
    env = labEnv();
  }
  log(`homes: ${env.homes.slice(0, N).map((h) => `${h.name} ${h.nat} ${h.rttMs} ms ${env[`LAB_HOME_${h.name}_LOSS_PCT`]} % loss`).join(', ')}`);
  let manifest = null;
  for (const kase of CASES) {
    log(`\n=== ${kase}`);
    for (let run = 1; run <= RUNS; run++) {
      if (kase === 'failfast') {
        if (!manifest) {
          const server = await startServer(env, site, secretFile);
          manifest = JSON.parse(labExec('origin', ['curl', '-sS', '--cacert', env.LAB_CA, `${server.base}/.circlecdn/manifest.json`]));
          await server.stop();
        }
        for (const k of run % 2 ? FAULTS : [...FAULTS].reverse()) all.push(await failfastRun(env, site, secretFile, k, run, manifest));
        continue;
      }
      // Alternate the order (a b, b a, ...) so drift in the machine's load hits both modes.
      for (const mode of run % 2 ? MODES : [...MODES].reverse()) all.push(await crowdRun(env, site, secretFile, kase, mode, run));
    }
  }
} catch (e) {
  failed = true;
  console.error(`lab bench: FAIL ${e.stack ?? e}`);
} finally {
  try {
    if (env) lab('shape', 'origin', 'rate', '100mbit');
    if (env && LOSS !== undefined) for (const h of env.homes) lab('shape', h.name, 'loss', process.env.LAB_LOSS ?? '0.5');
  } catch {}
  if (startedLab && !KEEP_LAB) lab('down');
  rmSync(tmp, { recursive: true, force: true });
}
if (all.length) {
  log(`\n=== summary (${((Date.now() - t00) / 60000).toFixed(1)} min; load now ${loadavg()})`);
  writeSummary(all);
}
process.exit(failed ? 1 : 0);

function writeSummary(all) {
  const summary = { n: N, runs: RUNS, loss: LOSS ?? null, modes: MODES, spacingMs: SPACING_MS, spreadMs: SPREAD_MS, date: new Date().toISOString(),
    steady: reportCrowd(all, 'steady'), flash: reportCrowd(all, 'flash'), setup: reportSetup(all), failfast: reportFailfast(all),
    runsIndex: all.map((s) => ({ case: s.case, mode: s.mode ?? s.fault, run: s.run, loadBefore: s.loadBefore, loadAfter: s.loadAfter })) };
  writeFileSync(join(OUT, 'summary.json'), JSON.stringify(summary, null, 1));
  log(`wrote ${OUT}/summary.json and one JSON per run`);
}
