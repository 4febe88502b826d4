// cdn.fetch's body for a file in the manifest: a ReadableStream fed item by item in file order
// (playback order), each item verified by the loader before it is enqueued, cut to the asked
// range. Pieces load LOOKAHEAD_PIECES ahead of the reader, so several holders serve one stream at
// once while the page holds only that window (plus what the stream's reader has not taken).
import type { Item } from '../verify/manifest';
import type { ByteRange } from './byte-range';
import type { Loaded } from './item-loader';

// Items loading ahead of the reader: 4 pieces = 1 MiB at the default piece size. Enough to keep
// several holders busy (each serves at most 4 uploads) without holding much of a large file.
export const LOOKAHEAD_PIECES = 4;

export const abortError = (): DOMException => new DOMException('The operation was aborted.', 'AbortError');

// Resolves with the first item before the stream exists, so a failure before any byte rejects
// cdn.fetch's promise (the service worker then falls back to the network) and a failure later
// errors the stream.
export async function pieceStream(
  items: Item[],
  range: ByteRange,
  load: (item: Item) => Promise<Loaded>,
  signal?: AbortSignal,
  done?: () => void,
): Promise<ReadableStream<Uint8Array>> {
  const wanted = items.filter((i) => i.end > range.start && i.start < range.end);
  const ahead: Array<Promise<Loaded>> = [];
  let next = 0;
  let stopped = false;
  const topUp = () => {
    while (!stopped && next < wanted.length && ahead.length < LOOKAHEAD_PIECES) {
      const p = load(wanted[next++]);
      p.catch(() => {}); // read (and reported) in order by the stream
      ahead.push(p);
    }
  };
  // The next item in order, or an AbortError as soon as the signal fires.
  let aborted: Promise<never> | undefined;
  let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
  let unlisten = () => {}; // a long-lived signal must not keep a finished stream alive
  const stop = () => {
    stopped = true;
    unlisten();
  };
  if (signal) {
    aborted = new Promise((_, reject) => {
      const fire = () => {
        stopped = true;
        reject(abortError());
        try {
          ctrl?.error(abortError()); // also while the reader is not pulling
        } catch {}
      };
      if (signal.aborted) fire();
      else signal.addEventListener('abort', fire, { once: true });
      unlisten = () => signal.removeEventListener('abort', fire);
    });
    aborted.catch(() => {});
  }
  let index = 0;
  const take = async (): Promise<Uint8Array> => {
    topUp();
    const item = wanted[index++];
    const got = await (aborted ? Promise.race([ahead.shift()!, aborted]) : ahead.shift()!);
    topUp();
    const from = Math.max(range.start, item.start) - item.start;
    const to = Math.min(range.end, item.end) - item.start;
    // A copy that owns its ArrayBuffer: the service worker's bridge transfers chunks, and the
    // loaded bytes may be shared (a concurrent load of the same item, a store write to come).
    return got.bytes.slice(from, to);
  };
  let first: Uint8Array | undefined;
  try {
    first = wanted.length ? await take() : new Uint8Array(0);
  } catch (e) {
    stop();
    throw e;
  }
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        ctrl = controller;
      },
      async pull(controller) {
        try {
          const bytes = first ?? (await take());
          first = undefined;
          if (bytes.length) controller.enqueue(bytes);
          if (index >= wanted.length) {
            stop();
            controller.close();
            done?.();
          }
        } catch (e) {
          stop();
          controller.error(e);
        }
      },
      cancel: stop,
    },
    // One item queued at most: the window above is what is in flight, and nothing more piles up
    // when the reader is slow.
    { highWaterMark: 1 },
  );
}

// Large files must not churn the store: of a file over `cap` bytes (a quarter of the quota), each
// page keeps only every k-th piece, from an offset of its own (k = size / cap, rounded up), so it
// stores about `cap` bytes of the file and visitors together hold all of it. What is not kept is
// still verified, used and passed on to the reader.
export function keepShare(size: number, cap: number): (index: number) => boolean {
  const k = Math.ceil(size / Math.max(1, cap));
  const from = Math.floor(Math.random() * k);
  return k <= 1 ? () => true : (i) => (i + from) % k === 0;
}
