// Service worker mode, handover without losing a transfer: the leader tab is answering another
// tab's request for a 6 MiB file (its chunks slowed down by a test-only init script) when it
// closes. The worker notices within a second and continues the same response from the network
// from the byte it had reached (Range); the reading tab gets the whole file, byte-exact. Twice: a
// whole answer (200), and a range answer (206, `Range: bytes=1000-5000000`) whose rest is the
// remainder of that range.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIR, openControlled, RECORD_EVENTS, writeSwSite } from '../support/sw-site.mjs';
import { check, log, step, until } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'service worker mode: closing the leader mid-answer does not lose the transfer';

// In a page opened with ?slow: every chunk the page posts to its worker waits 100 ms.
const SLOW = () => {
  if (!location.search.includes('slow')) return;
  const post = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (m, ...rest) {
    if (m && m.type === 'chunk') return void setTimeout(() => post.call(this, m, ...rest), 100);
    return post.call(this, m, ...rest);
  };
};

export async function run(ctx) {
  writeSwSite(ctx.root);
  const server = await ctx.startServer();
  const file = (await server.manifest()).files.find((f) => f.path === '/media/big.png');
  check(file && file.size > 4 << 20, 'the demo site has no /media/big.png of several MiB');
  const bytes = readFileSync(join(ctx.root, 'e2e/out/site', file.path));
  await handover(server, file, bytes, undefined);
  await handover(server, file, bytes, [1000, 5_000_000]);
}

// Tab B reads `file` (or the inclusive byte span `range` of it) through the worker while tab A,
// the leader, answers it slowly; tab A closes after the first MiB.
async function handover(server, file, bytes, range) {
  const what = range ? `bytes ${range[0]}-${range[1]}` : 'the whole file';
  const expected = range ? bytes.subarray(range[0], range[1] + 1) : bytes;
  const v = await chromiumVisitor(range ? 'tabA-range' : 'tabA', { initScript: { content: `(${SLOW})(); (${RECORD_EVENTS})();` } });
  await openControlled(v, server.url, `${DIR}/hello.html?slow`);
  const tabA = v.page;
  await v.evaluate('leads and is welcomed', 15_000, () =>
    new Promise((r) => (window.circlecdn?.peerId ? r(true) : window.circlecdn.addEventListener('ready', () => r(true), { once: true }))));
  const tabB = await v.context.newPage();
  tabB.on('console', (m) => v.note(`tabB console.${m.type()}: ${m.text()}`));
  await tabB.goto(`${server.url}${DIR}/hello.html`);
  const status = await tabB.evaluate(async (range) => {
    window.got = 0;
    const res = await fetch('/media/big.png', range ? { headers: { Range: `bytes=${range[0]}-${range[1]}` } } : {});
    window.done = (async () => {
      const reader = res.body.getReader();
      const parts = [];
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        parts.push(r.value);
        window.got += r.value.length;
      }
      const all = new Uint8Array(window.got);
      let o = 0;
      for (const p of parts) all.set(p, o), (o += p.length);
      return [...new Uint8Array(await crypto.subtle.digest('SHA-256', all))].map((b) => b.toString(16).padStart(2, '0')).join('');
    })();
    return res.status;
  }, range);
  check(status === (range ? 206 : 200), `tab B's answer for ${what} is ${status}`);
  const before = await step(`tab B receives the first MiB of ${what} from tab A`, 60_000, () =>
    until(() => tabB.evaluate(() => (window.got >= 1 << 20 ? window.got : 0)), 50));
  check(!(await tabB.evaluate(() => !!window.circlecdn)), 'tab B runs a library of its own: tab A did not carry the file');
  const answering = await tabA.evaluate(() => window.circleEvents.length >= 0 && !!window.circlecdn.peerId);
  check(answering, 'tab A is not the leader');
  await step('tab A closes mid-answer', 10_000, () => tabA.close());
  const sha = await step(`tab B completes ${what}`, 60_000, () => tabB.evaluate(() => window.done));
  const got = await tabB.evaluate(() => window.got);
  const want = createHash('sha256').update(expected).digest('hex');
  log(`  ${what}: tab B had ${before} of ${expected.length} B when tab A closed; it got ${got} B in all, SHA-256 ${sha === want ? 'matches' : 'DIFFERS'}`);
  check(before < expected.length, 'the transfer was over before the leader closed: the test proves nothing');
  check(got === expected.length && sha === want, `tab B got ${got} B with another hash for ${what}`);
  await v.close();
}
