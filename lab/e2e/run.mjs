#!/usr/bin/env node
// End-to-end tests in the WAN lab (lab/README.md, "Tests"): real browsers with their default
// WebRTC settings in homes behind NAT routers, the real circlecdn server in the lab's origin
// namespace (HTTPS from the lab CA, STUN and TURN from the lab's coturn). Brings its own lab up
// under LAB_PREFIX (default ccle-, so the self-test's cclt- and someone's ccl- are left alone)
// and takes it down at the end, also on failure or Ctrl-C. One test at a time (2-core runners),
// each with its own server and a deadline; a failing test prints its evidence (server output and
// stats, every visitor's console, signaling and library events, selected candidate pairs).
// Needs root. Ends with "lab-e2e: N passed, M failed".
//   CIRCLECDN_BIN       server binary (default build/asan/server/circlecdn)
//   LAB_E2E_ONLY        run only tests whose file name contains this string
//   LAB_E2E_EVIDENCE=1  print the evidence even when a test passes
//   LAB_E2E_KEEP=1      leave the lab up at the end (for a look around; lab.sh down removes it)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.LAB_PREFIX ??= 'ccle-';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { LAB_SH, labEnv } = await import('../support/lab.mjs');
const { LAB_PAGE } = await import('../../e2e/support/pages.mjs');
const { log, visitorEvidence } = await import('./support/harness.mjs');
const { step } = await import('../../e2e/support/util.mjs');

const BIN = resolve(process.env.CIRCLECDN_BIN ?? join(ROOT, 'build/asan/server/circlecdn'));
const WORK = join(ROOT, 'lab/run', `${process.env.LAB_PREFIX}e2e`);
const SITE = join(WORK, 'site');
const CLIENT_DIR = join(ROOT, 'client/dist');
const TEST_TIMEOUT_MS = 180_000; // default per test; a test may set its own `timeoutMs`
const SUITE_TIMEOUT_MS = 25 * 60_000;

const summary = (passed, failed) => console.log(`lab-e2e: ${passed} passed, ${failed} failed`);
if (process.getuid?.() !== 0) {
  console.error('the lab tests need root (network namespaces)');
  summary(0, 1);
  process.exit(1);
}
if (!existsSync(BIN)) {
  console.error(`server binary ${BIN} not found: build it (cmake --preset asan && cmake --build --preset asan) or set CIRCLECDN_BIN`);
  summary(0, 1);
  process.exit(1);
}

const lab = (...args) => execFileSync('bash', [LAB_SH, ...args], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 180_000 });
let labUp = false;
function labDown() {
  if (!labUp || process.env.LAB_E2E_KEEP) return;
  labUp = false;
  try {
    lab('down');
  } catch (e) {
    console.error(`lab down failed: ${e.message}`);
  }
}
// A signal or the watchdog: visitors are processes inside the lab's homes, `down` kills them too.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => {
  console.error(`lab-e2e: ${sig}, taking the lab down`);
  labDown();
  process.exit(130);
});
const watchdog = setTimeout(() => {
  console.error(`lab-e2e: the suite exceeded ${SUITE_TIMEOUT_MS} ms`);
  labDown();
  summary(0, 1);
  process.exit(1);
}, SUITE_TIMEOUT_MS);
watchdog.unref();

// One run per prefix: a second run's `lab.sh down` would pull the lab from under the first.
const PIDFILE = join(ROOT, 'lab/run', `${process.env.LAB_PREFIX}e2e.pid`);
try {
  const other = Number(readFileSync(PIDFILE, 'utf8'));
  if (other && other !== process.pid && existsSync(`/proc/${other}`) && readFileSync(`/proc/${other}/cmdline`, 'utf8').includes('run.mjs')) {
    console.error(`lab-e2e: another run (pid ${other}) uses LAB_PREFIX=${process.env.LAB_PREFIX}; set another prefix`);
    summary(0, 1);
    process.exit(1);
  }
} catch {}
mkdirSync(dirname(PIDFILE), { recursive: true });
writeFileSync(PIDFILE, String(process.pid));
process.on('exit', () => rmSync(PIDFILE, { force: true }));

// The library bundle, the demo gallery and the e2e lab page, generated fresh for this run.
rmSync(WORK, { recursive: true, force: true });
mkdirSync(join(WORK, 'scratch'), { recursive: true });
execFileSync(process.execPath, [join(ROOT, 'client/build.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(ROOT, 'scripts/gen-demo-site.mjs'), SITE], { stdio: 'inherit' });
writeFileSync(join(SITE, 'lab.html'), LAB_PAGE);

const only = process.env.LAB_E2E_ONLY ?? '';
const files = readdirSync(join(ROOT, 'lab/e2e/tests')).filter((f) => f.endsWith('.mjs') && f.includes(only)).sort();
const results = [];
const suiteStart = Date.now();
try {
  lab('down'); // a lab left over by a crashed run of this suite
  labUp = true;
  const t0 = Date.now();
  lab('up');
  const env = labEnv();
  log(`lab up in ${Date.now() - t0} ms: ${env.homes.map((h) => `${h.name} ${h.nat} ${h.rttMs} ms`).join(', ')}`);

  for (const file of files) {
    const test = await import(join(ROOT, 'lab/e2e/tests', file));
    log(`\n=== ${file}: ${test.title}`);
    const scratch = join(WORK, 'scratch', file.replace(/\.mjs$/, ''));
    mkdirSync(scratch, { recursive: true });
    const ctx = {
      root: ROOT, bin: BIN, site: SITE, clientDir: CLIENT_DIR, scratch, env: labEnv(),
      servers: [], visitors: [], cleanups: [], notes: [],
      // undo a change to the lab (a firewall rule, coturn stopped) whatever happens to the test
      cleanup: (fn) => ctx.cleanups.push(fn),
    };
    const started = Date.now();
    const timeoutMs = test.timeoutMs ?? TEST_TIMEOUT_MS;
    let error = null;
    try {
      await step(file, timeoutMs, () => test.run(ctx));
    } catch (e) {
      error = e;
    }
    if (error || process.env.LAB_E2E_EVIDENCE) {
      log(`--- evidence for ${file}`);
      for (const v of ctx.visitors) log(await visitorEvidence(v));
      for (const s of ctx.servers) {
        const { out, err } = s.output();
        log(`[server ${s.args.slice(3).join(' ')}]\n[stdout]\n${out.slice(-3000)}\n[stderr]\n${err.slice(-6000)}`);
        try {
          log(`[server stats] ${JSON.stringify(await s.stats())}`);
        } catch {}
      }
    }
    await Promise.all(ctx.visitors.map((v) => v.close()));
    for (const fn of ctx.cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        error ??= new Error(`cleanup: ${e.message}`);
      }
    }
    for (const s of ctx.servers) {
      try {
        await s.stop();
      } catch (e) {
        error ??= e;
      }
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    log(error ? `FAIL ${file} (${secs} s): ${error.stack ?? error}` : `PASS ${file} (${secs} s)`);
    results.push({ file, ok: !error, secs });
  }
} catch (e) {
  log(`lab-e2e: ${e.stack ?? e}`);
  results.push({ file: '(lab set-up)', ok: false, secs: '-' });
} finally {
  labDown();
}

log(`\n=== lab-e2e summary (${((Date.now() - suiteStart) / 1000).toFixed(0)} s)`);
for (const r of results) log(`${r.ok ? 'PASS' : 'FAIL'} ${r.file} (${r.secs} s)`);
const failed = results.filter((r) => !r.ok).length;
summary(results.length - failed, failed);
process.exit(failed || !results.length ? 1 : 0);
