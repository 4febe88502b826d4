// destroy() during start-up stops start-up: whichever await it lands in (the manifest's response,
// its body, the store's opening), no tracker socket is opened afterwards, the store that opened
// meanwhile is closed, and fetch() goes to the network.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircleCDN } from '../src/circle-cdn';
import { ContentStore } from '../src/store/content-store';
import { stubSecurePage } from './support/secure-page';

let sockets = 0;
class FakeSocket {
  static OPEN = 1;
  readyState = 1;
  constructor() {
    sockets++;
  }
  send() {}
  close() {}
}
const MANIFEST = { version: 1, generation: 1, piece_size: 262144, files: [{ path: '/a.bin', size: 3, sha256: 'a'.repeat(64) }] };
let db = 0;

// The manifest request resolves when the test says: `respond` releases the headers, `body` the text
// (either before or after the request); `asked` resolves once the library has asked for it (after
// the crowd chunk has loaded, chunks.ts).
function stubNetwork() {
  const gate = () => {
    let open!: () => void;
    return { done: new Promise<void>((r) => (open = r)), open: () => open() };
  };
  const [asked, respond, body] = [gate(), gate(), gate()];
  const gates = { asked: asked.done, respond: respond.open, body: body.open };
  const origin: string[] = [];
  vi.stubGlobal('fetch', (url: URL | string) => {
    if (!String(url).endsWith('/.circlecdn/manifest.json')) {
      origin.push(String(url));
      return Promise.resolve(new Response(new Uint8Array([1, 2, 3])));
    }
    asked.open();
    return respond.done.then(() => ({ text: () => body.done.then(() => JSON.stringify(MANIFEST)) }) as unknown as Response);
  });
  return { gates, origin };
}
const ticks = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

beforeEach(() => {
  sockets = 0;
  stubSecurePage(FakeSocket);
});
afterEach(() => vi.unstubAllGlobals());

describe('destroy during start-up', () => {
  for (const at of ['respond', 'body'] as const)
    it(`while the manifest's ${at === 'respond' ? 'response' : 'body'} is awaited: no socket, the store closed, fetch from the network`, async () => {
      const { gates, origin } = stubNetwork();
      const closed = vi.spyOn(ContentStore.prototype, 'close');
      const cdn = new CircleCDN({ dbName: `destroy-${db++}` });
      const started = cdn.start();
      await gates.asked;
      if (at === 'body') gates.respond();
      await ticks();
      cdn.destroy();
      gates.respond();
      gates.body();
      await started;
      await ticks();
      expect(sockets).toBe(0);
      expect(closed).toHaveBeenCalled();
      const res = await cdn.fetch('/a.bin');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
      expect(origin).toEqual(['https://site.test/a.bin']);
      closed.mockRestore();
    });

  it('while the store opens after the manifest: no socket, that store closed', async () => {
    const { gates } = stubNetwork();
    let release!: () => void;
    const realOpen = ContentStore.open;
    const opened: ContentStore[] = [];
    vi.spyOn(ContentStore, 'open').mockImplementation(async (...args) => {
      await new Promise<void>((r) => (release = r));
      const s = await realOpen(...args);
      opened.push(s);
      vi.spyOn(s, 'close');
      return s;
    });
    const cdn = new CircleCDN({ dbName: `destroy-${db++}` });
    const started = cdn.start();
    await gates.asked;
    gates.respond();
    await ticks();
    gates.body();
    await ticks();
    cdn.destroy();
    release();
    await started;
    await ticks();
    expect(sockets).toBe(0);
    expect(opened[0].close).toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it('without destroy the same start-up opens the socket (the check above can fail)', async () => {
    const { gates } = stubNetwork();
    const cdn = new CircleCDN({ dbName: `destroy-${db++}` });
    const started = cdn.start();
    await gates.asked;
    gates.respond();
    await ticks();
    gates.body();
    await started;
    expect(sockets).toBe(1);
    cdn.destroy();
  });
});
