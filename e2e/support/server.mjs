// Starts the circlecdn server for one test or benchmark run: `$CIRCLECDN_BIN serve SITE --listen
// 127.0.0.1:0 --client-dir DIR --operator-token-file FILE [args]` (a fresh random token per run:
// /.circlecdn/stats, /metrics and the dashboard need it), waits for its "listening on http://127.0.0.1:PORT" line,
// and stops it with SIGTERM (SIGKILL after a grace period). Sanitizer reports on stderr fail the
// caller. The e2e tests and the browser benchmarks (bench/browser, bench/flash) share it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log } from './util.mjs';

const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 8_000;

// Starts `cmd args` and waits until its standard output matches `pattern`; resolves with the
// match's first group, the child, when it exits, and what it has written (stderr: the last 200 kB).
// Rejects if it exits first or does not match within timeoutMs. Also used for the benchmarks'
// other servers (bench/browser: WebTorrent's tracker).
export async function spawnUntil(cmd, args, { cwd, pattern, timeoutMs = START_TIMEOUT_MS, name = cmd }) {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err = (err + d).slice(-200_000)));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const found = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not print its address in ${timeoutMs} ms\n${out}\n${err}`)), timeoutMs);
    child.stdout.on('data', () => {
      const m = pattern.exec(out);
      if (m) (clearTimeout(timer), resolve(m[1]));
    });
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    exited.then(({ code, signal }) => (clearTimeout(timer), reject(new Error(`${name} exited (${code ?? signal}) before listening\n${out}\n${err}`))));
  });
  return { found, child, exited, out: () => out, err: () => err };
}

export async function startServer({ bin, site, clientDir, root, args: extra = [], quiet = false }) {
  const [cmd, ...pre] = bin.split(/\s+/).filter(Boolean);
  const token = randomBytes(18).toString('base64url');
  const tokenDir = mkdtempSync(join(tmpdir(), 'circlecdn-e2e-'));
  const tokenFile = join(tokenDir, 'operator-token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  // No hash cache unless asked for: every run hashes its site before listening, so a test's
  // manifest is complete from the first request (with a cache file from an earlier run, files
  // rebuilt since would be hashed after listening), and nothing is written under $HOME.
  const cache = extra.includes('--hash-cache') ? [] : ['--hash-cache', 'none'];
  const args = [...pre, 'serve', site, '--listen', '127.0.0.1:0', '--client-dir', clientDir, '--operator-token-file', tokenFile, ...cache, ...extra];
  // Read at start, and again on SIGHUP: kept until stop() when the test reloads a config file.
  const reloads = extra.includes('--config');
  const dropToken = () => rmSync(tokenDir, { recursive: true, force: true });
  let started;
  try {
    started = await spawnUntil(cmd, args, { cwd: root, pattern: /listening on (http:\/\/127\.0\.0\.1:\d+)/, name: 'server' });
  } catch (e) {
    dropToken();
    throw e;
  } finally {
    if (!reloads) dropToken();
  }
  const { child, exited, err } = started;
  const url = started.found;
  if (!quiet) log(`  server ${cmd} on ${url} (pid ${child.pid})`);
  const auth = { Authorization: `Bearer ${token}` };
  return {
    url,
    pid: child.pid,
    token,
    async stats() {
      const res = await fetch(`${url}/.circlecdn/stats`, { headers: auth, signal: AbortSignal.timeout(5_000) });
      return res.json();
    },
    /** The Prometheus exposition as text. */
    async metrics() {
      const res = await fetch(`${url}/metrics`, { headers: auth, signal: AbortSignal.timeout(5_000) });
      return res.text();
    },
    async manifest() {
      const res = await fetch(`${url}/.circlecdn/manifest.json`);
      return res.json();
    },
    output: () => ({ out: started.out(), err: err() }),
    err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const { code, signal } = await exited;
      clearTimeout(timer);
      dropToken();
      if (/ERROR: (Address|Leak|Undefined|Thread)Sanitizer|runtime error:/.test(err()))
        throw new Error(`server sanitizer report:\n${err().slice(-8000)}`);
      if (code !== 0 && signal !== 'SIGTERM') log(`  server exited with ${code ?? signal}\n${err().slice(-4000)}`);
    },
  };
}
