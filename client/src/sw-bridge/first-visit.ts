// The first visit (docs/client.md, "The first visit"): the page loads as without the library, and
// the worker takes it over once installed. What the page loaded before that, from the Resource
// Timing list, is fetched once more through cdn.fetch(), which verifies it against the manifest,
// stores it and announces it, so the visitor serves it to others from its first visit on. (From
// the browser's HTTP cache when the site's caching allows, so the origin sends it once.)
import type { CdnFetch } from './answer';

const PARALLEL = 2;

/** Fetches through the library every same-origin resource in the manifest that started before `before` (ms); returns how many. */
export async function warmUp(fetch: CdnFetch, before: number): Promise<number> {
  let paths: Set<string>;
  try {
    const m = await (await window.fetch('/.circlecdn/manifest.json', { cache: 'no-cache' })).json();
    paths = new Set(m.files.map((f: { path: string }) => f.path));
  } catch {
    return 0;
  }
  const urls = [...new Set(performance.getEntriesByType('resource').filter((e) => e.startTime < before).map((e) => e.name))]
    .filter((u) => {
      const url = new URL(u);
      return url.origin === location.origin && paths.has(decodeURI(url.pathname));
    });
  const queue = [...urls];
  const worker = async () => {
    for (let u; (u = queue.shift()); ) await fetch(u).then((r) => r.arrayBuffer()).catch(() => {});
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return urls.length;
}
