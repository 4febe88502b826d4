// The one-tag install of service worker mode: <script src="/.circlecdn/circlecdn.iife.js"
// data-circlecdn-sw> creates the instance (window.circlecdn) with `serviceWorker: true`; with
// data-circle-auto as well, the auto mode's instance gets the worker. data-circle-uploads="N" caps
// uploads, data-circle-prefer-peers asks the crowd first (docs/client.md).
import { CircleCDN } from '../circle-cdn';
import { useServiceWorker } from './register';

export function swAutoStart(): void {
  const tag = document.currentScript ?? document.querySelector('script[data-circlecdn-sw]');
  if (!tag?.hasAttribute('data-circlecdn-sw')) return;
  const w = window as { circlecdn?: CircleCDN };
  if (w.circlecdn) return useServiceWorker(w.circlecdn, new URL(location.origin));
  const uploads = tag.getAttribute('data-circle-uploads');
  w.circlecdn = new CircleCDN({
    serviceWorker: true,
    maxUploads: uploads ? Number(uploads) : undefined,
    preferPeers: tag.hasAttribute('data-circle-prefer-peers'),
  });
  void w.circlecdn.start();
}
