// Service worker mode with the library constructed in code (`new CircleCDN({ serviceWorker: true })`
// in every tab, no tag install): still one mesh per visitor. The first tab leads (Web Lock) and
// joins the crowd; the second has an instance that joins nothing (no socket, no peer id) while its
// page is carried by the leader's library through the worker. Closing the leader hands over: the
// second tab's instance joins and carries what it loads from then on.
import { DIR, loadSwPage, openControlled, PAGE_FILES, RECORD_EVENTS, resourcesCarried, siteWithHolder } from '../support/sw-site.mjs';
import { check, log, step, until } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'service worker mode in code: two tabs, one mesh; closing the leader tab hands over';

const welcomed = () =>
  new Promise((r) => {
    const wait = () => (window.circlecdn ? (window.circlecdn.peerId ? r(true) : window.circlecdn.addEventListener('ready', () => r(true), { once: true })) : setTimeout(wait, 50));
    wait();
  });

export async function run(ctx) {
  const { server, manifest } = await siteWithHolder(ctx);

  const v = await chromiumVisitor('tabA', { initScript: RECORD_EVENTS });
  await openControlled(v, server.url, `${DIR}/code-hello.html`);
  const tabA = v.page;
  await v.evaluate('leads and is welcomed', 15_000, welcomed);
  const tabB = await v.context.newPage();
  tabB.on('console', (m) => v.note(`tabB console.${m.type()}: ${m.text()}`));
  v.page = tabB;
  v.name = 'tabB';
  await v.goto(`${server.url}${DIR}/code-page.html`);
  const r = await loadSwPage(v, server.url, { navigate: false });
  check(r.controlled, 'tab B is not controlled by the worker');
  const b = await tabB.evaluate(async () => {
    await window.circlecdn.start();
    return { instance: !!window.circlecdn, peer: window.circlecdn.peerId, stats: window.circlecdn.stats };
  });
  check(b.instance && b.peer === '', `tab B's instance joined the crowd while tab A leads (peer id "${b.peer}")`);
  v.page = tabA;
  const carried = await resourcesCarried(v, PAGE_FILES);
  const fromPeers = [...carried.values()].reduce((n, e) => n + e.fromPeers, 0);
  const st = await server.stats();
  log(`  tab B's page carried by tab A's library: ${fromPeers} B from peers; tab B's own instance: ${JSON.stringify(b.stats.bytesFromPeers + b.stats.bytesFromOrigin)} B loaded; peers online ${st.peers_online}`);
  check(st.peers_online === 2, `${st.peers_online} signaling sockets for two visitors (the holder and one per tab would be 3)`);
  check(b.stats.bytesFromPeers + b.stats.bytesFromOrigin === 0, 'tab B\'s instance loaded bytes itself');

  await step('tab A closes', 10_000, () => tabA.close());
  v.page = tabB;
  await v.evaluate('tab B takes over and is welcomed', 15_000, welcomed);
  const path = `${DIR}/img/hero-2x.png`;
  const size = await v.evaluate('loads a new image through the worker', 30_000, async (p) => (await (await fetch(p)).arrayBuffer()).byteLength, path);
  check(size === manifest.files.find((f) => f.path === path).size, `tab B got ${size} bytes for ${path}`);
  await resourcesCarried(v, [path]);
  await step('one socket again', 10_000, () => until(async () => (await server.stats()).peers_online === 2, 200));
  log(`  after tab A closed: tab B's instance leads, carried ${path}; peers online 2`);
}
