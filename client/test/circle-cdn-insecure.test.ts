// Outside a secure context the library does not start: it says why once (console and a
// `disabled` event), declarative elements get their plain URL and cdn.fetch() is window.fetch,
// so every resource is fetched exactly once (never a failed verification, then a second load).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircleCDN } from '../src/circle-cdn';

// Just enough DOM for declarative mode: elements are recognised by `instanceof`.
class FakeElement {
  src = '';
  constructor(readonly url: string) {}
  getAttribute() {
    return this.url;
  }
  hasAttribute() {
    return true;
  }
}
class Unused {}

let fetched: string[];
let warnings: unknown[][];

function page(secure: boolean, subtle = true) {
  vi.stubGlobal('location', { origin: 'http://site.test', href: 'http://site.test/index.html' });
  vi.stubGlobal('isSecureContext', secure);
  if (!subtle) vi.stubGlobal('crypto', { getRandomValues: () => {} });
  vi.stubGlobal('Element', FakeElement);
  for (const name of ['HTMLLinkElement', 'HTMLScriptElement', 'HTMLSourceElement']) vi.stubGlobal(name, Unused);
  vi.stubGlobal('localStorage', { getItem: () => null });
  vi.stubGlobal('navigator', {});
  vi.stubGlobal('fetch', async (url: URL | string) => (fetched.push(String(url)), new Response('bytes')));
  const createObjectURL = vi.spyOn(URL, 'createObjectURL');
  const cdn = new CircleCDN();
  const disabled: unknown[] = [];
  cdn.addEventListener('disabled', (e) => disabled.push(e.detail));
  const elements = ['/img/a.png', '/img/b.png', '/big.png'].map((u) => new FakeElement(u));
  const root = { querySelectorAll: () => elements } as unknown as ParentNode;
  return { cdn, disabled, elements, root, createObjectURL };
}

beforeEach(() => {
  fetched = [];
  warnings = [];
  vi.spyOn(console, 'warn').mockImplementation((...args) => void warnings.push(args));
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('an insecure page', () => {
  it('does not start: one warning, one disabled event, elements get their plain URL, nothing is fetched twice', async () => {
    const { cdn, disabled, elements, root, createObjectURL } = page(false);
    await cdn.scan(root);
    expect(elements.map((e) => e.src)).toEqual(['/img/a.png', '/img/b.png', '/big.png']);
    // The library fetched nothing (no manifest, no socket): the browser loads each src once.
    expect(fetched).toEqual([]);
    expect(createObjectURL).not.toHaveBeenCalled();
    expect(cdn.optedOut).toBe('insecure-context');
    expect(disabled).toEqual([{ reason: 'insecure-context' }]);
    expect(warnings.length).toBe(1);
    expect(String(warnings[0][0])).toMatch(/insecure context/);
    expect(cdn.peerId).toBe('');

    // cdn.fetch() is window.fetch, once per call; a second scan says nothing again.
    const res = await cdn.fetch('/img/a.png');
    expect(await res.text()).toBe('bytes');
    expect(fetched).toEqual(['http://site.test/img/a.png']);
    await cdn.scan(root);
    expect(disabled.length).toBe(1);
    expect(warnings.length).toBe(1);
  });

  it('treats a page without crypto.subtle the same (nothing could be verified)', async () => {
    const { cdn, disabled, elements, root } = page(true, false);
    await cdn.scan(root);
    expect(elements[0].src).toBe('/img/a.png');
    expect(fetched).toEqual([]);
    expect(disabled).toEqual([{ reason: 'insecure-context' }]);
    expect(warnings.length).toBe(1);
  });

  it('a listener added right after start() still hears the event', async () => {
    vi.stubGlobal('location', { origin: 'http://site.test', href: 'http://site.test/' });
    vi.stubGlobal('isSecureContext', false);
    const cdn = new CircleCDN();
    const started = cdn.start();
    const heard: unknown[] = [];
    cdn.addEventListener('disabled', (e) => heard.push(e.detail));
    await started;
    expect(heard).toEqual([{ reason: 'insecure-context' }]);
  });
});

describe('an opted-out visitor on a secure page', () => {
  it('gets a disabled event with the opt-out reason and no warning', async () => {
    const { disabled, elements, root } = page(true);
    const cdn = new CircleCDN({ enabled: false });
    cdn.addEventListener('disabled', (e) => disabled.push(e.detail));
    await cdn.scan(root);
    expect(disabled).toEqual([{ reason: 'operator' }]);
    expect(elements[2].src).toBe('/big.png');
    expect(fetched).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
