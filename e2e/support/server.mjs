// Starts the circlecdn server for one test or benchmark run: `$CIRCLECDN_BIN serve SITE --listen
// 127.0.0.1:0 --client-dir DIR [args]`, waits for its "listening on http://127.0.0.1:PORT" line,
// and stops it with SIGTERM (SIGKILL after a grace period). Sanitizer reports on stderr fail the
// caller. The e2e tests and the browser benchmarks (bench/browser, bench/flash) share it.
import { spawn } from 'node:child_process';
import { log } from './util.mjs';

const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 8_000;

export async function startServer({ bin, site, clientDir, root, args: extra = [], quiet = false }) {
  const [cmd, ...pre] = bin.split(/\s+/).filter(Boolean);
  const args = [...pre, 'serve', site, '--listen', '127.0.0.1:0', '--client-dir', clientDir, ...extra];
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err = (err + d).slice(-200_000)));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not print its address in ${START_TIMEOUT_MS} ms\n${out}\n${err}`)), START_TIMEOUT_MS);
    const look = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', look);
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    exited.then(({ code, signal }) => (clearTimeout(timer), reject(new Error(`server exited (${code ?? signal}) before listening\n${out}\n${err}`))));
  });
  if (!quiet) log(`  server ${cmd} on ${url} (pid ${child.pid})`);
  return {
    url,
    pid: child.pid,
    async stats() {
      const res = await fetch(`${url}/.circlecdn/stats`, { signal: AbortSignal.timeout(5_000) });
      return res.json();
    },
    async manifest() {
      const res = await fetch(`${url}/.circlecdn/manifest.json`);
      return res.json();
    },
    output: () => ({ out, err }),
    err: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const { code, signal } = await exited;
      clearTimeout(timer);
      if (/ERROR: (Address|Leak|Undefined|Thread)Sanitizer|runtime error:/.test(err))
        throw new Error(`server sanitizer report:\n${err.slice(-8000)}`);
      if (code !== 0 && signal !== 'SIGTERM') log(`  server exited with ${code ?? signal}\n${err.slice(-4000)}`);
    },
  };
}
