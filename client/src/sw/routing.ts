// What the service worker does with a request, decided without touching the network: pure
// functions over the request, the manifest's paths and the open pages, so they are unit-tested.
export const PREFIX = '/.circlecdn/';
// The library's own origin fetch (item-loader.ts: every one is marked, and most carry a miss
// token): a page never answers it.
const LIBRARY_HEADERS = ['x-circle-library', 'x-circle-miss'];

export interface RouteRequest {
  method: string;
  url: string;
  mode: string;
  headers: { get(name: string): string | null };
}

/**
 * Why `req` goes straight to the network, or null when a page should be asked for it. Only
 * same-origin GETs (not navigations) for a path the manifest lists are asked; `paths` is undefined
 * while the worker has no manifest.
 */
export function networkReason(req: RouteRequest, origin: string, paths?: { has(path: string): boolean }): string | null {
  if (req.method !== 'GET') return 'method';
  if (req.mode === 'navigate') return 'navigation';
  const u = new URL(req.url);
  if (u.origin !== origin) return 'cross-origin';
  if (u.pathname.startsWith(PREFIX)) return 'circlecdn';
  if (LIBRARY_HEADERS.some((h) => req.headers.get(h) != null)) return 'library';
  if (!paths) return 'no-manifest';
  let path: string;
  try {
    path = decodeURI(u.pathname);
  } catch {
    return 'bad-path';
  }
  return paths.has(path) ? null : 'not-in-manifest';
}

export interface PageClient {
  id: string;
  type?: string;
  focused?: boolean;
  visibilityState?: string;
}

/**
 * Which open page answers (docs/client.md, "Which page answers"): the leader tab when one is
 * known and open, else the page that made the request, else a focused, then a visible, then any
 * window. A page's library never asks itself: its own origin fetches are marked and go to the
 * network before this (networkReason), so a page that asks twice for one URL (a <video>'s
 * ranges) is answered twice.
 */
export function pickClient(clients: readonly PageClient[], requester: string, leader?: string): string | undefined {
  const windows = clients.filter((c) => (c.type ?? 'window') === 'window');
  const pick =
    windows.find((c) => c.id === leader) ?? windows.find((c) => c.id === requester) ??
    windows.find((c) => c.focused) ?? windows.find((c) => c.visibilityState === 'visible') ?? windows[0];
  return pick?.id;
}

/** The headers of the worker's answer: the page's, with Content-Length from the manifest when a whole file lacks one. */
export function answerHeaders(status: number, headers: Record<string, string>, size?: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  if (status === 200 && size !== undefined && !('content-length' in out) && !('content-encoding' in out))
    out['content-length'] = String(size);
  return out;
}

/** [first, last] of a 206's `content-range: bytes first-last/size` (lower-case header names), or undefined. */
export function contentRange(headers: Record<string, string>): [number, number] | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headers['content-range'] ?? '');
  return m && Number(m[1]) <= Number(m[2]) ? [Number(m[1]), Number(m[2])] : undefined;
}
