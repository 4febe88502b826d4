// Service worker mode, test 3 of issue 12: two tabs of one visitor share one set of peer
// connections. The first tab leads (Web Lock) and runs the library; the second runs none, and its
// worker requests are carried by the leader's library. Closing the leader hands over: the second
// tab takes the lock, starts its library, and carries what it loads from then on.
import { DIR, loadSwPage, openControlled, PAGE_FILES, RECORD_EVENTS, resourcesCarried, siteWithHolder } from '../support/sw-site.mjs';
import { check, log, step, until } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'service worker mode: two tabs, one mesh; closing the leader tab hands over';

export async function run(ctx) {
  const { server, manifest } = await siteWithHolder(ctx);

  const v = await chromiumVisitor('tabA', { initScript: RECORD_EVENTS });
  await openControlled(v, server.url);
  const tabA = v.page;
  await v.evaluate('leads and is welcomed', 15_000, () =>
    new Promise((r) => (window.circlecdn?.peerId ? r(true) : window.circlecdn.addEventListener('ready', () => r(true), { once: true }))));
  const tabB = await v.context.newPage();
  tabB.on('console', (m) => v.note(`tabB console.${m.type()}: ${m.text()}`));
  v.page = tabB;
  v.name = 'tabB';
  const r = await loadSwPage(v, server.url);
  check(r.controlled, 'tab B is not controlled by the worker');
  check(!(await tabB.evaluate(() => !!window.circlecdn)), 'tab B started a library of its own while tab A leads');
  v.page = tabA;
  const carried = await resourcesCarried(v, PAGE_FILES);
  const fromPeers = [...carried.values()].reduce((n, e) => n + e.fromPeers, 0);
  const st = await server.stats();
  log(`  tab B's page carried by tab A's library: ${fromPeers} B from peers; peers online ${st.peers_online} (the holder and tab A)`);
  check(st.peers_online === 2, `${st.peers_online} signaling sockets for two visitors`);

  await step('tab A closes', 10_000, () => tabA.close());
  v.page = tabB;
  await v.evaluate('tab B takes over and is welcomed', 15_000, () =>
    new Promise((r) => {
      const wait = () => (window.circlecdn ? (window.circlecdn.peerId ? r(true) : window.circlecdn.addEventListener('ready', () => r(true), { once: true })) : setTimeout(wait, 50));
      wait();
    }));
  const path = `${DIR}/img/hero-2x.png`;
  const size = await v.evaluate('loads a new image through the worker', 30_000, async (p) => (await (await fetch(p)).arrayBuffer()).byteLength, path);
  check(size === manifest.files.find((f) => f.path === path).size, `tab B got ${size} bytes for ${path}`);
  await resourcesCarried(v, [path]);
  await step('one socket again', 10_000, () => until(async () => (await server.stats()).peers_online === 2, 200));
  log(`  after tab A closed: tab B leads, carried ${path} with its own library; peers online 2`);
}
