// Reads a server-sent-events stream with fetch(), so the operator token travels in the
// Authorization header (EventSource cannot send headers: the token would have to go in the URL,
// where access logs and proxies keep it). Reconnects after the server's `retry` delay.
export interface StreamHandlers {
  frame(data: string): void;
  state(text: string, ok: boolean): void;
  /** The server refused the token (401) or has none configured (404): stop and ask again. */
  refused(status: number): void;
}

const DEFAULT_RETRY_MS = 2000;

export async function followEvents(url: string, token: string, h: StreamHandlers, signal: AbortSignal): Promise<void> {
  let retryMs = DEFAULT_RETRY_MS;
  while (!signal.aborted) {
    try {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store', signal });
      if (res.status === 401 || res.status === 404) return h.refused(res.status);
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      h.state('live', true);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        // Events end with a blank line; `data:` lines of one event are joined with newlines.
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data: string[] = [];
          for (const line of event.split('\n')) {
            if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
            else if (line.startsWith('retry:')) retryMs = Number(line.slice(6)) || retryMs;
          }
          if (data.length) h.frame(data.join('\n'));
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      h.state(`reconnecting (${(e as Error).message})`, false);
    }
    h.state('reconnecting', false);
    await new Promise((r) => setTimeout(r, retryMs));
  }
}
