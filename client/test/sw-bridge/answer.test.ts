import { afterEach, describe, expect, it } from 'vitest';
import { answer, isAsk, type CdnFetch } from '../../src/sw-bridge/answer';

// The worker's end of the channel: what the page sent, and a way to ask for the next chunk.
const ports: MessagePort[] = [];
function channel() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const got: { type: string; [k: string]: unknown }[] = [];
  let wake: (() => void) | undefined;
  port1.onmessage = (e) => (got.push(e.data), wake?.());
  const until = async (n: number) => {
    while (got.length < n) await new Promise<void>((r) => (wake = r));
    return got;
  };
  return { page: port2, worker: port1, got, until };
}
afterEach(() => ports.splice(0).forEach((p) => p.close()));

const streamOf = (chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(ch);
      c.close();
    },
  });
const ask = { type: 'circlecdn:fetch' as const, url: 'https://site.example/img/a.png' };

describe('answer', () => {
  it('acks at once, sends the head, then one chunk per pull, then end', async () => {
    const seen: { input: string; range?: string }[] = [];
    const fetch: CdnFetch = async (input, init) => {
      seen.push({ input, range: new Headers(init?.headers).get('range') ?? undefined });
      return new Response(streamOf([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])]), {
        status: 206, headers: { 'Content-Type': 'image/png', 'Content-Range': 'bytes 0-4/10', 'Content-Length': '5' },
      });
    };
    const c = channel();
    const done = answer({ ...ask, range: 'bytes=0-4' }, c.page as never, fetch);
    const [ack, head] = await c.until(2);
    expect(ack.type).toBe('ack');
    expect(head).toMatchObject({ type: 'head', status: 206 });
    expect(head.headers).toMatchObject({ 'content-type': 'image/png', 'content-range': 'bytes 0-4/10', 'content-length': '5' });
    expect(seen).toEqual([{ input: ask.url, range: 'bytes=0-4' }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.got.length).toBe(2); // nothing before the worker pulls
    c.worker.postMessage({ type: 'pull' });
    const [, , first] = await c.until(3);
    expect([...new Uint8Array(first.bytes as ArrayBuffer)]).toEqual([1, 2, 3]);
    c.worker.postMessage({ type: 'pull' });
    c.worker.postMessage({ type: 'pull' });
    const all = await c.until(5);
    expect([...new Uint8Array(all[3].bytes as ArrayBuffer)]).toEqual([4, 5]);
    expect(all[4].type).toBe('end');
    await done;
  });

  it('sends the worker to the network at once when refused (library off, or its own fetch)', async () => {
    let called = false;
    const c = channel();
    await answer(ask, c.page as never, async () => ((called = true), new Response('x')), 'own-fetch');
    const [m] = await c.until(1);
    expect(m).toEqual({ type: 'error', message: 'own-fetch' });
    expect(called).toBe(false);
  });

  it('reports a failed fetch as an error after the ack', async () => {
    const c = channel();
    await answer(ask, c.page as never, async () => {
      throw new Error('origin down');
    });
    const got = await c.until(2);
    expect(got.map((m) => m.type)).toEqual(['ack', 'error']);
    expect(got[1].message).toContain('origin down');
  });

  it('aborts the library fetch and its body when the worker cancels', async () => {
    let signal: AbortSignal | undefined;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull: (ctl) => ctl.enqueue(new Uint8Array(4)),
      cancel: () => void (cancelled = true),
    });
    const c = channel();
    const done = answer(ask, c.page as never, async (_i, init) => ((signal = init?.signal), new Response(body)));
    await c.until(2);
    c.worker.postMessage({ type: 'pull' });
    await c.until(3);
    c.worker.postMessage({ type: 'cancel' });
    await done;
    expect(signal?.aborted).toBe(true);
    expect(cancelled).toBe(true);
    expect(c.got.map((m) => m.type)).toEqual(['ack', 'head', 'chunk']);
  });

  it('drops the wire length of a coded body (the page hands over decoded bytes)', async () => {
    const c = channel();
    void answer(ask, c.page as never, async () =>
      new Response('abc', { headers: { 'Content-Encoding': 'gzip', 'Content-Length': '99', 'Content-Type': 'text/css' } }));
    const [, head] = await c.until(2);
    expect(head.headers).toEqual({ 'content-type': 'text/css' });
  });

  it('recognises only the worker request', () => {
    expect(isAsk(ask)).toBe(true);
    expect(isAsk({ type: 'circlecdn:fetch' })).toBe(false);
    expect(isAsk({ type: 'other', url: 'x' })).toBe(false);
    expect(isAsk(null)).toBe(false);
  });
});
