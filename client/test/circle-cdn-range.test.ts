// cdn.fetch with Range, Request and signal through the whole library: 206 and Content-Range with
// the verified bytes of the range (only the pieces it covers asked for), 416, 200 with
// Content-Length, a Request's own headers, abort, and a path outside the manifest left to fetch.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircleCDN } from '../src/circle-cdn';
import { sha256Hex } from '../src/verify/sha256';
import { stubSecurePage } from './support/secure-page';

const PIECE = 262_144;
const body = new Uint8Array(3 * PIECE + 1000).map((_, i) => (i * 7) % 251);
// Every want misses (no holder): each piece then comes from the origin with its token and Range.
class FakeSocket {
  static OPEN = 1;
  readyState = 1;
  closed = false;
  onmessage?: (e: { data: string }) => void;
  constructor() {
    setTimeout(() => this.receive({ type: 'welcome', peer: 'ME', protocol: 1, limits: {}, uploads: {} }));
  }
  send(text: string) {
    const m = JSON.parse(text);
    if (m.type === 'want') setTimeout(() => this.receive({ type: 'miss', id: m.id, hash: m.hash, token: 'T', reason: 'no_holder' }));
  }
  close() {
    this.closed = true;
  }
  receive(m: object) {
    if (!this.closed) this.onmessage?.({ data: JSON.stringify(m) });
  }
}
let ranges: string[];
// Byte equality without the matcher's element-by-element diff (slow on a MiB).
const same = (a: ArrayBuffer, b: Uint8Array) => a.byteLength === b.length && new Uint8Array(a).every((x, i) => x === b[i]);
let db = 0;

async function boot() {
  const pieces = await Promise.all([0, 1, 2, 3].map((i) => sha256Hex(body.subarray(i * PIECE, (i + 1) * PIECE))));
  const manifest = { version: 1, generation: 1, piece_size: PIECE, files: [{ path: '/v.mp4', size: body.length, sha256: await sha256Hex(body), pieces }] };
  vi.stubGlobal('fetch', async (url: URL | string | Request, init?: RequestInit) => {
    const u = String(url instanceof Request ? url.url : url);
    if (u.endsWith('/.circlecdn/manifest.json')) return Response.json(manifest);
    if (!u.endsWith('/v.mp4')) return new Response('plain ' + u);
    const r = /bytes=(\d+)-(\d+)/.exec(new Headers(init?.headers).get('Range') ?? '')!;
    ranges.push(r[0]);
    return new Response(body.slice(+r[1], +r[2] + 1), { status: 206 });
  });
  const cdn = new CircleCDN({ dbName: `range-${db++}`, preferPeers: true });
  await cdn.start();
  return cdn;
}

beforeEach(() => {
  ranges = [];
  stubSecurePage(FakeSocket);
});
afterEach(() => vi.unstubAllGlobals());

describe('cdn.fetch with Range', () => {
  it('206 with Content-Range and the range\'s bytes; only the pieces it covers are loaded', async () => {
    const cdn = await boot();
    const res = await cdn.fetch('/v.mp4', { headers: { Range: `bytes=${PIECE - 10}-${2 * PIECE + 9}` } });
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toBe(`bytes ${PIECE - 10}-${2 * PIECE + 9}/${body.length}`);
    expect(res.headers.get('Content-Length')).toBe(String(PIECE + 20));
    expect(res.headers.get('Content-Type')).toBe('video/mp4');
    expect(same(await res.arrayBuffer(), body.slice(PIECE - 10, 2 * PIECE + 10))).toBe(true);
    expect(ranges.sort()).toEqual([`bytes=0-${PIECE - 1}`, `bytes=${PIECE}-${2 * PIECE - 1}`, `bytes=${2 * PIECE}-${3 * PIECE - 1}`]);
    cdn.destroy();
  });

  it('a Request\'s Range header counts; an open-ended range runs to the end', async () => {
    const cdn = await boot();
    const res = await cdn.fetch(new Request('https://site.test/v.mp4', { headers: { Range: `bytes=${3 * PIECE + 500}-` } }));
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toBe(`bytes ${3 * PIECE + 500}-${body.length - 1}/${body.length}`);
    expect(same(await res.arrayBuffer(), body.slice(3 * PIECE + 500))).toBe(true);
    cdn.destroy();
  });

  it('416 with bytes */size for a range past the end; 200 with Content-Length without a Range', async () => {
    const cdn = await boot();
    const bad = await cdn.fetch('/v.mp4', { headers: { Range: `bytes=${body.length}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('Content-Range')).toBe(`bytes */${body.length}`);
    expect(ranges).toEqual([]);
    const whole = await cdn.fetch('/v.mp4');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('Content-Length')).toBe(String(body.length));
    expect(same(await whole.arrayBuffer(), body)).toBe(true);
    cdn.destroy();
  });

  it('an aborted signal rejects with AbortError; a path outside the manifest is the plain fetch', async () => {
    const cdn = await boot();
    const ac = new AbortController();
    const p = cdn.fetch('/v.mp4', { headers: { Range: 'bytes=0-10' }, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(await (await cdn.fetch('/other.txt')).text()).toBe('plain https://site.test/other.txt');
    cdn.destroy();
  });
});
