// The one-tag install of service worker mode: <script src="/.circlecdn/circlecdn.iife.js"
// data-circlecdn-sw>. The tag is read while the script runs; the rest is the bridge's chunk
// (tabs.ts), which creates the library in the leader tab only.
import { CircleCDN } from '../circle-cdn';
import { swChunk } from '../chunks';
import { holdMessages } from './hold';

export function swAutoStart(): void {
  const tag = document.currentScript ?? document.querySelector('script[data-circlecdn-sw]');
  if (!tag?.hasAttribute('data-circlecdn-sw')) return;
  const held = holdMessages();
  swChunk().then((b) => b.swAuto(tag, CircleCDN, held), () => held?.stop());
}
