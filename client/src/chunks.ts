// The library's parts that only some pages run, loaded on demand: the crowd (a tab that joins it),
// declarative mode (a page that scans markup) and the service worker's page side. Each is its own
// file under /.circlecdn/ with a fingerprinted, immutable name that the build writes into the
// core (client/build.mjs, CIRCLECDN_CHUNKS); unbuilt (unit tests) they are the modules themselves.
import type * as Bridge from './sw-bridge/bridge';
import type * as Dom from './dom/declarative';
import type * as Session from './session';

// Set by the build (client/build.mjs): that it is built, and the chunks' file names.
declare const CIRCLECDN_BUILT: true;
declare const CIRCLECDN_CHUNKS: { crowd: string; dom: string; sw: string };

// The core's own URL: the chunks sit beside it (set by the entry, esm.ts or classic.ts).
let base: string | undefined;
export const setChunkBase = (url: string | undefined) => void (base ??= url);

const built = <T>(name: 'crowd' | 'dom' | 'sw'): Promise<T> =>
  import(new URL(CIRCLECDN_CHUNKS[name], base ?? new URL('/.circlecdn/', location.href)).href);

export const crowdChunk = (): Promise<typeof Session> => typeof CIRCLECDN_BUILT == 'undefined' ? import('./session') : built('crowd');
export const domChunk = (): Promise<typeof Dom> => typeof CIRCLECDN_BUILT == 'undefined' ? import('./dom/declarative') : built('dom');
export const swChunk = (): Promise<typeof Bridge> => typeof CIRCLECDN_BUILT == 'undefined' ? import('./sw-bridge/bridge') : built('sw');
