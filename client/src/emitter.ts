// Small typed subscriptions between the library's parts: a part that has news (the tracker's
// messages, the pool's channels) offers `on`, and each part that needs the news subscribes to the
// kinds it handles. No central switch, and the page-facing events stay on the DOM EventTarget.
export type Handler<A extends unknown[]> = (...args: A) => void;

export class Emitter<M extends { [K in keyof M]: unknown[] }> {
  private _subs: { [K in keyof M]?: Handler<M[K]>[] } = {};

  on<K extends keyof M>(type: K, fn: Handler<M[K]>): void {
    (this._subs[type] ??= []).push(fn);
  }

  protected emit<K extends keyof M>(type: K, ...args: M[K]): void {
    for (const fn of this._subs[type] ?? []) fn(...args);
  }
}
