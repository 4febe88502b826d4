#!/usr/bin/env node
// A lab visitor: one headless browser with its default WebRTC settings, run INSIDE a home
// (`lab.sh exec h1 -- node lab/visitor-agent.mjs --browser chromium`), driven over stdin/stdout
// with one JSON object per line. lab/support/lab.mjs is the host-side end.
//
//   --browser chromium|firefox   Debian's Chromium (playwright-core) or Firefox ESR (puppeteer-core,
//                                WebDriver BiDi)
//   --ca FILE                    the lab CA, trusted through the profile's own NSS database
//                                (default $LAB_CA); --no-ca trusts nothing extra
//   --url URL                    open this page at start
//   --init-script FILE           a script run in every page before its own (repeatable; test-only
//                                page behaviour such as lab/e2e's recorder or a lying uploader)
//
// Requests  {"id":1,"cmd":"goto","url":"https://...","timeout_ms":30000}   (wait_until: "commit" ...)
//           {"id":2,"cmd":"eval","expr":"document.title","timeout_ms":10000}   (awaits promises)
//           {"id":3,"cmd":"wait","expr":"window.done && window.result","timeout_ms":30000,"poll_ms":100}
//           {"id":4,"cmd":"pairs"}     selected candidate pair of every RTCPeerConnection the page made
//           {"id":5,"cmd":"requests","reset":true}   the page's HTTP(S) requests so far ({method,url}),
//                                       then (reset) forget them
//           {"id":6,"cmd":"close"}
// Answers   {"id":1,"ok":true,"value":...} or {"id":1,"ok":false,"error":"..."}
// Events    {"event":"ready","browser":"chromium","version":"...","pid":123}
//           {"event":"console","type":"log","text":"..."}  {"event":"pageerror","text":"..."}
// The agent closes its browser and exits on "close", on the end of stdin and on SIGTERM/SIGINT.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { chromiumHome, firefoxProfile } from './support/trust.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr';
const CHROMIUM_LAUNCH_MS = 30_000;
const FIREFOX_LAUNCH_MS = 60_000;
const DEFAULT_COMMAND_MS = 30_000;
const CLOSE_MS = 10_000;
// browser-testing.md's flags minus --disable-features=WebRtcHideLocalIpsWithMdns: WebRTC stays as a
// visitor has it (host candidates masked behind mDNS names). None of these touches certificates.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
// Firefox ESR keeps its defaults; only the permission prompt (which headless cannot answer) is off.
const FIREFOX_PREFS = { 'media.navigator.permission.disabled': true };

// Runs before the page's scripts: remembers every RTCPeerConnection so `pairs` can read its stats.
// A subclass, so the page sees the same constructor behaviour, prototype and statics.
const TRACK_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__labPeerConnections) return;
  const list = [];
  Object.defineProperty(window, '__labPeerConnections', { value: list });
  window.RTCPeerConnection = class RTCPeerConnection extends Native {
    constructor(...args) { super(...args); list.push(this); }
  };
})();`;

const PAIRS_EXPR = `(async () => {
  const out = [];
  for (const pc of window.__labPeerConnections || []) {
    const byId = new Map();
    (await pc.getStats()).forEach((s) => byId.set(s.id, s));
    let pair = null;
    for (const s of byId.values())
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId) ?? null;
    if (!pair)
      for (const s of byId.values())
        if (s.type === 'candidate-pair' && (s.selected || (s.nominated && s.state === 'succeeded'))) pair = s;
    const cand = (id) => {
      const c = byId.get(id);
      return c ? { type: c.candidateType, address: c.address ?? c.ip ?? '', port: c.port, protocol: c.protocol,
                   relayProtocol: c.relayProtocol ?? null } : null;
    };
    out.push({
      connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState,
      pair: pair && { state: pair.state, local: cand(pair.localCandidateId), remote: cand(pair.remoteCandidateId),
                      rttMs: pair.currentRoundTripTime === undefined ? null : pair.currentRoundTripTime * 1000,
                      bytesSent: pair.bytesSent ?? null, bytesReceived: pair.bytesReceived ?? null },
    });
  }
  return out;
})()`;

const { values: opts } = parseArgs({
  options: {
    browser: { type: 'string', default: 'chromium' },
    ca: { type: 'string', default: process.env.LAB_CA },
    'no-ca': { type: 'boolean', default: false },
    url: { type: 'string' },
    'init-script': { type: 'string', multiple: true, default: [] },
  },
});
const initScripts = opts['init-script'].map((f) => fs.readFileSync(f, 'utf8'));

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const withDeadline = (ms, what, promise) => {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `lab-visitor-${opts.browser}-`));
const ca = opts['no-ca'] ? null : opts.ca;
if (ca && !fs.existsSync(ca)) throw new Error(`CA ${ca} not found`);

let browser;
let page;
let pid;
let version;
if (opts.browser === 'chromium') {
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: CHROMIUM_LAUNCH_MS, args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: chromiumHome(tmp, ca) },
  });
  const context = await browser.newContext();
  await context.addInitScript(TRACK_PEER_CONNECTIONS);
  for (const script of initScripts) await context.addInitScript(script);
  page = await context.newPage();
  version = browser.version();
} else if (opts.browser === 'firefox') {
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = firefoxProfile(path.join(tmp, 'profile'), ca);
  browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, timeout: FIREFOX_LAUNCH_MS,
    userDataDir: profile, extraPrefsFirefox: FIREFOX_PREFS,
  });
  pid = browser.process()?.pid;
  page = (await browser.pages())[0] ?? (await browser.newPage());
  await page.evaluateOnNewDocument(TRACK_PEER_CONNECTIONS);
  for (const script of initScripts) await page.evaluateOnNewDocument(script);
  version = await browser.version();
} else {
  throw new Error(`--browser ${opts.browser}: chromium or firefox`);
}
page.on('console', (m) => emit({ event: 'console', type: m.type(), text: m.text() }));
page.on('pageerror', (e) => emit({ event: 'pageerror', text: e.message }));
const REQUESTS_KEPT = 10_000;
let requests = [];
page.on('request', (r) => {
  if (!/^https?:/.test(r.url())) return;
  requests.push({ method: r.method(), url: r.url() });
  if (requests.length > REQUESTS_KEPT) requests.shift();
});

let closing = null;
function close(code = 0) {
  closing ??= withDeadline(CLOSE_MS, 'close', browser.close())
    .catch(() => {
      if (pid) try { process.kill(pid, 'SIGKILL'); } catch {}
    })
    .finally(() => {
      fs.rmSync(tmp, { recursive: true, force: true });
      process.exit(code);
    });
  return closing;
}
process.on('SIGTERM', () => close(0));
process.on('SIGINT', () => close(0));

async function evaluate(expr, ms) {
  return withDeadline(ms, 'eval', page.evaluate(expr));
}

async function waitFor(expr, ms, pollMs) {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`wait: "${expr.slice(0, 80)}" still false after ${ms} ms`);
    const value = await evaluate(expr, left);
    if (value) return value;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
  }
}

const commands = {
  // wait_until (Chromium): 'load' (default), 'domcontentloaded' or 'commit' (a page that measures
  // itself can be driven without waiting for its load event).
  goto: async (c) => {
    const ms = c.timeout_ms ?? DEFAULT_COMMAND_MS;
    await withDeadline(ms, 'goto', page.goto(c.url, { timeout: ms, ...(c.wait_until ? { waitUntil: c.wait_until } : {}) }));
    return page.url();
  },
  eval: (c) => evaluate(c.expr, c.timeout_ms ?? DEFAULT_COMMAND_MS),
  wait: (c) => waitFor(c.expr, c.timeout_ms ?? DEFAULT_COMMAND_MS, c.poll_ms ?? 100),
  pairs: (c) => evaluate(PAIRS_EXPR, c.timeout_ms ?? DEFAULT_COMMAND_MS),
  requests: (c) => {
    const out = requests;
    if (c.reset) requests = [];
    return out;
  },
  close: async () => {
    setImmediate(() => close(0));
    return true;
  },
};

emit({ event: 'ready', browser: opts.browser, version, pid: pid ?? null });
if (opts.url) await withDeadline(DEFAULT_COMMAND_MS, 'goto', page.goto(opts.url)).catch((e) =>
  emit({ event: 'pageerror', text: `goto ${opts.url}: ${e.message}` }));

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  if (!line.trim()) return;
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    emit({ id: null, ok: false, error: 'not JSON' });
    return;
  }
  const handler = commands[req.cmd];
  if (!handler) {
    emit({ id: req.id, ok: false, error: `unknown cmd ${req.cmd}` });
    return;
  }
  try {
    emit({ id: req.id, ok: true, value: (await handler(req)) ?? null });
  } catch (e) {
    emit({ id: req.id, ok: false, error: String(e?.message ?? e).split('\n')[0] });
  }
});
lines.on('close', () => close(0));
