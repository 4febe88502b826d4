// Auto mode for the one-<script> install: a script tag with data-circle-auto creates the instance
// (window.circlecdn), loads every [data-circle-src] element and watches for new ones.
// data-circle-auto="off" is the operator switch; data-circle-uploads="N" caps uploads;
// data-circle-consent="required" waits for window.circlecdn.grantConsent().
import { CircleCDN } from '../circle-cdn';

export function autoStart(): void {
  const tag = document.currentScript ?? document.querySelector('script[data-circle-auto]');
  const mode = tag?.getAttribute('data-circle-auto');
  if (mode == null) return;
  const uploads = tag!.getAttribute('data-circle-uploads');
  const cdn = new CircleCDN({
    enabled: mode !== 'off',
    maxUploads: uploads ? Number(uploads) : undefined,
    requireConsent: tag!.getAttribute('data-circle-consent') === 'required',
  });
  (window as { circlecdn?: CircleCDN }).circlecdn = cdn;
  const go = () => {
    cdn.scan();
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n instanceof Element) cdn.scan(n);
    }).observe(document.documentElement, { childList: true, subtree: true });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go);
  else go();
}
