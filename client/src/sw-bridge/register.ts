// Service worker mode, the page's side: answers the worker's requests with cdn.fetch() and
// registers the worker (scope /) unless the operator has switched it off (docs/client.md,
// "Service worker mode"; docs/operations.md, --service-worker).
import type { CircleCDN } from '../circle-cdn';
import { answer, isAsk, type CdnFetch } from './answer';
import { warmUp } from './first-visit';
import { type Held, takeOver } from './hold';
import { isLeader, leaderWithin, whenLeader } from './leader';

export const SW_PATH = '/.circlecdn/sw.js';
// On the worker script's answer: `off` is the kill switch (the server then serves a worker that
// unregisters itself), so the page registers nothing.
export const MODE_HEADER = 'CircleCDN-Service-Worker';
// A first visit waits this long for the new worker to take the page over before it gives up.
const CLAIM_WAIT_MS = 5_000;
// How long a tab that is not (yet) the leader holds a worker's request before the network.
const FOLLOWER_WAIT_MS = 1_000;

/** `fetch` once this tab leads within FOLLOWER_WAIT_MS, else a failure (the worker goes to the network). */
export const whenLeading = (fetch: () => CdnFetch): CdnFetch => async (input, init) => {
  if (!(await leaderWithin(FOLLOWER_WAIT_MS))) throw new Error('follower');
  return fetch()(input, init);
};

/**
 * Makes `cdn` answer the service worker and registers the worker. The library's own origin
 * fetches are marked (X-Circle-Library), so the worker never brings them back here. A tab that
 * does not lead (leader.ts) answers only once it leads, within FOLLOWER_WAIT_MS; `held`: the
 * messages that came before (hold.ts).
 */
export function useServiceWorker(cdn: CircleCDN, base: URL, held?: Held): void {
  const sw = typeof navigator == 'object' ? navigator.serviceWorker : undefined;
  if (!sw || !isSecureContext || base.origin !== location.origin) return held?.stop();
  const fetch: CdnFetch = (input, init) => cdn.fetch(input, init);

  // The leader says so to the worker, which then routes every tab's requests here: when it
  // leads, when a new worker takes over, and when a worker (restarted) asks.
  const announce = () => sw.controller?.postMessage({ type: 'circlecdn:leader' });
  whenLeader(() => {
    announce();
    sw.addEventListener('controllerchange', announce);
  });
  const later = whenLeading(() => fetch);
  takeOver(held, sw, (e) => {
    if (e.data?.type === 'circlecdn:who-leads' && isLeader()) return announce();
    if (!isAsk(e.data) || !e.ports[0]) return;
    void answer(e.data, e.ports[0], isLeader() ? fetch : later, cdn.optedOut ?? undefined);
  });
  void register(cdn, sw, new URL(SW_PATH, base).href, fetch).catch(() => {});
}

async function register(cdn: CircleCDN, sw: ServiceWorkerContainer, url: string, fetch: CdnFetch): Promise<void> {
  await cdn.start();
  const reg = await sw.getRegistration('/');
  const ours = !!reg && [reg.active, reg.waiting, reg.installing].some((w) => w?.scriptURL === url);
  // A visitor's opt-out, or the operator's enabled: false, removes the worker too.
  if (cdn.optedOut && cdn.optedOut !== 'consent') return void (ours && reg!.unregister());
  if (cdn.optedOut) return;
  // Controlled by this worker: it checks the switch itself on every navigation.
  if (ours && sw.controller?.scriptURL === url) return;
  let on = false;
  try {
    const r = await window.fetch(url, { method: 'HEAD', cache: 'no-store' });
    on = r.ok && r.headers.get(MODE_HEADER) !== 'off';
  } catch {}
  if (!on) return void (ours && reg!.unregister());
  const first = !sw.controller;
  await sw.register(url, { scope: '/' });
  if (!first) return;
  // The worker claims this page (sw/worker.ts, activate): what it loads from now on goes through
  // the crowd; what it loaded before is fetched again through the library and announced.
  const claimed = await Promise.race([
    new Promise<boolean>((r) => sw.addEventListener('controllerchange', () => r(true), { once: true })),
    new Promise<boolean>((r) => setTimeout(r, CLAIM_WAIT_MS, false)),
  ]);
  // Up to the claim the page loaded from the network; from then on through the worker and the library.
  if (claimed) await warmUp(fetch, performance.now());
}
