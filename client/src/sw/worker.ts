// The service worker (/.circlecdn/sw.js, scope /): carries every same-origin GET the manifest
// lists by asking an open page's CircleCDN for it (browsers have no WebRTC in workers), and lets
// everything else, and everything that fails, go to the network. It adds no source of bytes of
// its own: what it serves comes from the page's cdn.fetch(), which enqueues only verified pieces,
// or from the network. The page protocol is in docs/client.md, "Service worker mode".
import { answerHeaders, contentRange, networkReason, pickClient, PREFIX } from './routing';

// A page that has the library acks at once, even while it is still loading (it answers from its
// event loop, not after its scripts); a page without it never does.
const ACK_MS = 1_500;
// From ack to head: the library's own deadlines (peers, then the origin) end well before this.
const HEAD_MS = 20_000;
// Between two messages of a body: a page closed mid-answer never sends another.
const STALL_MS = 20_000;
// How long a request waits for the kill-switch check a navigation started.
const MODE_WAIT_MS = 2_000;
// A worker that does not know the leader tab (it was restarted) asks the open pages, at most
// every LEADER_ASK_MS, and a request waits LEADER_WAIT_MS for the answer.
const LEADER_ASK_MS = 5_000;
const LEADER_WAIT_MS = 300;
// How often a request checks that the page it asked is still open (a closed leader tab).
const GONE_CHECK_MS = 1_000;
export const MODE_HEADER = 'circlecdn-service-worker';

interface Client { id: string; url?: string; type?: string; focused?: boolean; visibilityState?: string; postMessage(m: unknown, t: Transferable[]): void }
interface FetchEvent extends Event {
  request: Request;
  clientId: string;
  respondWith(r: Promise<Response>): void;
  waitUntil(p: Promise<unknown>): void;
}
declare const self: {
  location: Location;
  registration: { unregister(): Promise<boolean> };
  clients: { matchAll(o: object): Promise<Client[]>; claim(): Promise<void>; get(id: string): Promise<Client | undefined> };
  skipWaiting(): Promise<void>;
  addEventListener(type: string, fn: (e: FetchEvent & { data?: { type?: string }; source?: { id: string } }) => void): void;
};

const sleep = (ms: number) => new Promise<undefined>((r) => setTimeout(r, ms, undefined));
// Path -> size, from the manifest; refreshed on every navigation and when a page says it changed.
let files: Promise<Map<string, number> | undefined> | undefined;
let known: Map<string, number> | undefined; // the last one loaded
// Whether the operator lets the worker carry anything (--service-worker): checked per navigation.
let enabled: Promise<boolean> | undefined;
let off = false; // its last answer, for the decision that cannot wait
// The leader tab's client id (it says so); asked for when unknown.
let leader: string | undefined;
let leaderAsked = 0;
let leaderHeard: (() => void) | undefined;

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
  if (e.data?.type === 'circlecdn:leader' && e.source) (leader = e.source.id), leaderHeard?.();
});

async function findLeader(all: Client[]): Promise<void> {
  if (all.some((c) => c.id === leader) || Date.now() - leaderAsked < LEADER_ASK_MS) return;
  leaderAsked = Date.now();
  const heard = new Promise<void>((r) => (leaderHeard = r));
  for (const c of all) c.postMessage({ type: 'circlecdn:who-leads' }, []);
  await Promise.race([heard, sleep(LEADER_WAIT_MS)]);
}
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
    let all = await self.clients.matchAll({ type: 'window' });
    if (!all.some((c) => c.id === leader)) await findLeader(all), (all = await self.clients.matchAll({ type: 'window' }));
    const client = all.find((c) => c.id === pickClient(all, e.clientId, leader));
    if (!client) return fetch(req);
    return (await askPage(client, req, url, paths.get(decodeURI(new URL(url).pathname)))) ?? fetch(req);
  } catch {
    return fetch(req);
  }
}

// Asks `client` over a MessageChannel; null when it does not answer in time or fails before its
// head (the caller goes to the network). A failure after the head (the page closed: a leader tab
// going away) continues the answer from the network from the byte it reached: a whole (200) one
// with `Range: bytes=N-`, a range (206) one with the rest of its Content-Range; the body errors
// only when the network does not answer that range exactly.
async function askPage(client: Client, req: Request, url: string, size: number | undefined): Promise<Response | null> {
  const { port1, port2 } = new MessageChannel();
  const queue: { type: string; [k: string]: unknown }[] = [];
  let wake: (() => void) | undefined;
  const push = (m: { type: string; [k: string]: unknown }) => (queue.push(m), wake?.());
  port1.onmessage = (m) => push(m.data);
  const watch = setInterval(() => self.clients.get(client.id).then((c) => c || push({ type: 'error', message: 'page gone' })), GONE_CHECK_MS);
  const finish = () => (clearInterval(watch), port1.close());
  const next = async (ms: number) => {
    if (!queue.length) await Promise.race([new Promise<void>((r) => (wake = r)), sleep(ms)]);
    return queue.shift() ?? { type: 'error', message: 'timeout' };
  };
  client.postMessage({ type: 'circlecdn:fetch', url, range: req.headers.get('range') ?? undefined }, [port2]);
  let m = await next(ACK_MS);
  if (m.type === 'ack') m = await next(HEAD_MS);
  if (m.type !== 'head') return finish(), null;
  const head = m as unknown as { status: number; headers: Record<string, string> };
  let sent = 0;
  let rest: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const pull = async (c: ReadableStreamDefaultController<Uint8Array>): Promise<void> => {
    if (rest) {
      const r = await rest.read();
      return r.done ? c.close() : c.enqueue(r.value);
    }
    port1.postMessage({ type: 'pull' });
    const m = await next(STALL_MS);
    if (m.type === 'chunk') {
      const bytes = new Uint8Array(m.bytes as ArrayBuffer);
      sent += bytes.length;
      return c.enqueue(bytes);
    }
    finish();
    if (m.type === 'end') return c.close();
    const span = head.status === 200 ? [0] : contentRange(head.headers);
    rest = span ? await fromNetwork(req, span[0]! + sent, span[1]) : undefined;
    return rest ? pull(c) : c.error(new Error(String(m.message)));
  };
  const body = new ReadableStream<Uint8Array>({
    pull,
    cancel() {
      port1.postMessage({ type: 'cancel' });
      finish();
      void rest?.cancel();
    },
  });
  const nullBody = head.status === 204 || head.status === 304;
  if (nullBody) port1.postMessage({ type: 'cancel' }), finish();
  return new Response(nullBody ? null : body, { status: head.status, headers: answerHeaders(head.status, head.headers, size) });
}

// The rest of an answer, bytes `from` to `to` (inclusive; undefined: to the end), from the network
// (the origin: the same source as any fallback); undefined when the server does not answer that
// range exactly.
async function fromNetwork(req: Request, from: number, to?: number): Promise<ReadableStreamDefaultReader<Uint8Array> | undefined> {
  try {
    const res = await fetch(req.url, { headers: { Range: `bytes=${from}-${to ?? ''}` }, credentials: 'same-origin' });
    const got = contentRange(Object.fromEntries(res.headers));
    const exact = from === 0 && to === undefined ? res.status === 200 : res.status === 206 && got?.[0] === from && (to === undefined || got[1] === to);
    return exact ? res.body?.getReader() : (res.body?.cancel(), undefined);
  } catch {
    return undefined;
  }
}
