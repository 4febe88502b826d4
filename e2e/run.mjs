#!/usr/bin/env node
// End-to-end tests in real browsers: separate browser processes play separate visitors of the demo
// site, served by the real circlecdn server over loopback. Runs the tests one after another (2-core
// runners), each with its own server, and prints where every visitor's bytes came from.
//   CIRCLECDN_BIN  server binary (default build/asan/server/circlecdn)
//   E2E_ONLY       run only tests whose file name contains this string
//   E2E_EVIDENCE=1 print every visitor's console and the server's output even when a test passes
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_PAGE } from './support/pages.mjs';
import { startServer } from './support/server.mjs';
import { log, step } from './support/util.mjs';
import { all as openVisitors } from './support/visitors.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SITE = join(ROOT, 'e2e/out/site');
const CLIENT_DIR = join(ROOT, 'client/dist');
const BIN = process.env.CIRCLECDN_BIN ?? join(ROOT, 'build/asan/server/circlecdn');
const TEST_TIMEOUT_MS = 240_000; // per test; a hang fails the test, never the whole run
const SUITE_TIMEOUT_MS = 15 * 60_000;

if (!process.env.CIRCLECDN_BIN && !existsSync(BIN)) {
  console.error(`server binary ${BIN} not found: build it (cmake --preset asan && cmake --build --preset asan) or set CIRCLECDN_BIN`);
  process.exit(2);
}

const watchdog = setTimeout(() => {
  console.error(`e2e suite exceeded ${SUITE_TIMEOUT_MS} ms`);
  process.exit(1);
}, SUITE_TIMEOUT_MS);
watchdog.unref();

// The library bundle, and the demo site plus the lab page, generated fresh for this run.
execFileSync(process.execPath, [join(ROOT, 'client/build.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(ROOT, 'dashboard/build.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(ROOT, 'scripts/gen-demo-site.mjs'), SITE], { stdio: 'inherit' });
writeFileSync(join(SITE, 'lab.html'), LAB_PAGE);

const only = process.env.E2E_ONLY ?? '';
const files = readdirSync(join(ROOT, 'e2e/tests')).filter((f) => f.endsWith('.mjs') && f.includes(only)).sort();
const results = [];
for (const file of files) {
  const test = await import(join(ROOT, 'e2e/tests', file));
  log(`\n=== ${file}: ${test.title}`);
  const servers = [];
  const ctx = {
    root: ROOT,
    // `args`: extra server flags for this test.
    startServer: async (args = []) => {
      const s = await startServer({ bin: BIN, site: SITE, clientDir: CLIENT_DIR, root: ROOT, args });
      servers.push(s);
      return s;
    },
  };
  const started = Date.now();
  let error = null;
  try {
    await step(file, TEST_TIMEOUT_MS, () => test.run(ctx));
  } catch (e) {
    error = e;
  }
  if (error || process.env.E2E_EVIDENCE) {
    log(`--- evidence for ${file}`);
    for (const v of openVisitors) log(v.evidence());
    for (const s of servers) {
      const { out, err } = s.output();
      log(`[server stdout]\n${out.slice(-4000)}\n[server stderr]\n${err.slice(-4000)}`);
      try {
        log(`[server stats] ${JSON.stringify(await s.stats())}`);
      } catch {}
    }
  }
  for (const v of [...openVisitors]) await v.close();
  for (const s of servers) {
    try {
      await s.stop();
    } catch (e) {
      error ??= e;
    }
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  log(error ? `FAIL ${file} (${secs} s): ${error.stack ?? error}` : `PASS ${file} (${secs} s)`);
  results.push({ file, ok: !error });
}

log('\n=== e2e summary');
for (const r of results) log(`${r.ok ? 'PASS' : 'FAIL'} ${r.file}`);
const failed = results.filter((r) => !r.ok).length;
log(failed ? `${failed} of ${results.length} failed` : `all ${results.length} passed`);
console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed || !results.length ? 1 : 0);
