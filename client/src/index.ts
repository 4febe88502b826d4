// The public face: the CircleCDN class, its options, stats and typed events, and the error type.
export { CircleCDN } from './circle-cdn';
export type { CircleEventMap, CircleOptions, CircleStats, ResourceDetail } from './circle-cdn';
export { CircleError } from './circle-error';
export type { Source } from './fetch/item-loader';
