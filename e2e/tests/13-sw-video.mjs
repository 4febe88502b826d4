// Issue 12, the video of test 1 and test 5, in service worker mode: a page whose only CircleCDN
// part is the script tag has a plain <video src> of a 100 MiB WebM (generated here: recorded with
// MediaRecorder in Chromium, lengthened and made seekable in Node, e2e/support/webm.mjs). Visitor 1
// holds the whole file; visitor 2's <video> asks its worker for byte ranges, the worker asks the
// page's cdn.fetch, whose pieces come from visitor 1: it shows its first frame long before the
// whole file has arrived, plays, seeks to the middle and plays on from there, and at least 95 % of
// the bytes it loaded came from peers (the seek's range included). Firefox ESR plays the same
// file the same way. Time to first frame, through the crowd and from the origin without the
// library, is printed (docs/benchmarks.md, "Video"), never asserted.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLab, waitAnnounced } from '../support/pages.mjs';
import { DIR, openControlled, writeSwSite } from '../support/sw-site.mjs';
import { check, log, step } from '../support/util.mjs';
import { chromiumVisitor, firefoxVisitor } from '../support/visitors.mjs';
import { lengthenWebm, recordWebm } from '../support/webm.mjs';

export const title = 'service worker mode: a 100 MiB <video> plays and seeks with its ranges from peers, first frame early';

const TARGET_BYTES = 100 * 1024 * 1024;
const PATH = `${DIR}/media/video.webm`;
const TAG = '<script src="/.circlecdn/circlecdn.iife.js" data-circlecdn-sw data-circle-prefer-peers></script>';
const page = (tag) => `<!doctype html>\n<meta charset="utf-8"><title>video</title>\n${tag}
<video id="v" src="media/video.webm" muted playsinline width="640" height="360"></video>\n`;
// Chromium plays muted video without a gesture; the flag also covers headless quirks.
const CHROMIUM_ARGS = ['--autoplay-policy=no-user-gesture-required'];

// In the page: plays the video, takes the time to its first frame (from navigation start) and
// what the library had loaded by then, seeks to the middle and waits until it plays past the
// seek point; returns the figures and the library's byte counts before and after the seek.
function watch() {
  const v = document.getElementById('v');
  const loaded = () => {
    const s = window.circlecdn?.stats;
    return s ? { peers: s.bytesFromPeers, origin: s.bytesFromOrigin, store: s.bytesFromStore } : { peers: 0, origin: 0, store: 0 };
  };
  const until = (test, ms, what) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: timed out (currentTime ${v.currentTime}, readyState ${v.readyState}, networkState ${v.networkState}, error ${v.error?.message}, loaded ${JSON.stringify(loaded())})`)), ms);
    const poll = () => (test() ? (clearTimeout(t), resolve()) : setTimeout(poll, 50));
    poll();
  });
  return (async () => {
    let first;
    v.requestVideoFrameCallback(() => (first = { at: performance.now(), loaded: loaded() }));
    void v.play().catch(() => {});
    await until(() => first, 30_000, 'shows its first frame');
    await until(() => v.currentTime > 1, 20_000, 'plays one second');
    const beforeSeek = loaded();
    const target = v.duration / 2;
    v.currentTime = target;
    await until(() => !v.seeking && v.currentTime > target + 1, 30_000, 'plays one second after the seek');
    return { firstFrameMs: first.at, atFirstFrame: first.loaded, beforeSeek, afterSeek: loaded(), duration: v.duration, target, now: v.currentTime, width: v.videoWidth };
  })();
}

export async function run(ctx) {
  const recording = await step('records a WebM in Chromium (MediaRecorder, canvas)', 60_000, () => recordWebm({ seconds: 4 }));
  const video = lengthenWebm(recording, TARGET_BYTES);
  log(`  recorded ${recording.length} B; lengthened to ${video.bytes.length} B, ${video.seconds.toFixed(1)} s (${video.copies} copies, ${video.cues} cue points)`);
  writeSwSite(ctx.root);
  const dir = join(ctx.root, 'e2e/out/site', DIR);
  mkdirSync(join(dir, 'media'), { recursive: true });
  writeFileSync(join(dir, 'media/video.webm'), video.bytes);
  writeFileSync(join(dir, 'video.html'), page(TAG));
  writeFileSync(join(dir, 'video-plain.html'), page(''));
  try {
    await play(ctx, video);
  } finally {
    rmSync(join(dir, 'media'), { recursive: true, force: true }); // later tests' servers need not hash it
  }
}

async function play(ctx, video) {
  const server = await ctx.startServer();
  const file = (await server.manifest()).files.find((f) => f.path === PATH);
  check(file && file.size === video.bytes.length && file.size >= TARGET_BYTES, `${PATH} in the manifest, ${video.bytes.length} B`);

  // From the origin, no library: the control for the time to first frame.
  const results = [];
  for (const [name, make] of [['chromium', () => chromiumVisitor('origin-only', { args: CHROMIUM_ARGS })], ['firefox', () => firefoxVisitor('origin-only-firefox')]]) {
    const plain = await make();
    await plain.goto(`${server.url}${DIR}/video-plain.html`);
    results.push([`origin only (${name})`, await plain.evaluate('plays and seeks from the origin', 60_000, watch)]);
    await plain.close();
  }

  const holder = await chromiumVisitor('holder');
  await openLab(holder, server.url, { options: { storeQuotaBytes: 512 * 1024 * 1024 } });
  await holder.evaluate('reads the whole video through the library', 180_000, async (path) => {
    const res = await window.circlecdn.fetch(path);
    const reader = res.body.getReader();
    while (!(await reader.read()).done);
  }, PATH);
  await waitAnnounced(holder, server, file.pieces.length, 60_000);

  for (const [name, make] of [['chromium', () => chromiumVisitor('visitor-2', { args: CHROMIUM_ARGS })], ['firefox', () => firefoxVisitor('visitor-2-firefox')]]) {
    const v = await make();
    await openControlled(v, server.url); // the worker installed: the video page is carried from its first request
    await v.goto(`${server.url}${DIR}/video.html`);
    const r = await v.evaluate('plays, seeks to the middle and plays on', 120_000, watch);
    const total = (l) => l.peers + l.origin + l.store;
    const all = total(r.afterSeek);
    log(`  ${name}: first frame at ${r.firstFrameMs.toFixed(0)} ms with ${total(r.atFirstFrame)} of ${file.size} B loaded; ` +
      `${all} B loaded in all, ${r.afterSeek.peers} B from peers (${((100 * r.afterSeek.peers) / all).toFixed(1)} %), ` +
      `${r.afterSeek.peers - r.beforeSeek.peers} B of them after the seek to ${r.target.toFixed(1)} s; now at ${r.now.toFixed(1)} s`);
    check(r.width === 640 && Math.abs(r.duration - video.seconds) < 0.5, `${name}: the video is ${r.width} px wide, ${r.duration} s long`);
    check(total(r.atFirstFrame) < file.size / 2, `${name}: the first frame came only after ${total(r.atFirstFrame)} of ${file.size} B`);
    check(r.afterSeek.peers >= 0.95 * all && all > 0, `${name}: ${r.afterSeek.peers} of ${all} B from peers`);
    // The seek's range, from the middle of the file, came from peers too.
    check(r.afterSeek.peers - r.beforeSeek.peers > 0, `${name}: nothing from peers after the seek`);
    results.push([`through the crowd (${name})`, r]);
    await v.close();
  }
  log(`  time to first frame: ${results.map(([n, r]) => `${n} ${r.firstFrameMs.toFixed(0)} ms`).join('; ')}`);
}
