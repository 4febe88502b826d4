// A reload serves the gallery from IndexedDB, with no network fetch of the cached content.
import { galleryFiles, itemCount, loadGallery, waitAnnounced } from '../support/pages.mjs';
import { check, log, offloadLine, step } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'a reload serves from IndexedDB without fetching the content again';

export async function run(ctx) {
  const server = await ctx.startServer();
  const files = galleryFiles(await server.manifest());
  const total = files.reduce((n, f) => n + f.size, 0);

  const v = await chromiumVisitor('visitor');
  await loadGallery(v, server.url);
  log(`  first load: ${offloadLine('visitor', await v.stats())}`);
  await waitAnnounced(v, server, itemCount(files)); // announced = stored

  v.requests.length = 0;
  await step('visitor reloads', 30_000, () => v.page.reload());
  await loadGallery(v, server.url, { navigate: false });
  const s = await v.stats();
  log(`  after reload: ${offloadLine('visitor', s)}`);
  const content = v.requests.filter((p) => files.some((f) => f.path === p));
  log(`  requests during the reload: ${v.requests.join(' ')}`);
  check(content.length === 0, `content fetched over the network after the reload: ${content.join(', ')}`);
  check(s.bytesFromStore === total, `from store ${s.bytesFromStore} of ${total} bytes`);
  check(s.bytesFromPeers === 0 && s.bytesFromOrigin === 0, 'bytes came from the network after the reload');
}
