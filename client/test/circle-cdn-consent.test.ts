// With `requireConsent` nothing starts before grantConsent(): no manifest, no tracker socket, no
// store; cdn.fetch() is a plain fetch. After consent the library starts as usual.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircleCDN } from '../src/circle-cdn';

afterEach(() => vi.unstubAllGlobals());

describe('requireConsent', () => {
  it('starts nothing until the page grants consent, then starts', async () => {
    const fetched: string[] = [];
    const sockets: string[] = [];
    vi.stubGlobal('location', { origin: 'https://site.test', href: 'https://site.test/index.html' });
    vi.stubGlobal('isSecureContext', true);
    vi.stubGlobal('localStorage', { getItem: () => null });
    vi.stubGlobal('navigator', {});
    vi.stubGlobal('WebSocket', class {
      constructor(url: string) {
        sockets.push(url);
      }
    });
    // No manifest: the library stops after asking for it (enough to see that it started).
    vi.stubGlobal('fetch', async (url: URL | string) => (fetched.push(String(url)), new Response('nope', { status: 404 })));
    const cdn = new CircleCDN({ requireConsent: true });
    await cdn.start();
    const res = await cdn.fetch('/img/a.png');
    expect(await res.text()).toBe('nope');
    expect(fetched).toEqual(['https://site.test/img/a.png']);
    expect(sockets).toEqual([]);
    expect(cdn.optedOut).toBe('consent');

    await cdn.grantConsent();
    expect(fetched[1]).toBe('https://site.test/.circlecdn/manifest.json');
    expect(cdn.optedOut).toBeNull();
  });
});
