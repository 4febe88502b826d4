// The worker's messages that come before the bridge's chunk has loaded (chunks.ts) are kept and
// handed to it: the message queue must start at once, else it waits for DOMContentLoaded, which
// waits for the scripts the worker is asking this page for (sw-recipe: parser-blocking scripts
// stalled until the timeout).
export interface Held {
  events: MessageEvent[];
  /** Stops keeping; the bridge's own listener takes over. */
  stop(): void;
}

export function holdMessages(): Held | undefined {
  const sw = typeof navigator == 'object' ? navigator.serviceWorker : undefined;
  if (!sw) return undefined;
  const events: MessageEvent[] = [];
  const keep = (e: MessageEvent) => void events.push(e);
  sw.addEventListener('message', keep);
  sw.startMessages();
  return { events, stop: () => sw.removeEventListener('message', keep) };
}

/** `listen` gets the worker's messages from now on, the held ones first. */
export function takeOver(held: Held | undefined, sw: ServiceWorkerContainer, listen: (e: MessageEvent) => void): void {
  sw.addEventListener('message', listen);
  held?.stop();
  for (const e of held?.events.splice(0) ?? []) listen(e);
}
