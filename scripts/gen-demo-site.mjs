#!/usr/bin/env node
// Generates the demo site (default examples/site/, or the directory given as the first argument):
// a gallery of generated PNGs of varied sizes, one large (~6 MiB) PNG, and a live panel showing
// bytes from peers, bytes from the origin and peers connected. Node built-ins only; deterministic
// (seeded), so every run writes the same bytes and the same manifest hashes.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = resolve(process.argv[2] ?? join(ROOT, 'examples/site'));
const GALLERY_IMAGES = 36;
const BIG_SIDE_PX = 1450; // 1450 x 1450 RGB noise: ~6.0 MiB that deflate cannot shrink

// --- PNG writer: signature, IHDR, one IDAT, IEND; CRC-32 per chunk (RFC 2083). ---
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
// pixel(x, y) -> [r, g, b]
function png(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0, o = 0; y < height; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[o++] = r;
      raw[o++] = g;
      raw[o++] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- Seeded randomness (mulberry32) so the site is the same on every run. ---
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function hsl(h, s, l) {
  const f = (n) => {
    const k = (n + h * 12) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

// Colourful patterns: rings, stripes, a plasma and a checkerboard, each with its own palette; a
// `grain` amount of noise makes some images compress poorly, so sizes vary from a few KiB to ~500 KiB.
const PATTERNS = [
  (x, y, w, h, hue) => hsl((hue + Math.hypot(x - w / 2, y - h / 2) / 40) % 1, 0.8, 0.55),
  (x, y, w, h, hue) => hsl((hue + Math.floor((x + y) / 24) * 0.07) % 1, 0.75, 0.5),
  (x, y, w, h, hue) =>
    hsl((hue + (Math.sin(x / 17) + Math.sin(y / 23) + Math.sin((x + y) / 31)) / 6 + 1) % 1, 0.85, 0.5),
  (x, y, w, h, hue) => hsl((hue + (((x >> 5) ^ (y >> 5)) & 1) * 0.5) % 1, 0.7, 0.45 + (y / h) * 0.2),
];

function galleryImage(i) {
  const rand = rng(1000 + i);
  const width = 80 + Math.floor(rand() * 560);
  const height = 60 + Math.floor(rand() * 400);
  const hue = rand();
  const pattern = PATTERNS[i % PATTERNS.length];
  const grain = [0, 2, 6, 24][Math.floor(rand() * 4)];
  const noise = rng(5000 + i);
  const bytes = png(width, height, (x, y) =>
    pattern(x, y, width, height, hue).map((c) => Math.max(0, Math.min(255, c + Math.floor((noise() - 0.5) * grain)))),
  );
  return { name: `img/photo-${String(i + 1).padStart(2, '0')}.png`, width, height, bytes };
}

function bigImage() {
  const noise = rng(42);
  const side = BIG_SIDE_PX;
  const bytes = png(side, side, (x, y) => {
    const [r, g, b] = hsl(((x + y) / (2 * side)) % 1, 0.9, 0.5);
    const n = Math.floor(noise() * 0x1000000);
    return [r ^ (n & 0xff), g ^ ((n >> 8) & 0xff), b ^ (n >> 16)];
  });
  return { name: 'media/big.png', width: side, height: side, bytes };
}

const PAGE = (images, big) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CircleCDN demo gallery</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #111; color: #eee; }
  header { padding: 1rem 1.5rem; }
  #panel { position: sticky; top: 0; display: flex; gap: 1.5rem; flex-wrap: wrap; padding: .6rem 1.5rem;
           background: #222d; border-bottom: 1px solid #444; z-index: 1; }
  #panel b { font-variant-numeric: tabular-nums; }
  main { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px; padding: 1rem 1.5rem; }
  main img { width: 100%; height: 150px; object-fit: cover; background: #333; border-radius: 4px; }
  #big img { max-width: 100%; height: auto; }
  section { padding: 0 1.5rem 2rem; }
</style>
</head>
<body>
<header>
  <h1>CircleCDN demo gallery</h1>
  <p>${images.length} images and one ${(big.bytes.length / 1048576).toFixed(1)} MiB picture. Open this page in a
  second browser window (or another browser): its images come from the first window, verified piece by piece.</p>
</header>
<div id="panel" aria-live="polite">
  <span>From peers: <b id="from-peers">0 B</b></span>
  <span>From the origin: <b id="from-origin">0 B</b></span>
  <span>From this browser's store: <b id="from-store">0 B</b></span>
  <span>Uploaded: <b id="uploaded">0 B</b></span>
  <span>Peers connected: <b id="peers">0</b></span>
  <label><input type="checkbox" id="share"> share with other visitors</label>
  <span id="status"></span>
</div>
<main>
${images.map((im) => `  <img data-circle-src="/${im.name}" width="${im.width}" height="${im.height}" alt="generated pattern">`).join('\n')}
</main>
<section id="big">
  <h2>A large picture (${big.width} × ${big.height}, split into pieces)</h2>
  <img data-circle-src="/${big.name}" width="${big.width}" height="${big.height}" alt="large generated noise">
</section>
<script type="module">
  import { CircleCDN } from '/.circlecdn/circlecdn.js';
  // preferPeers: the demo shows the crowd at work; on one machine the origin would win every race.
  const cdn = new CircleCDN({ preferPeers: true });
  window.circlecdn = cdn;
  const $ = (id) => document.getElementById(id);
  const size = (n) => n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(2) + ' MiB';
  const show = () => {
    const s = cdn.stats;
    $('from-peers').textContent = size(s.bytesFromPeers);
    $('from-origin').textContent = size(s.bytesFromOrigin);
    $('from-store').textContent = size(s.bytesFromStore);
    $('uploaded').textContent = size(s.bytesUploaded);
    $('peers').textContent = s.peersConnected;
  };
  for (const type of ['item', 'upload', 'peerconnect', 'peerclose']) cdn.addEventListener(type, show);
  // Every event, for the browser's console (debug level) and the end-to-end tests' evidence.
  for (const type of ['ready', 'peerconnect', 'peerclose', 'item', 'upload', 'verifyfailure', 'penalised', 'servererror', 'disabled'])
    cdn.addEventListener(type, (e) => console.debug('circlecdn', type, JSON.stringify(e.detail)));
  cdn.addEventListener('verifyfailure', (e) => { $('status').textContent = 'rejected a bad piece from ' + (e.detail.peer || 'the origin'); });
  $('share').checked = localStorage.getItem('circlecdn-optout') !== '1';
  $('share').onchange = (e) => { CircleCDN.setVisitorOptOut(!e.target.checked); $('status').textContent = 'takes effect on reload'; };
  window.circleLoaded = cdn.scan().then(() => {
    $('status').textContent = cdn.optedOut ? 'opted out (' + cdn.optedOut + '): everything from the origin' : 'all loaded';
    show();
  });
</script>
</body>
</html>
`;

const started = Date.now();
rmSync(OUT, { recursive: true, force: true });
const images = Array.from({ length: GALLERY_IMAGES }, (_, i) => galleryImage(i));
const big = bigImage();
let total = 0;
for (const f of [...images, big]) {
  mkdirSync(dirname(join(OUT, f.name)), { recursive: true });
  writeFileSync(join(OUT, f.name), f.bytes);
  total += f.bytes.length;
}
writeFileSync(join(OUT, 'index.html'), PAGE(images, big));
console.log(
  `demo site: ${OUT} — ${images.length} images + ${big.name} (${(big.bytes.length / 1048576).toFixed(2)} MiB), ` +
    `${(total / 1048576).toFixed(2)} MiB in all, ${Date.now() - started} ms`,
);
