// Small helpers for the e2e tests: per-step deadlines, logging, byte formatting, assertions.
export class StepTimeout extends Error {}

// Every await on a browser or the server goes through a deadline: page.evaluate has none.
export async function step(label, ms, fn) {
  let timer;
  const started = Date.now();
  try {
    return await Promise.race([
      Promise.resolve().then(fn),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new StepTimeout(`step "${label}" exceeded ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    log(`  · ${label} (${Date.now() - started} ms)`);
  }
}

export function log(...args) {
  console.log(...args);
}

export function size(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1048576).toFixed(2)} MiB`;
}

export function check(cond, message) {
  if (!cond) throw new Error(`check failed: ${message}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `fn` until it returns a truthy value (or the step deadline of the caller fires).
export async function until(fn, everyMs = 100) {
  for (;;) {
    const v = await fn();
    if (v) return v;
    await sleep(everyMs);
  }
}

// One line per visitor: where its bytes came from.
export function offloadLine(name, s) {
  const fetched = s.bytesFromPeers + s.bytesFromOrigin;
  const pct = fetched ? ((100 * s.bytesFromPeers) / fetched).toFixed(1) : '0.0';
  return `${name}: from peers ${size(s.bytesFromPeers)} (${s.bytesFromPeers} B), from origin ${size(s.bytesFromOrigin)} (${s.bytesFromOrigin} B), from store ${size(s.bytesFromStore)}, uploaded ${size(s.bytesUploaded)} — ${pct}% of fetched bytes from peers`;
}

export function peerShare(s) {
  const fetched = s.bytesFromPeers + s.bytesFromOrigin;
  return fetched ? s.bytesFromPeers / fetched : 0;
}
