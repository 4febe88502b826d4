// The markup of declarative mode (docs/client.md): the attributes that mark an element, and what
// observe() watches. Apart from declarative.ts because the core's observe() needs them before
// the declarative chunk has loaded.
export const SRC_ATTR = 'data-circle-src';
export const SRCSET_ATTR = 'data-circle-srcset';
export const OBSERVED: MutationObserverInit = {
  childList: true, subtree: true, attributes: true, attributeFilter: [SRC_ATTR, SRCSET_ATTR, 'sizes', 'media'],
};
