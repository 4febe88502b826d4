// The one-tag install of service worker mode (auto.ts read the tag): the instance
// (window.circlecdn) is created with `serviceWorker: true` in the leader tab only (leader.ts: one
// mesh per visitor; another tab creates it when it takes over); with data-circle-auto as well,
// the auto mode's instance gets the worker. data-circle-uploads="N" caps uploads,
// data-circle-prefer-peers asks the crowd first (docs/client.md).
import type { CircleCDN } from '../circle-cdn';
import { answer, isAsk, type CdnFetch } from './answer';
import { type Held, takeOver } from './hold';
import { isLeader, whenLeader } from './leader';
import { useServiceWorker, whenLeading } from './register';

export function swAuto(tag: Element, Cdn: typeof CircleCDN, held: Held | undefined): void {
  const w = window as { circlecdn?: CircleCDN };
  if (w.circlecdn) return useServiceWorker(w.circlecdn, new URL(location.origin), held);
  const uploads = tag.getAttribute('data-circle-uploads');
  const sw = navigator.serviceWorker;
  // A tab that does not lead runs no library (no socket, no peers): the worker takes its requests
  // to the leader. Asked before its library exists, it answers once it leads (a page that replaced
  // the leader in its tab gets the lock a moment later), else sends the worker to the network.
  const later = whenLeading(() => w.circlecdn!.fetch.bind(w.circlecdn) as CdnFetch);
  if (sw)
    takeOver(held, sw, (e) => {
      if (!isLeader() && isAsk(e.data) && e.ports[0]) void answer(e.data, e.ports[0], later);
    });
  whenLeader(() => {
    w.circlecdn = new Cdn({
      serviceWorker: true,
      maxUploads: uploads ? Number(uploads) : undefined,
      preferPeers: tag.hasAttribute('data-circle-prefer-peers'),
    });
    void w.circlecdn.start();
  });
}
