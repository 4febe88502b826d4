// What the tests do inside pages: the gallery (examples/site/index.html) and a small lab page
// (written next to it) that calls cdn.fetch() on a list of paths and hashes what it got. The lab
// page takes the library's options as JSON in `?options=`.
import { check, step, until } from './util.mjs';

export const LAB_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>CircleCDN e2e lab</title>
<script type="module">
  import { CircleCDN } from '/.circlecdn/circlecdn.js';
  // The tests prove the peer paths: on one machine the origin would win every race (docs/client.md).
  const options = JSON.parse(new URLSearchParams(location.search).get('options') ?? '{}');
  const cdn = new CircleCDN({ preferPeers: true, ...options });
  window.circlecdn = cdn;
  for (const t of ['ready', 'peerconnect', 'peerclose', 'item', 'upload', 'verifyfailure', 'penalised', 'servererror', 'disabled'])
    cdn.addEventListener(t, (e) => console.log('circlecdn', t, JSON.stringify(e.detail)));
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
  window.circleReady = new Promise((r) => cdn.addEventListener('ready', r, { once: true }));
  // Fetches every path through the library; returns what arrived, hashed in the page.
  window.fetchAll = (paths) => Promise.all(paths.map(async (path) => {
    const buf = await (await cdn.fetch(path)).arrayBuffer();
    return { path, size: buf.byteLength, sha256: hex(await crypto.subtle.digest('SHA-256', buf)) };
  }));
  cdn.start();
</script>
`;

export function galleryFiles(manifest) {
  const files = manifest.files.filter((f) => f.path.startsWith('/img/') || f.path.startsWith('/media/'));
  // An empty list would make every count below trivially true (an unfinished manifest: CI stop 18).
  if (files.length === 0) throw new Error('the manifest lists no gallery files');
  return files;
}

export function itemCount(files) {
  return files.reduce((n, f) => n + (f.pieces ? f.pieces.length : 1), 0);
}

// Loads the gallery (or waits for the one already navigated to) and checks every image decodes.
export async function loadGallery(v, base, { ms = 90_000, navigate = true } = {}) {
  if (navigate) await v.goto(`${base}/index.html`);
  const images = await v.evaluate('loads the gallery and decodes every image', ms, async () => {
    await window.circleLoaded;
    return Promise.all(
      [...document.images].map(async (img) => {
        try {
          await img.decode();
        } catch {}
        return { src: img.getAttribute('data-circle-src'), width: img.naturalWidth };
      }),
    );
  });
  const broken = images.filter((i) => !(i.width > 0));
  check(images.length > 0 && broken.length === 0, `${v.name}: images that did not decode: ${JSON.stringify(broken)}`);
  return images.length;
}

// Re-reads every file through the library (from its store now) and compares with the manifest.
export async function checkHeldContent(v, files, ms = 60_000) {
  const bad = await v.evaluate('re-reads its content and checks every hash', ms, async (files) => {
    const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const bad = [];
    for (const f of files) {
      const buf = await (await window.circlecdn.fetch(f.path)).arrayBuffer();
      if (hex(await crypto.subtle.digest('SHA-256', buf)) !== f.sha256) bad.push(f.path);
    }
    return bad;
  }, files.map((f) => ({ path: f.path, sha256: f.sha256 })));
  check(bad.length === 0, `${v.name}: content differs from the manifest: ${bad.join(', ')}`);
}

export async function openLab(v, base, { options, ready = true } = {}) {
  await v.goto(`${base}/lab.html${options ? `?options=${encodeURIComponent(JSON.stringify(options))}` : ''}`);
  if (ready) await v.evaluate('is welcomed by the tracker', 15_000, () => window.circleReady.then(() => true));
}

export async function labFetch(v, files, ms = 90_000) {
  const got = await v.evaluate(`fetches ${files.length} files`, ms, (paths) => window.fetchAll(paths), files.map((f) => f.path));
  const wrong = got.filter((g, i) => g.sha256 !== files[i].sha256 || g.size !== files[i].size);
  check(wrong.length === 0, `${v.name}: wrong bytes for ${wrong.map((w) => w.path).join(', ')}`);
}

// Waits until the visitor has announced `items` hashes and the server has recorded at least that many.
export async function waitAnnounced(v, server, items, ms = 30_000) {
  await step(`${v.name} has announced ${items} items`, ms, () =>
    until(async () => {
      const s = await v.page.evaluate(() => window.circlecdn.stats.announced);
      return s >= items && (await server.stats()).holdings >= items;
    }, 200),
  );
}
