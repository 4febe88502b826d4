// Service worker mode in real browsers: a small site whose pages have no CircleCDN markup beyond
// the script tag (plain <img> with srcset, a lazy one, a CSS background, an @font-face font, a
// script), written into the e2e site before the server starts, and what the tests do in it.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { waitAnnounced } from './pages.mjs';
import { check, step, until } from './util.mjs';
import { chromiumVisitor } from './visitors.mjs';

export const DIR = '/swsite';
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-ExtraLight.ttf';
const TAG = '<script src="/.circlecdn/circlecdn.iife.js" data-circlecdn-sw data-circle-prefer-peers></script>';
// The same mode with the library constructed in code (code-page.html, code-hello.html).
const CODE_TAG = `<script type="module">
import { CircleCDN } from '/.circlecdn/circlecdn.js';
window.circlecdn = new CircleCDN({ serviceWorker: true, preferPeers: true });
window.circlecdn.start();
</script>`;

// The test page: plain markup, the library's tag (`tag`) its only CircleCDN part.
const page = (tag) => `<!doctype html>
<html><head><meta charset="utf-8"><title>sw page</title>
${tag}
<link rel="stylesheet" href="style.css">
</head><body>
<p class="ff" id="text">Hamburgefonstiv</p>
<div class="bg" id="bg"></div>
<img id="hero" src="img/hero-1x.png" srcset="img/hero-1x.png 1x, img/hero-2x.png 2x" width="256" height="256" alt="">
<div style="height: 4000px"></div>
<img id="lazy" src="img/lazy.png" loading="lazy" width="160" height="160" alt="">
<script src="app.js"></script>
</body></html>
`;

// A PNG of w x h pixels: deterministic noise (incompressible, so sizes are real), or one colour.
function png(w, h, seed, rgb) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  let s = seed;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w * 3; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      raw[y * (w * 3 + 1) + 1 + x] = rgb ? rgb[x % 3] : s >>> 24;
    }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// The files the page loads at device pixel ratio 1 (the 2x candidate of the srcset is not among them).
export const PAGE_FILES = ['/img/hero-1x.png', '/img/lazy.png', '/img/bg.png', '/font/light.ttf', '/app.js', '/style.css']
  .map((p) => DIR + p);

export function writeSwSite(root) {
  const dir = join(root, 'e2e/out/site', DIR);
  for (const d of ['img', 'font']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'img/hero-1x.png'), png(256, 256, 1));
  writeFileSync(join(dir, 'img/hero-2x.png'), png(512, 512, 2));
  writeFileSync(join(dir, 'img/lazy.png'), png(160, 160, 3));
  writeFileSync(join(dir, 'img/bg.png'), png(16, 16, 4, [255, 0, 0]));
  copyFileSync(FONT, join(dir, 'font/light.ttf'));
  writeFileSync(join(dir, 'app.js'), `window.appRan = true;\n/* ${'padding '.repeat(4000)}*/\n`);
  writeFileSync(join(dir, 'style.css'), `.bg { width: 64px; height: 64px; background: url(img/bg.png) repeat; }
@font-face { font-family: CdnTest; src: url(font/light.ttf) format("truetype"); }
.ff { font-family: CdnTest, monospace; font-size: 40px; }
`);
  // The library's tag first: a stylesheet delays a later parser-blocking script, and the worker
  // asks this page for that stylesheet (docs/client.md, "Service worker mode").
  writeFileSync(join(dir, 'page.html'), page(TAG));
  writeFileSync(join(dir, 'code-page.html'), page(CODE_TAG));
  writeFileSync(join(dir, 'code-hello.html'), `<!doctype html>\n<meta charset="utf-8"><title>hello</title>\n${CODE_TAG}\n<p>hello</p>\n`);
  writeFileSync(join(dir, 'hello.html'), `<!doctype html>\n<meta charset="utf-8"><title>hello</title>\n${TAG}\n<p>hello</p>\n`);
}

// Test-only: keeps what the instance the script tag creates reports, from its first event on.
export const RECORD_EVENTS = () => {
  let cdn;
  window.circleEvents = [];
  Object.defineProperty(window, 'circlecdn', {
    configurable: true,
    get: () => cdn,
    set: (v) => {
      cdn = v;
      for (const t of ['resource', 'verifyfailure', 'penalised', 'ready'])
        v.addEventListener(t, (e) => window.circleEvents.push({ type: t, ...e.detail }));
    },
  });
};

/** Opens `path` and waits until a service worker controls the page. */
export async function openControlled(v, base, path = `${DIR}/hello.html`, ms = 20_000) {
  await v.goto(base + path);
  await v.evaluate('is controlled by the worker', ms, () =>
    navigator.serviceWorker.controller ? true : new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', () => r(true), { once: true })));
}

/**
 * Loads the page (scrolled down, so the lazy image loads) and checks that everything rendered:
 * both images decoded, the background painted, the font applied, the script ran.
 */
export async function loadSwPage(v, base, { navigate = true } = {}) {
  if (navigate) await v.goto(`${base}${DIR}/page.html`);
  const r = await v.evaluate('renders every resource', 60_000, async () => {
    window.scrollTo(0, document.body.scrollHeight);
    const lazy = document.getElementById('lazy');
    const hero = document.getElementById('hero');
    const loaded = (img) => new Promise((r) => {
      const poll = () => (img.complete && img.naturalWidth ? r() : setTimeout(poll, 50));
      poll();
    });
    await Promise.all([loaded(hero), loaded(lazy)]);
    await document.fonts.ready;
    const face = [...document.fonts].find((f) => f.family === 'CdnTest' || f.family === '"CdnTest"');
    const text = document.getElementById('text');
    const width = (family) => {
      const s = document.createElement('span');
      s.style.cssText = `font: 40px ${family}; white-space: nowrap`;
      s.textContent = text.textContent;
      document.body.append(s);
      const w = s.getBoundingClientRect().width;
      s.remove();
      return w;
    };
    const bgEntry = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/img/bg.png'));
    return {
      hero: hero.naturalWidth, heroSrc: hero.currentSrc, lazy: lazy.naturalWidth,
      font: face?.status, fontCheck: document.fonts.check('40px CdnTest'),
      fontWidth: width('CdnTest'), fallbackWidth: width('monospace'),
      bg: getComputedStyle(document.getElementById('bg')).backgroundImage, bgLoaded: !!bgEntry && bgEntry.responseEnd > 0,
      appRan: window.appRan === true,
      controlled: !!navigator.serviceWorker.controller,
    };
  });
  check(r.hero === 256 && r.heroSrc.endsWith('/img/hero-1x.png'), `${v.name}: hero image ${JSON.stringify(r)}`);
  check(r.lazy === 160, `${v.name}: lazy image did not load (${r.lazy})`);
  check(r.font === 'loaded' && r.fontCheck && r.fontWidth !== r.fallbackWidth,
    `${v.name}: the font is not applied (${r.font}, check ${r.fontCheck}, width ${r.fontWidth} vs ${r.fallbackWidth})`);
  check(r.bgLoaded && r.bg.includes('/img/bg.png'), `${v.name}: CSS background not loaded`);
  check(r.appRan, `${v.name}: the script did not run`);
  return r;
}

/** Waits until the page's library has reported a `resource` for every path; returns them by path. */
export async function resourcesCarried(v, paths, ms = 30_000) {
  return step(`${v.name}: the library carried ${paths.length} resources`, ms, () =>
    until(async () => {
      const events = await v.page.evaluate(() => window.circleEvents.filter((e) => e.type === 'resource'));
      const by = new Map();
      for (const e of events) by.set(new URL(e.url).pathname, e);
      return paths.every((p) => by.has(p)) && by;
    }, 200));
}

/** Writes the site, starts the server and has a first visitor (the holder) load the test page and announce all of it. */
export async function siteWithHolder(ctx) {
  writeSwSite(ctx.root);
  const server = await ctx.startServer();
  const manifest = await server.manifest();
  const items = PAGE_FILES.map((p) => manifest.files.find((f) => f.path === p)).reduce((n, f) => n + (f.pieces ? f.pieces.length : 1), 0);
  const holder = await chromiumVisitor('holder');
  await loadSwPage(holder, server.url);
  await waitAnnounced(holder, server, items, 60_000);
  return { server, manifest, holder };
}
