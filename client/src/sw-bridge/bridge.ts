// Service worker mode's page side, the entry of its chunk (circlecdn-sw.js, chunks.ts): loaded by
// a page with `serviceWorker: true` or the data-circlecdn-sw tag.
export { leaderWithin, whenLeader } from './leader';
export { useServiceWorker } from './register';
export { swAuto } from './tabs';
