// Issue 12, test 5 (without a video codec on the machine, a byte-range reader in the page plays
// the video's part): a 100 MiB file generated here is streamed through cdn.fetch(). Visitor 1 gets
// it from the origin and keeps all of it (a large store quota), and so does holder 2 (from
// visitor 1 and the origin); visitor 2, with the default quota,
// then reads a Range from the middle (206, Content-Range, only that range's pieces loaded), gets a
// 416 past the end, aborts a stream (loading stops), and streams the whole file: its first bytes
// come before a tenth of the file has arrived, every byte is checked against the generator, and
// the page's renderer process stays far below the file's size (RSS sampled from /proc).
import { readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLab } from '../support/pages.mjs';
import { check, log, size, sleep, step } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'a 100 MiB file streamed with Range through cdn.fetch: first bytes early, memory bounded';

const FILE_BYTES = 100 * 1024 * 1024;
const PATH = '/stream/big.bin';
// Byte p of the file: word p>>2 of a 32-bit mix of the word's index (incompressible, and any range
// can be checked in the page without the file).
const MIX = `(k) => { let x = Math.imul(k ^ 0x9e3779b9, 0x85ebca6b); x ^= x >>> 13; x = Math.imul(x, 0xc2b2ae35); return (x ^ (x >>> 16)) >>> 0; }`;
const mix = eval(MIX);
// A range reader's page must hold a few pieces, not the file: the renderer may grow by at most a
// quarter of the file while it streams (the control below, the file read whole as the old
// whole-body Response did, grows by at least the file).
const RSS_GROWTH_MAX = FILE_BYTES / 4;

function generate() {
  const buf = Buffer.alloc(FILE_BYTES);
  for (let k = 0; k < FILE_BYTES / 4; k++) buf.writeUInt32LE(mix(k), k * 4);
  return buf;
}

// The renderer processes of a Chromium visitor, by the browser's own process list, after a full
// garbage collection in the page (what the page holds, not what the collector has yet to free:
// each verified piece leaves garbage behind, and V8 collects external memory lazily).
async function rendererRss(v) {
  v.cdp ??= await v.browser.newBrowserCDPSession();
  v.pageCdp ??= await v.page.context().newCDPSession(v.page);
  await v.pageCdp.send('HeapProfiler.collectGarbage');
  const { processInfo } = await v.cdp.send('SystemInfo.getProcessInfo');
  let rss = 0;
  for (const p of processInfo.filter((p) => p.type === 'renderer')) {
    try {
      rss += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'))[1]) * 1024;
    } catch {} // a spare renderer that just went
  }
  return rss;
}

// In the page: reads `path` through cdn.fetch (with `range` if given), checking every byte against
// the generator; returns the status, headers, bytes read and what the library had loaded when the
// first chunk came.
function pageRead({ path, range, mixSrc, abortAfter }) {
  const mix = eval(mixSrc);
  const loaded = () => { const s = window.circlecdn.stats; return s.bytesFromPeers + s.bytesFromOrigin + s.bytesFromStore; };
  return (async () => {
    const before = loaded();
    const ac = new AbortController();
    const res = await window.circlecdn.fetch(path, { headers: range ? { Range: range } : {}, signal: ac.signal });
    const out = { status: res.status, contentRange: res.headers.get('Content-Range'), contentLength: res.headers.get('Content-Length'), read: 0, wrong: 0 };
    if (!res.body || res.status >= 400) return out;
    let pos = range ? Number(/bytes=(\d+)/.exec(range)[1]) : 0;
    const reader = res.body.getReader();
    for (let chunks = 0; ; chunks++) {
      if (chunks === abortAfter) {
        ac.abort();
        try { await reader.read(); } catch (e) { out.abortError = e.name; }
        out.loadedAtAbort = loaded() - before;
        await new Promise((r) => setTimeout(r, 2000));
        out.loadedLater = loaded() - before;
        return out;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (chunks === 0) out.loadedAtFirst = loaded() - before;
      for (let i = 0; i < value.length; i++, pos++) if (value[i] !== ((mix(pos >>> 2) >>> ((pos & 3) * 8)) & 255)) out.wrong++;
      out.read += value.length;
    }
    out.loaded = loaded() - before;
    return out;
  })();
}

export async function run(ctx) {
  const dir = join(ctx.root, 'e2e/out/site/stream');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'big.bin'), generate());
  try {
    await stream(ctx);
  } finally {
    rmSync(dir, { recursive: true, force: true }); // later tests' servers need not hash it
  }
}

async function stream(ctx) {
  const server = await ctx.startServer();
  const file = (await server.manifest()).files.find((f) => f.path === PATH);
  check(file && file.size === FILE_BYTES && file.pieces.length === 400, `${PATH} in the manifest in 400 pieces`);
  const piece = (await server.manifest()).piece_size;

  const v1 = await chromiumVisitor('visitor-1');
  await openLab(v1, server.url, { options: { storeQuotaBytes: 512 * 1024 * 1024 } });
  const r1 = await v1.evaluate('streams the whole file from the origin', 180_000, pageRead, { path: PATH, mixSrc: MIX });
  check(r1.status === 200 && r1.read === FILE_BYTES && r1.wrong === 0, `visitor-1 read ${JSON.stringify(r1)}`);
  await step('visitor-1 has announced the 400 pieces', 60_000, async () => {
    for (;;) {
      if ((await v1.page.evaluate(() => window.circlecdn.stats.announced)) >= 400) return;
      await sleep(250);
    }
  });

  // A second holder, so that visitor 2's look-ahead has two holders to ask at once.
  const h2 = await chromiumVisitor('holder-2');
  await openLab(h2, server.url, { options: { storeQuotaBytes: 512 * 1024 * 1024 } });
  const rh = await h2.evaluate('streams the whole file', 180_000, pageRead, { path: PATH, mixSrc: MIX });
  check(rh.status === 200 && rh.read === FILE_BYTES && rh.wrong === 0, `holder-2 read ${JSON.stringify(rh)}`);
  await step('holder-2 has announced the 400 pieces', 60_000, async () => {
    for (;;) {
      if ((await h2.page.evaluate(() => window.circlecdn.stats.announced)) >= 400) return;
      await sleep(250);
    }
  });

  const v2 = await chromiumVisitor('visitor-2');
  await openLab(v2, server.url);
  // A Range in the middle: 206, its Content-Range, its bytes, and only the pieces it covers.
  const a = 60 * 1024 * 1024 + 12345;
  const b = a + 1024 * 1024 - 1;
  const r2 = await v2.evaluate('reads one MiB from the middle with a Range', 60_000, pageRead, { path: PATH, range: `bytes=${a}-${b}`, mixSrc: MIX });
  log(`  range: ${JSON.stringify(r2)}`);
  check(r2.status === 206 && r2.contentRange === `bytes ${a}-${b}/${FILE_BYTES}` && r2.contentLength === String(b - a + 1), `206 and its headers: ${JSON.stringify(r2)}`);
  check(r2.read === b - a + 1 && r2.wrong === 0, `the range's bytes: read ${r2.read}, wrong ${r2.wrong}`);
  check(r2.loaded <= b - a + 1 + 2 * piece, `loaded ${r2.loaded} bytes for a 1 MiB range (at most the range and two partial pieces)`);
  const r3 = await v2.evaluate('asks for a range past the end', 30_000, pageRead, { path: PATH, range: `bytes=${FILE_BYTES}-`, mixSrc: MIX });
  check(r3.status === 416 && r3.contentRange === `bytes */${FILE_BYTES}`, `416: ${JSON.stringify(r3)}`);
  // Abort after two chunks: the stream errors with AbortError and loading stops within the look-ahead.
  const r4 = await v2.evaluate('aborts a stream after two chunks', 60_000, pageRead, { path: PATH, range: 'bytes=10485760-', mixSrc: MIX, abortAfter: 2 });
  log(`  abort: ${JSON.stringify(r4)}`);
  check(r4.abortError === 'AbortError', `the aborted stream errored with ${r4.abortError}`);
  check(r4.loadedLater <= r4.loadedAtAbort + 5 * piece, `after the abort the library loaded ${r4.loadedLater - r4.loadedAtAbort} more bytes`);

  // The whole file as a stream, the renderer's RSS sampled meanwhile.
  const base = await rendererRss(v2);
  let peak = base;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rendererRss(v2));
      await sleep(250);
    }
  })();
  const s0 = await v2.stats();
  let r5;
  try {
    r5 = await v2.evaluate('streams the whole file', 200_000, pageRead, { path: PATH, mixSrc: MIX });
  } finally {
    sampling = false;
    await sampler;
  }
  const s1 = await v2.stats();
  const fromPeers = s1.bytesFromPeers - s0.bytesFromPeers;
  // Raw bytes per holder during the whole stream (pieces in order, four at a time, spread over both).
  const perHolder = Object.entries(s1.receivedFrom).map(([peer, n]) => [peer, n - (s0.receivedFrom[peer] ?? 0)]);
  log(`  whole stream: read ${size(r5.read)}, loaded at the first chunk ${size(r5.loadedAtFirst)}, from peers ${size(fromPeers)}, ` +
    `renderer RSS ${size(base)} before, peak ${size(peak)} (+${size(peak - base)}); load average ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  check(r5.status === 200 && r5.contentLength === String(FILE_BYTES), `200 with Content-Length: ${JSON.stringify(r5)}`);
  check(r5.read === FILE_BYTES && r5.wrong === 0, `every byte right: read ${r5.read}, wrong ${r5.wrong}`);
  check(r5.loadedAtFirst < FILE_BYTES / 10, `first bytes only after ${r5.loadedAtFirst} bytes loaded`);
  check(fromPeers > FILE_BYTES / 2, `from peers ${fromPeers} of ${FILE_BYTES}`);
  log(`  bytes per holder: ${JSON.stringify(perHolder)}`);
  check(perHolder.filter(([, n]) => n >= FILE_BYTES / 20).length >= 2, `one stream served by at least two holders (5 % each): ${JSON.stringify(perHolder)}`);
  check(peak - base < RSS_GROWTH_MAX, `renderer RSS grew by ${peak - base} bytes while streaming (limit ${RSS_GROWTH_MAX})`);

  // The control: the same file read whole into one ArrayBuffer (what cdn.fetch's body was before
  // it streamed) makes the same measure grow by at least the file, so the limit above can fail.
  const cbase = await rendererRss(v2);
  const held = await v2.evaluate('reads the whole file into one buffer (control)', 200_000, async (path) => {
    window.heldFile = await (await window.circlecdn.fetch(path)).arrayBuffer();
    return window.heldFile.byteLength;
  }, PATH);
  const cpeak = await rendererRss(v2);
  log(`  control: one ${size(held)} buffer: renderer RSS ${size(cbase)} before, ${size(cpeak)} after (+${size(cpeak - cbase)})`);
  check(cpeak - cbase >= FILE_BYTES * 0.9, `the control grew by only ${cpeak - cbase} bytes`);
}
