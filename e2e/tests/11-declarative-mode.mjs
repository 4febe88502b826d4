// Issue 12, test 6: every declarative-mode fix, in Chromium and Firefox ESR, on a page written
// here (auto mode: one script tag with data-circle-auto). srcset and <picture> show the candidate
// the browser would choose; a stylesheet's relative url()s reach the right paths; marked classic
// scripts run in document order though the first is the largest; a module script's relative import
// works; a changed data-circle-src is followed and the old blob: URL revoked; a removed element's
// blob: URL is revoked; a loading="lazy" image is not loaded until it nears the viewport.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, log, step, until } from '../support/util.mjs';
import { chromiumVisitor, firefoxVisitor } from '../support/visitors.mjs';

export const title = 'declarative mode: srcset, picture, lazy, stylesheet URLs, script order, modules, observed attributes, revoked blob: URLs';

const svg = (w) => `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20"><rect width="${w}" height="20" fill="#3a6"/></svg>`;
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>declarative</title>
<link rel="stylesheet" data-circle-src="/decl/css/main.css">
<img id="set" data-circle-srcset="/decl/img/w100.svg 100w, /decl/img/w400.svg 400w, /decl/img/w1600.svg 1600w" sizes="200px">
<picture id="pic">
  <source media="(min-width: 100000px)" data-circle-srcset="/decl/img/pic-huge.svg">
  <source type="image/x-unknown" data-circle-srcset="/decl/img/pic-unk.svg">
  <source media="(min-width: 10px)" data-circle-srcset="/decl/img/pic-mid.svg 1x, /decl/img/pic-mid2x.svg 2x">
  <img data-circle-src="/decl/img/fallback.svg">
</picture>
<img id="swap" data-circle-src="/decl/img/a.svg">
<div id="box"><img id="gone" data-circle-src="/decl/img/gone.svg"></div>
<div class="bg" id="bg">background</div>
<p class="font">font</p>
<script data-circle-src="/decl/js/a.js"></script>
<script data-circle-src="/decl/js/b.js"></script>
<script data-circle-src="/decl/js/c.js"></script>
<script type="module" data-circle-src="/decl/js/mod/main.js"></script>
<div style="height: 30000px"></div>
<img id="lazy" loading="lazy" data-circle-src="/decl/img/lazy.svg">
<script src="/.circlecdn/circlecdn.iife.js" data-circle-auto></script>
<script>
  window.loaded = [];
  circlecdn.addEventListener('resource', (e) => loaded.push(new URL(e.detail.url).pathname));
</script>
`;

function writeSite(root) {
  const dir = join(root, 'e2e/out/site/decl');
  for (const d of ['img', 'css', 'fonts', 'js/mod']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'index.html'), PAGE);
  const widths = { w100: 100, w400: 400, w1600: 1600, 'pic-huge': 901, 'pic-unk': 902, 'pic-mid': 333, 'pic-mid2x': 666, fallback: 77, a: 111, b: 222, gone: 55, lazy: 444, bg: 10 };
  for (const [name, w] of Object.entries(widths)) writeFileSync(join(dir, `img/${name}.svg`), svg(w));
  writeFileSync(join(dir, 'css/main.css'), `@font-face { font-family: T; src: url(../fonts/t.woff2) format("woff2"); }
.bg { background-image: url(../img/bg.svg); }
.font { font-family: T, sans-serif; }
`);
  writeFileSync(join(dir, 'fonts/t.woff2'), Buffer.alloc(2048, 7)); // only its request is checked
  // a.js is the largest (several pieces), so it arrives last: run in arrival order, it would not be first.
  writeFileSync(join(dir, 'js/a.js'), `(window.order ||= []).push('a');\n/*${'x'.repeat(700_000)}*/\n`);
  writeFileSync(join(dir, 'js/b.js'), `(window.order ||= []).push('b');\n`);
  writeFileSync(join(dir, 'js/c.js'), `(window.order ||= []).push('c');\n`);
  writeFileSync(join(dir, 'js/mod/main.js'), `import { dep } from './dep.js';\nwindow.modOk = dep;\n`);
  writeFileSync(join(dir, 'js/mod/dep.js'), `export const dep = 'dep loaded';\n`);
}

// What the page shows once auto mode is done with everything above the fold.
async function settled(v) {
  return v.evaluate('applies the marked elements', 60_000, async () => {
    const img = (sel) => document.querySelector(sel);
    for (;;) {
      const ready = ['#set', '#pic img', '#swap', '#gone'].every((s) => img(s).src && img(s).complete && img(s).naturalWidth > 0) &&
        (window.order ?? []).length === 3 && window.modOk && document.querySelector('link[rel=stylesheet]').sheet;
      if (ready) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await document.fonts.load('16px T').catch(() => {}); // asks for the font (its bytes are not a font)
    const link = document.querySelector('link[rel=stylesheet]');
    return {
      set: [img('#set').naturalWidth, img('#set').src.slice(0, 5)],
      pic: [img('#pic img').naturalWidth, img('#pic img').src.slice(0, 5)],
      swap: img('#swap').naturalWidth,
      order: window.order,
      module: window.modOk,
      stylesheet: link.href.slice(0, 5),
      bg: getComputedStyle(img('#bg')).backgroundImage,
      lazySrc: img('#lazy').getAttribute('src'),
      loaded: [...window.loaded],
    };
  });
}

async function checkPage(v, base, { full }) {
  await v.goto(`${base}/decl/index.html`);
  const s = await settled(v);
  log(`  ${v.name}: ${JSON.stringify(s)}`);
  check(s.set[0] === 400 && s.set[1] === 'blob:', `${v.name}: srcset 200px slot at 1x shows the 400w candidate from a blob: (${s.set})`);
  check(s.pic[0] === 333 && s.pic[1] === 'blob:', `${v.name}: <picture> shows the first matching source of a known type (${s.pic})`);
  check(JSON.stringify(s.order) === '["a","b","c"]', `${v.name}: scripts ran in the order ${s.order}`);
  check(s.module === 'dep loaded', `${v.name}: the module script's relative import`);
  check(s.stylesheet === 'blob:' && s.bg.includes(`${base}/decl/img/bg.svg`), `${v.name}: stylesheet from a blob:, background ${s.bg}`);
  await step(`${v.name}: the background and the font are requested at their real paths`, 15_000, () =>
    until(() => v.requests.includes('/decl/img/bg.svg') && v.requests.includes('/decl/fonts/t.woff2')));
  for (const p of ['/decl/img/w100.svg', '/decl/img/w1600.svg', '/decl/img/pic-huge.svg', '/decl/img/pic-unk.svg', '/decl/img/fallback.svg', '/decl/img/pic-mid2x.svg'])
    check(!s.loaded.includes(p) && !v.requests.includes(p), `${v.name}: ${p} was loaded though not chosen`);

  // A changed attribute is followed, and the blob: URL it replaced is revoked.
  const swap = await v.evaluate('changes data-circle-src', 30_000, async () => {
    const img = document.querySelector('#swap');
    const old = img.src;
    img.setAttribute('data-circle-src', '/decl/img/b.svg');
    while (img.src === old || !img.complete || img.naturalWidth !== 222) await new Promise((r) => setTimeout(r, 50));
    const revoked = await fetch(old).then(() => false, () => true);
    return { width: img.naturalWidth, fresh: img.src.startsWith('blob:'), revoked };
  });
  check(swap.width === 222 && swap.fresh && swap.revoked, `${v.name}: attribute change ${JSON.stringify(swap)}`);
  if (!full) return;

  // A removed element's blob: URL is revoked (a moved one keeps it).
  const gone = await v.evaluate('removes an image and moves another', 30_000, async () => {
    const moved = document.querySelector('#set');
    const movedUrl = moved.src;
    document.body.prepend(moved); // a move: removed and added in one task
    const img = document.querySelector('#gone');
    const url = img.src;
    img.parentElement.remove();
    await new Promise((r) => setTimeout(r, 100));
    const alive = (u) => fetch(u).then(() => true, () => false);
    return { removedAlive: await alive(url), movedAlive: await alive(movedUrl) };
  });
  check(!gone.removedAlive && gone.movedAlive, `${v.name}: blob: URLs after remove/move ${JSON.stringify(gone)}`);

  // loading="lazy": nothing until it nears the viewport, then it loads.
  check(s.lazySrc === null && !s.loaded.includes('/decl/img/lazy.svg') && !v.requests.includes('/decl/img/lazy.svg'), `${v.name}: the lazy image loaded before it was near the viewport`);
  const lazy = await v.evaluate('scrolls to the lazy image', 30_000, async () => {
    const img = document.querySelector('#lazy');
    img.scrollIntoView();
    while (!img.src || !img.complete || img.naturalWidth === 0) await new Promise((r) => setTimeout(r, 50));
    return { width: img.naturalWidth, blob: img.src.startsWith('blob:'), loaded: window.loaded.includes('/decl/img/lazy.svg') };
  });
  check(lazy.width === 444 && lazy.blob && lazy.loaded, `${v.name}: lazy image after scrolling ${JSON.stringify(lazy)}`);
}

export async function run(ctx) {
  writeSite(ctx.root);
  const server = await ctx.startServer();
  const c = await chromiumVisitor('chromium');
  await checkPage(c, server.url, { full: true });
  const f = await firefoxVisitor('firefox');
  await checkPage(f, server.url, { full: true });
}
