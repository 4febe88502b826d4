// The page's side of a service worker request (docs/client.md, "Service worker mode"): the worker
// posts { type: 'circlecdn:fetch', url, range? } with a MessagePort; the page acks at once, calls
// cdn.fetch() and answers on the port with a head, then one chunk per `pull` (so a slow reader
// holds back the page, and no more than one chunk waits in the worker), then `end`, or `error`.
// Every byte comes from cdn.fetch's body, which holds only verified pieces (or is the network's
// answer for a path the manifest does not list).

/** The one call the bridge makes into the library (the contract with client/src/fetch). */
export type CdnFetch = (input: string, init?: { headers?: HeadersInit; signal?: AbortSignal }) => Promise<Response>;

export interface WorkerAsk {
  type: 'circlecdn:fetch';
  url: string;
  range?: string;
}

interface Port {
  postMessage(m: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
  close(): void;
}

// Headers that describe the bytes on the wire, not the decoded body the page hands over.
const WIRE = ['content-encoding', 'content-length', 'transfer-encoding'];

/** Whether `m` is a worker's request. */
export const isAsk = (m: unknown): m is WorkerAsk =>
  !!m && (m as WorkerAsk).type === 'circlecdn:fetch' && typeof (m as WorkerAsk).url === 'string';

/** Answers one request on `port` with `fetch`; `refuse` (a reason) sends the worker to the network. */
export async function answer(ask: WorkerAsk, port: Port, fetch: CdnFetch, refuse?: string): Promise<void> {
  if (refuse) return port.postMessage({ type: 'error', message: refuse }), port.close();
  port.postMessage({ type: 'ack' });
  const abort = new AbortController();
  let pulls = 0;
  let wake: (() => void) | undefined;
  port.onmessage = (e) => {
    if (e.data?.type === 'pull') pulls++;
    if (e.data?.type === 'cancel') abort.abort();
    wake?.();
  };
  const pulled = async () => {
    while (!pulls && !abort.signal.aborted) await new Promise<void>((r) => (wake = r));
    pulls--;
    return !abort.signal.aborted;
  };
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const res = await fetch(ask.url, { headers: ask.range ? { Range: ask.range } : undefined, signal: abort.signal });
    const headers: Record<string, string> = {};
    const coded = res.headers.has('content-encoding');
    res.headers.forEach((v, k) => {
      if (!coded || !WIRE.includes(k)) headers[k] = v;
    });
    port.postMessage({ type: 'head', status: res.status, headers });
    reader = res.body?.getReader();
    for (;;) {
      if (!(await pulled())) return reader?.cancel();
      const r = reader ? await reader.read() : { done: true as const };
      if (r.done) break;
      const v = r.value;
      const bytes = v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v.buffer : v.slice().buffer;
      port.postMessage({ type: 'chunk', bytes }, [bytes as ArrayBuffer]);
    }
    port.postMessage({ type: 'end' });
  } catch (e) {
    reader?.cancel().catch(() => {});
    if (!abort.signal.aborted) port.postMessage({ type: 'error', message: String((e as Error)?.message ?? e) });
  } finally {
    port.close();
  }
}
