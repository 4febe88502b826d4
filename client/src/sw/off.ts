// What /.circlecdn/sw.js is while the operator has set `--service-worker off` (the kill switch):
// it takes over from the carrying worker at once, handles no request (everything goes to the
// network) and unregisters itself. The library does not register a worker again while it is off.
declare const self: {
  registration: { unregister(): Promise<boolean> };
  skipWaiting(): Promise<void>;
  addEventListener(type: string, fn: (e: { waitUntil(p: Promise<unknown>): void }) => void): void;
};
self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.registration.unregister()));
export {};
