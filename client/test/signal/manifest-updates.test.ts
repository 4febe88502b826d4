import { afterEach, describe, expect, it, vi } from 'vitest';
import { reloadManifest } from '../../src/signal/manifest-updates';
import { parseServerMessage } from '../../src/signal/messages';
import { Manifest } from '../../src/verify/manifest';

const h = (c: string) => c.repeat(64);
const json = (generation: number, hash: string) => ({ version: 1, generation, piece_size: 100, files: [{ path: '/a.png', size: 4, sha256: h(hash) }] });
const base = new URL('https://site.example');
afterEach(() => vi.unstubAllGlobals());

describe('reloadManifest', () => {
  it('fetches the new manifest, revalidating, when the generation is not the one held', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(json(4, 'b'))));
    vi.stubGlobal('fetch', fetch);
    const next = await reloadManifest(base, { type: 'manifest', generation: 4 }, Manifest.parse(json(3, 'a')));
    expect(next?.generation).toBe(4);
    expect(next?.byPath.get('/a.png')?.sha256).toBe(h('b')); // the changed file under its new hash
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(String((fetch.mock.calls[0] as unknown[])[0])).toBe('https://site.example/.circlecdn/manifest.json');
    expect((fetch.mock.calls[0] as unknown[])[1]).toEqual({ cache: 'no-cache' });
  });

  it('does nothing for the generation it holds, and keeps what it has when the fetch fails', async () => {
    const fetch = vi.fn(async () => new Response('not json'));
    vi.stubGlobal('fetch', fetch);
    const held = Manifest.parse(json(3, 'a'));
    expect(await reloadManifest(base, { type: 'manifest', generation: 3 }, held)).toBeUndefined();
    expect(fetch).not.toHaveBeenCalled();
    expect(await reloadManifest(base, { type: 'manifest', generation: 5 }, held)).toBeUndefined();
  });
});

describe('the manifest notice on the wire', () => {
  it('is accepted with a numeric generation only', () => {
    expect(parseServerMessage('{"type":"manifest","generation":2,"etag":"W/\\"ab\\""}')).toMatchObject({ type: 'manifest', generation: 2 });
    expect(parseServerMessage('{"type":"manifest","generation":"2"}')).toBeNull();
    expect(parseServerMessage('{"type":"manifest"}')).toBeNull();
  });
});
