// Auto mode for the one-<script> install: a script tag with data-circle-auto creates the instance
// (window.circlecdn), loads every marked element and keeps watching (new elements, changed
// attributes, removed ones).
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
    cdn.observe();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go);
  else go();
}
