// The service worker (/.circlecdn/sw.js, scope /): carries every same-origin GET the manifest
// lists by asking an open page's CircleCDN for it (browsers have no WebRTC in workers), and lets
// everything else, and everything that fails, go to the network. It adds no source of bytes of
// its own: what it serves comes from the page's cdn.fetch(), which enqueues only verified pieces,
// or from the network. The page protocol is in docs/client.md, "Service worker mode".
import { answerHeaders, networkReason, pickClient, PREFIX } from './routing';

// A page that has the library acks at once, even while it is still loading (it answers from its
// event loop, not after its scripts); a page without it never does.
const ACK_MS = 1_500;
// From ack to head: the library's own deadlines (peers, then the origin) end well before this.
const HEAD_MS = 20_000;
// Between two messages of a body: a page closed mid-answer never sends another.
const STALL_MS = 20_000;
// How long a request waits for the kill-switch check a navigation started.
const MODE_WAIT_MS = 2_000;
export const MODE_HEADER = 'circlecdn-service-worker';

interface Client { id: string; type?: string; focused?: boolean; visibilityState?: string; postMessage(m: unknown, t: Transferable[]): void }
interface FetchEvent extends Event {
  request: Request;
  clientId: string;
  respondWith(r: Promise<Response>): void;
  waitUntil(p: Promise<unknown>): void;
}
declare const self: {
  location: Location;
  registration: { unregister(): Promise<boolean> };
  clients: { matchAll(o: object): Promise<Client[]>; claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: string, fn: (e: FetchEvent & { data?: { type?: string } }) => void): void;
};

const sleep = (ms: number) => new Promise<undefined>((r) => setTimeout(r, ms, undefined));
// Path -> size, from the manifest; refreshed on every navigation and when a page says it changed.
let files: Promise<Map<string, number> | undefined> | undefined;
let known: Map<string, number> | undefined; // the last one loaded
// Whether the operator lets the worker carry anything (--service-worker): checked per navigation.
let enabled: Promise<boolean> | undefined;
let off = false; // its last answer, for the decision that cannot wait
// URL -> pages being asked for it now (a request from one of them is the library's own fetch).
const asking = new Map<string, Set<string>>();

const loadManifest = () =>
  (files = fetch(PREFIX + 'manifest.json', { cache: 'no-cache' })
    .then((r) => (r.ok ? r.json() : undefined))
    .then((m) => (known = m && new Map<string, number>(m.files.map((f: { path: string; size: number }) => [f.path, f.size]))))
    .catch(() => undefined));
const checkMode = () =>
  (enabled = fetch(PREFIX + 'sw.js', { method: 'HEAD', cache: 'no-store' })
    .then((r) => r.headers.get(MODE_HEADER) !== 'off')
    .catch(() => true)
    .then((on) => ((off = !on), on || self.registration.unregister().then(() => false))));

self.addEventListener('install', () => void self.skipWaiting());
// The first visit: the page that registered is controlled from now on, so what it loads later
// (lazy images, fetch()) already goes through the crowd (docs/client.md, "The first visit").
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('message', (e) => {
  if (e.data?.type === 'circlecdn:manifest') loadManifest();
});
self.addEventListener('fetch', (e) => {
  const req = e.request;
  const origin = self.location.origin;
  if (req.mode === 'navigate') {
    if (req.method === 'GET' && new URL(req.url).origin === origin) checkMode(), loadManifest();
    return;
  }
  // Decided at once when possible, so most requests the crowd does not carry never wait on the
  // worker: anything but a same-origin GET of a site file, and a path the last manifest lacks.
  if (off || networkReason(req, origin, known) !== (known ? null : 'no-manifest')) return;
  e.respondWith(answer(e));
});

async function answer(e: FetchEvent): Promise<Response> {
  const req = e.request;
  try {
    const on = await Promise.race([(enabled ??= checkMode()), sleep(MODE_WAIT_MS)]);
    const paths = on === false ? undefined : await (files ??= loadManifest());
    if (!paths || networkReason(req, self.location.origin, paths) !== null) return fetch(req);
    const url = req.url.split('#')[0];
    const busy = asking.get(url) ?? new Set<string>();
    const all = await self.clients.matchAll({ type: 'window' });
    const client = all.find((c) => c.id === pickClient(all, e.clientId, busy));
    if (!client) return fetch(req);
    asking.set(url, busy.add(client.id));
    const done = () => (busy.delete(client.id), busy.size || asking.delete(url));
    const res = await askPage(client, url, req.headers.get('range'), paths.get(decodeURI(new URL(url).pathname)), done);
    return res ?? (done(), fetch(req));
  } catch {
    return fetch(req);
  }
}

// Asks `client` over a MessageChannel; null when it does not answer in time or fails before its
// head (the caller goes to the network). After the head, a failure errors the body.
async function askPage(client: Client, url: string, range: string | null, size: number | undefined,
  done: () => void): Promise<Response | null> {
  const { port1, port2 } = new MessageChannel();
  const queue: { type: string; [k: string]: unknown }[] = [];
  let wake: (() => void) | undefined;
  port1.onmessage = (m) => (queue.push(m.data), wake?.());
  const next = async (ms: number) => {
    if (!queue.length) await Promise.race([new Promise<void>((r) => (wake = r)), sleep(ms)]);
    return queue.shift() ?? { type: 'error', message: 'timeout' };
  };
  client.postMessage({ type: 'circlecdn:fetch', url, range: range ?? undefined }, [port2]);
  let m = await next(ACK_MS);
  if (m.type === 'ack') m = await next(HEAD_MS);
  if (m.type !== 'head') return port1.close(), null;
  const head = m as unknown as { status: number; headers: Record<string, string> };
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      port1.postMessage({ type: 'pull' });
      const m = await next(STALL_MS);
      if (m.type === 'chunk') return c.enqueue(new Uint8Array(m.bytes as ArrayBuffer));
      port1.close();
      done();
      m.type === 'end' ? c.close() : c.error(new Error(String(m.message)));
    },
    cancel() {
      port1.postMessage({ type: 'cancel' });
      port1.close();
      done();
    },
  });
  const nullBody = head.status === 204 || head.status === 304;
  if (nullBody) port1.postMessage({ type: 'cancel' }), port1.close(), done();
  return new Response(nullBody ? null : body, { status: head.status, headers: answerHeaders(head.status, head.headers, size) });
}
