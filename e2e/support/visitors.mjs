// A visitor = one browser process with its own profile: Debian's Chromium through playwright-core,
// or Debian's Firefox ESR through puppeteer-core over WebDriver BiDi (flags and prefs from
// docs/browser-testing.md). Every visitor keeps its console and page errors as evidence.
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { log, step } from './util.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr';
const CHROMIUM_LAUNCH_MS = 30_000;
const FIREFOX_LAUNCH_MS = 60_000;
const CLOSE_MS = 10_000;
const EVIDENCE_LINES = 200;

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // Real host addresses instead of mDNS .local names: the one flag that matters for WebRTC here.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];
const FIREFOX_PREFS = {
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.loopback': true,
};

export const all = new Set(); // every visitor still open, closed by the runner on the way out

class Visitor {
  constructor(name, kind) {
    this.name = name;
    this.kind = kind;
    this.logs = [];
    this.requests = [];
    all.add(this);
  }

  note(line) {
    this.logs.push(`[${this.name}] ${line}`);
    if (this.logs.length > EVIDENCE_LINES * 2) this.logs.splice(0, this.logs.length - EVIDENCE_LINES);
  }

  evidence() {
    return this.logs.slice(-EVIDENCE_LINES).join('\n');
  }

  async goto(url, ms = 30_000) {
    await step(`${this.name} opens ${new URL(url).pathname}`, ms, () => this.page.goto(url));
  }

  // page.evaluate with a deadline; `fn` runs in the page.
  evaluate(label, ms, fn, arg) {
    return step(`${this.name}: ${label}`, ms, () => this.page.evaluate(fn, arg));
  }

  stats() {
    return step(`${this.name} stats`, 10_000, () =>
      this.page.evaluate(() => JSON.parse(JSON.stringify(window.circlecdn.stats))),
    );
  }

  async close() {
    if (!all.delete(this)) return;
    try {
      await step(`${this.name} closes`, CLOSE_MS, () => this.browser.close());
    } catch (e) {
      log(`  ${this.name}: close failed (${e.message}); killing pid ${this.pid}`);
      try {
        if (this.pid) process.kill(this.pid, 'SIGKILL');
      } catch {}
    }
  }
}

// `initScript` runs in every page before its own scripts (used for test-only behaviour: a liar,
// a slow uploader); `args` are extra Chromium flags.
export async function chromiumVisitor(name, { initScript, args = [] } = {}) {
  const v = new Visitor(name, 'chromium');
  v.browser = await step(`${name} launches Chromium`, CHROMIUM_LAUNCH_MS, () =>
    chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: CHROMIUM_LAUNCH_MS, args: [...CHROMIUM_ARGS, ...args] }),
  );
  v.context = await v.browser.newContext();
  if (initScript) await v.context.addInitScript(initScript);
  v.page = await v.context.newPage();
  v.page.on('console', (m) => v.note(`console.${m.type()}: ${m.text()}`));
  v.page.on('pageerror', (e) => v.note(`pageerror: ${e.message}`));
  v.page.on('request', (r) => r.url().startsWith('http') && v.requests.push(new URL(r.url()).pathname));
  return v;
}

// `prefs` are extra Firefox preferences (a real browser setting, e.g. Global Privacy Control).
export async function firefoxVisitor(name, { initScript, prefs = {} } = {}) {
  const v = new Visitor(name, 'firefox');
  v.browser = await step(`${name} launches Firefox ESR`, FIREFOX_LAUNCH_MS, () =>
    puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX, headless: true, timeout: FIREFOX_LAUNCH_MS,
      extraPrefsFirefox: { ...FIREFOX_PREFS, ...prefs },
    }),
  );
  v.pid = v.browser.process()?.pid;
  v.page = (await v.browser.pages())[0] ?? (await v.browser.newPage());
  if (initScript) await v.page.evaluateOnNewDocument(initScript);
  v.page.on('console', (m) => v.note(`console.${m.type()}: ${m.text()}`));
  v.page.on('pageerror', (e) => v.note(`pageerror: ${e.message}`));
  v.page.on('request', (r) => r.url().startsWith('http') && v.requests.push(new URL(r.url()).pathname));
  return v;
}
