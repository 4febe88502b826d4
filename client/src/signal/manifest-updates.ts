// The live manifest (docs/protocol.md, `manifest`): the server tells every connected page when the
// site changed, so a long-lived page fetches the new manifest at once, without polling, and never
// wants a changed file under its old hash. It tells its service worker too, which routes by the
// manifest's paths.
import { Manifest } from '../verify/manifest';

export interface ManifestChange {
  type: 'manifest';
  generation: number;
  /** The new manifest's ETag (W/"<content tag>"). */
  etag?: string;
}

/**
 * The manifest after `change`, fetched from `base`; undefined when `current` is already that
 * generation or the fetch fails (the page keeps what it has; the next notice tries again).
 */
export async function reloadManifest(base: URL, change: ManifestChange, current?: Manifest): Promise<Manifest | undefined> {
  if (current?.generation === change.generation) return undefined;
  try {
    const res = await fetch(new URL('/.circlecdn/manifest.json', base), { cache: 'no-cache' });
    const next = Manifest.parse(await res.json());
    globalThis.navigator?.serviceWorker?.controller?.postMessage({ type: 'circlecdn:manifest' });
    return next;
  } catch {
    return undefined;
  }
}
