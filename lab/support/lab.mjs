// Host-side helpers for tests and benchmarks that use the WAN lab (lab/lab.sh must be up):
// read `lab.sh env`, make TURN REST credentials, run commands in lab hosts, and drive visitors
// (lab/visitor-agent.mjs, one browser inside one home) over their stdin/stdout.
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export { chromiumHome, firefoxProfile } from './trust.mjs';

const LAB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LAB_SH = join(LAB_DIR, 'lab.sh');
const AGENT = join(LAB_DIR, 'visitor-agent.mjs');
const READY_MS = { chromium: 40_000, firefox: 70_000 }; // the agent's launch deadline plus margin
const ANSWER_MARGIN_MS = 5_000; // on top of a command's own timeout_ms, for the pipe and the agent
const EVENTS_KEPT = 500;

// `lab.sh env` as an object; LAB_HOMES is split into homes with their settings.
export function labEnv() {
  const text = execFileSync('bash', [LAB_SH, 'env'], { encoding: 'utf8', env: process.env });
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  env.homes = env.LAB_HOMES.split(/\s+/).filter(Boolean).map((name) => ({
    name,
    nat: env[`LAB_HOME_${name}_NAT`],
    ns: env[`LAB_HOME_${name}_NS`],
    ip: env[`LAB_HOME_${name}_IP`],
    publicIp: env[`LAB_HOME_${name}_PUBLIC_IP`],
    rttMs: Number(env[`LAB_HOME_${name}_RTT_MS`]),
  }));
  return env;
}

// TURN REST credentials as coturn's use-auth-secret checks them (and the server issues them).
export function turnCredentials(env, id, ttlSeconds = 3600, secret = env.LAB_TURN_SECRET) {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${id}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

// RTCIceServer list for a page: the lab's STUN, and TURN over UDP and TCP with fresh credentials.
export function iceServers(env, id, opts = {}) {
  const { username, credential } = turnCredentials(env, id, opts.ttlSeconds, opts.secret);
  return [
    { urls: [`stun:${env.LAB_STUN}`] },
    { urls: [`turn:${env.LAB_TURN}?transport=udp`, `turn:${env.LAB_TURN}?transport=tcp`], username, credential },
  ];
}

// Runs a command in a lab host (hN, rN, pub, origin) and returns its stdout.
export function labExec(host, argv, opts = {}) {
  return execFileSync('bash', [LAB_SH, 'exec', host, '--', ...argv], { encoding: 'utf8', ...opts });
}

// Starts a long-running command in a lab host; the caller stops it with .kill().
export function labSpawn(host, argv, opts = {}) {
  return spawn('bash', [LAB_SH, 'exec', host, '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

// A visitor in a home. Every method has a deadline; `events` keeps console lines as evidence.
export class Visitor {
  // initScripts: files run in every page before its own scripts (--init-script).
  static async open(home, { browser = 'chromium', url, ca, trust = true, name, initScripts = [] } = {}) {
    const v = new Visitor(name ?? `${browser}@${home}`);
    if (trust) ca ??= process.env.LAB_CA ?? labEnv().LAB_CA;
    const args = [AGENT, '--browser', browser, ...(trust ? (ca ? ['--ca', ca] : []) : ['--no-ca'])];
    if (url) args.push('--url', url);
    for (const f of initScripts) args.push('--init-script', f);
    v.child = spawn('bash', [LAB_SH, 'exec', home, '--', process.execPath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    v.child.stderr.on('data', (d) => v.note(`stderr: ${String(d).trimEnd()}`));
    readline.createInterface({ input: v.child.stdout }).on('line', (line) => v.onLine(line));
    v.exited = new Promise((resolve) => v.child.on('exit', (code, signal) => {
      v.note(`agent exited (${signal ?? code})`);
      for (const { reject } of v.pending.values()) reject(new Error(`${v.name}: agent exited`));
      v.pending.clear();
      resolve(code);
    }));
    try {
      v.ready = await deadline(READY_MS[browser] ?? 60_000, `${v.name} launch`, v.readyPromise, v);
    } catch (e) {
      v.kill();
      throw e;
    }
    return v;
  }

  constructor(name) {
    this.name = name;
    this.events = [];
    this.pending = new Map();
    this.nextId = 1;
    this.readyPromise = new Promise((resolve) => (this.onReady = resolve));
  }

  note(line) {
    this.events.push(line);
    if (this.events.length > EVENTS_KEPT) this.events.shift();
  }

  evidence() {
    return this.events.map((l) => `[${this.name}] ${l}`).join('\n');
  }

  onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      this.note(`stdout: ${line}`);
      return;
    }
    if (msg.event === 'ready') return this.onReady(msg);
    if (msg.event) return this.note(`${msg.event}${msg.type ? '.' + msg.type : ''}: ${msg.text}`);
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new Error(`${this.name}: ${msg.error}`));
  }

  request(cmd, fields = {}) {
    const id = this.nextId++;
    const ms = (fields.timeout_ms ?? 30_000) + ANSWER_MARGIN_MS;
    const answer = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.child.stdin.write(JSON.stringify({ id, cmd, ...fields }) + '\n');
    return deadline(ms, `${this.name} ${cmd}`, answer, this).finally(() => this.pending.delete(id));
  }

  goto(url, timeoutMs = 30_000, waitUntil) { return this.request('goto', { url, timeout_ms: timeoutMs, ...(waitUntil ? { wait_until: waitUntil } : {}) }); }
  eval(expr, timeoutMs = 30_000) { return this.request('eval', { expr, timeout_ms: timeoutMs }); }
  wait(expr, timeoutMs = 30_000, pollMs = 100) { return this.request('wait', { expr, timeout_ms: timeoutMs, poll_ms: pollMs }); }
  pairs(timeoutMs = 10_000) { return this.request('pairs', { timeout_ms: timeoutMs }); }
  requests({ reset = false } = {}) { return this.request('requests', { reset }); }

  // Closes the browser; kills the agent if it does not finish in time.
  async close(ms = 15_000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end(); // the agent closes its browser at the end of its input
    try {
      await deadline(ms, `${this.name} close`, this.exited);
    } catch {
      this.kill();
    }
  }

  // SIGTERM lets the agent close its browser; SIGKILL follows. Anything left in the home is
  // removed by `lab.sh down` (it kills every process in the lab's namespaces).
  kill() {
    try { this.child.kill('SIGTERM'); } catch {}
    const pid = this.ready?.pid;
    setTimeout(() => {
      for (const p of [this.child.pid, pid]) if (p) try { process.kill(p, 'SIGKILL'); } catch {}
    }, 3_000).unref();
  }
}

function deadline(ms, what, promise, visitor) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms${visitor ? '\n' + visitor.evidence() : ''}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
