// The one-tag install of service worker mode: <script src="/.circlecdn/circlecdn.iife.js"
// data-circlecdn-sw> creates the instance (window.circlecdn) with `serviceWorker: true` in the
// leader tab only (leader.ts: one mesh per visitor; another tab creates it when it takes over); with
// data-circle-auto as well, the auto mode's instance gets the worker. data-circle-uploads="N" caps
// uploads, data-circle-prefer-peers asks the crowd first (docs/client.md).
import { CircleCDN } from '../circle-cdn';
import { answer, isAsk, type CdnFetch } from './answer';
import { isLeader, leaderWithin, whenLeader } from './leader';
import { useServiceWorker } from './register';

// How long a tab that is not (yet) the leader holds a worker's request before the network.
const FOLLOWER_WAIT_MS = 1_000;

export function swAutoStart(): void {
  const tag = document.currentScript ?? document.querySelector('script[data-circlecdn-sw]');
  if (!tag?.hasAttribute('data-circlecdn-sw')) return;
  const w = window as { circlecdn?: CircleCDN };
  if (w.circlecdn) return useServiceWorker(w.circlecdn, new URL(location.origin));
  const uploads = tag.getAttribute('data-circle-uploads');
  const sw = navigator.serviceWorker;
  // A tab that does not lead runs no library (no socket, no peers): the worker takes its requests
  // to the leader. Asked before its library exists, it answers once it leads (a page that replaced
  // the leader in its tab gets the lock a moment later), else sends the worker to the network.
  const later: CdnFetch = async (input, init) => {
    if (!(await leaderWithin(FOLLOWER_WAIT_MS))) throw new Error('follower');
    return (w.circlecdn!.fetch as CdnFetch)(input, init);
  };
  sw?.addEventListener('message', (e) => {
    if (!isLeader() && isAsk(e.data) && e.ports[0]) void answer(e.data, e.ports[0], later);
  });
  sw?.startMessages();
  whenLeader(() => {
    w.circlecdn = new CircleCDN({
      serviceWorker: true,
      maxUploads: uploads ? Number(uploads) : undefined,
      preferPeers: tag.hasAttribute('data-circle-prefer-peers'),
    });
    void w.circlecdn.start();
  });
}
