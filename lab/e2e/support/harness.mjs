// What the lab's end-to-end tests share: the circlecdn server started inside the lab's origin
// namespace (HTTPS with the lab CA, STUN and TURN from the lab's coturn), visitors in homes
// (lab/support/lab.mjs over lab/visitor-agent.mjs, every page instrumented by recorder.js), and
// the checks run in pages. Every wait has a deadline; everything a test opens is closed by the
// runner, also when the test fails.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LAB_SH, Visitor } from '../../support/lab.mjs';
import { spawnUntil } from '../../../e2e/support/server.mjs';
import { check, log, sleep } from '../../../e2e/support/util.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const RECORDER = join(HERE, 'recorder.js');
const run = promisify(execFile);
const STOP_GRACE_MS = 8_000;
const SANITIZER = /ERROR: (Address|Leak|Undefined|Thread)Sanitizer|runtime error:/;

export { check, log, sleep };

export function size(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1048576).toFixed(2)} MiB`;
}

export async function labCmd(...args) {
  const { stdout } = await run('bash', [LAB_SH, ...args], { encoding: 'utf8', timeout: 120_000 });
  return stdout;
}

// A command inside a lab host (hN, rN, pub, origin), with a deadline.
export async function inLab(host, argv, timeoutMs = 20_000) {
  const { stdout } = await run('bash', [LAB_SH, 'exec', host, '--', ...argv], { encoding: 'utf8', timeout: timeoutMs });
  return stdout;
}

// What the tests that assert an offload share set on their homes: no random loss and no rate
// limit (delay and jitter stay). With the lab's defaults (0.5 % loss, 10 Mbit/s up through a tbf
// queue of 200 ms) Chromium's SCTP overshoots in slow start, loses most of a window at the tbf,
// and then recovers at ~32 KB/s for 10-20 s (lab/README.md, "Tests"): the library then takes
// the rest from the origin, correctly, and the share says nothing about NAT traversal. The
// correctness tests keep the defaults.
export const FAST_LINK = { loss: 0, up: 'off', down: 'off' };

// Changes some homes' links for one test (`lab.sh shape hN KEY VALUE ...`) and puts the lab's
// values back afterwards, whatever happens to the test.
export async function shapeHomes(ctx, homes, settings) {
  for (const h of homes) {
    const key = { loss: 'LOSS_PCT', up: 'UP', down: 'DOWN', jitter: 'JITTER_MS', rtt: 'RTT_MS' };
    const was = Object.fromEntries(Object.keys(settings).map((k) => [k, ctx.env[`LAB_HOME_${h.name}_${key[k]}`]]));
    const args = Object.entries(settings).flat().map(String);
    await labCmd('shape', h.name, ...args);
    ctx.cleanup(() => labCmd('shape', h.name, ...Object.entries(was).flat().map(String)));
  }
  log(`  ${homes.map((h) => h.name).join(', ')}: ${Object.entries(settings).map(([k, v]) => `${k} ${v}`).join(', ')} for this test`);
}

// The circlecdn server in the origin namespace. opts: tls (default true), port, ice (STUN+TURN,
// default true), turnSecret (default the lab's), turnTransports, relayOnly, connectivity (a 10 s
// first-byte budget, below), args (more flags).
export async function startLabServer(ctx, opts = {}) {
  const { env } = ctx;
  const tls = opts.tls ?? true;
  const port = opts.port ?? (tls ? 443 : 8080);
  const args = ['serve', ctx.site, '--listen', `${env.LAB_SERVER_IP}:${port}`, '--client-dir', ctx.clientDir];
  // No hash cache, as in the loopback e2e: the server then hashes the site before it listens, so the
  // manifest is complete from the first request. With a cache file that does not cover the site
  // (a fresh clone's first run) it listens first and the manifest starts empty (CI, stop 18).
  if (!(opts.args ?? []).includes('--hash-cache')) args.push('--hash-cache', 'none');
  // /.circlecdn/stats needs the operator token: a fresh one per server, read from a file.
  const operatorToken = randomBytes(18).toString('base64url');
  const tokenFile = join(ctx.scratch, `operator-token-${ctx.servers.length}`);
  writeFileSync(tokenFile, `${operatorToken}\n`, { mode: 0o600 });
  args.push('--operator-token-file', tokenFile);
  if (tls) args.push('--tls-cert', env.LAB_TLS_CERT, '--tls-key', env.LAB_TLS_KEY);
  if (opts.ice ?? true) {
    const secretFile = join(ctx.scratch, `turn-secret-${ctx.servers.length}`);
    writeFileSync(secretFile, `${opts.turnSecret ?? env.LAB_TURN_SECRET}\n`, { mode: 0o600 });
    args.push('--stun', `stun:${env.LAB_STUN}`);
    for (const t of opts.turnTransports ?? ['udp', 'tcp']) args.push('--turn', `turn:${env.LAB_TURN}?transport=${t}`);
    args.push('--turn-secret-file', secretFile);
    if (opts.relayOnly) args.push('--ice-relay-only');
  }
  // Tests of connectivity (which pair forms, that bytes flow across NATs) give a path 10 s for its
  // first byte instead of the default 3 s: with up to three Chromiums and a TURN relay on this
  // 2-core machine a slow first byte is load, and one `timeout` makes the only holder excluded for
  // 10 minutes (seen: 9.4 % from peers in the relay-only test). The budget itself is what tests
  // 04-06 and bench/lab measure, with the defaults.
  if (opts.connectivity) args.push('--first-byte-timeout', '10000');
  args.push(...(opts.args ?? []));
  const started = await spawnUntil('bash', [LAB_SH, 'exec', 'origin', '--', ctx.bin, ...args], {
    cwd: ctx.root, pattern: /listening on (https?:\/\/\S+)/, name: 'circlecdn (lab origin)',
  });
  const { child, exited } = started;
  const scheme = tls ? 'https' : 'http';
  const s = {
    url: started.found, // as the server printed it (the IP)
    base: `${scheme}://${env.LAB_SERVER_NAME}${port === (tls ? 443 : 80) ? '' : ':' + port}`, // what visitors open
    pid: child.pid,
    args,
    output: () => ({ out: started.out(), err: started.err() }),
    async get(path) {
      const out = await inLab('origin', ['curl', '-sS', '--fail', '--max-time', '5', '--cacert', env.LAB_CA,
        '-H', `Authorization: Bearer ${operatorToken}`, `${s.url}${path}`]);
      return JSON.parse(out);
    },
    stats: () => s.get('/.circlecdn/stats'),
    manifest: () => s.get('/.circlecdn/manifest.json'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const { code, signal } = await exited;
      clearTimeout(timer);
      if (SANITIZER.test(started.err())) throw new Error(`server sanitizer report:\n${started.err().slice(-8000)}`);
      if (code !== 0 && signal !== 'SIGTERM') log(`  server exited with ${code ?? signal}\n${started.err().slice(-4000)}`);
    },
  };
  ctx.servers.push(s);
  log(`  server in ${env.LAB_SERVER_NS} on ${s.url} (pid ${child.pid}): ${args.slice(3).filter((a) => a.startsWith('--')).join(' ')}`);
  return s;
}

// A browser in a home; `home` is an entry of env.homes. Every page gets recorder.js first.
export async function openVisitor(ctx, home, { browser = 'chromium', name, initScripts = [] } = {}) {
  const t0 = Date.now();
  const v = await Visitor.open(home.name, {
    browser, ca: ctx.env.LAB_CA, name: name ?? `${browser}@${home.name}`, initScripts: [RECORDER, ...initScripts],
  });
  v.home = home;
  ctx.visitors.push(v);
  log(`  · ${v.name} (${home.nat}, ${home.rttMs} ms) launched ${v.ready.browser} ${v.ready.version} in ${Date.now() - t0} ms`);
  return v;
}

// A function's source as an init script file in the test's scratch folder.
export function scriptFile(ctx, name, fn) {
  const f = join(ctx.scratch, `${name}.js`);
  writeFileSync(f, `(${fn})();\n`);
  return f;
}

export async function timed(label, fn) {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    log(`  · ${label} (${Date.now() - t0} ms)`);
  }
}

// ---------------------------------------------------------------- in pages
export function galleryFiles(manifest) {
  const files = manifest.files.filter((f) => f.path.startsWith('/img/') || f.path.startsWith('/media/'));
  // An empty list would make every count below trivially true (an unfinished manifest: CI stop 18).
  if (files.length === 0) throw new Error('the manifest lists no gallery files');
  return files;
}
export const itemCount = (files) => files.reduce((n, f) => n + (f.pieces ? f.pieces.length : 1), 0);
export const totalBytes = (files) => files.reduce((n, f) => n + f.size, 0);

// Opens the gallery and waits until every image has its content; every image must decode.
export async function loadGallery(v, base, ms = 120_000) {
  await timed(`${v.name} opens ${base}/index.html`, () => v.goto(`${base}/index.html`, 30_000));
  const images = await timed(`${v.name} loads the gallery and decodes every image`, () =>
    v.eval(`(async () => {
      await window.circleLoaded;
      return Promise.all([...document.images].map(async (img) => {
        try { await img.decode(); } catch {}
        return { src: img.getAttribute('data-circle-src'), width: img.naturalWidth };
      }));
    })()`, ms));
  const broken = images.filter((i) => !(i.width > 0));
  check(images.length > 0 && broken.length === 0, `${v.name}: images that did not decode: ${JSON.stringify(broken)}`);
  return images.length;
}

// Re-reads every file through the library (its store by now) and compares SHA-256 with the manifest.
export async function checkHeldContent(v, files, ms = 60_000) {
  const list = JSON.stringify(files.map((f) => ({ path: f.path, sha256: f.sha256 })));
  const bad = await timed(`${v.name} re-reads ${files.length} files and checks every hash`, () =>
    v.eval(`(async () => {
      const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
      const bad = [];
      for (const f of ${list}) {
        const buf = await (await window.circlecdn.fetch(f.path)).arrayBuffer();
        if (hex(await crypto.subtle.digest('SHA-256', buf)) !== f.sha256) bad.push(f.path);
      }
      return bad;
    })()`, ms));
  check(bad.length === 0, `${v.name}: content differs from the manifest: ${bad.join(', ')}`);
}

// The e2e lab page (e2e/support/pages.mjs LAB_PAGE): cdn.fetch() on a list of paths.
export async function openLab(v, base) {
  await timed(`${v.name} opens ${base}/lab.html`, () => v.goto(`${base}/lab.html`, 30_000));
  await v.eval('window.circleReady.then(() => true)', 20_000);
}

export async function labFetch(v, files, ms = 120_000) {
  const got = await timed(`${v.name} fetches ${files.length} files`, () =>
    v.eval(`window.fetchAll(${JSON.stringify(files.map((f) => f.path))})`, ms));
  const wrong = got.filter((g, i) => g.sha256 !== files[i].sha256 || g.size !== files[i].size);
  check(wrong.length === 0, `${v.name}: wrong bytes for ${wrong.map((w) => w.path).join(', ')}`);
}

export const stats = (v) => v.eval('JSON.parse(JSON.stringify(window.circlecdn.stats))', 10_000);
export const peerId = (v) => v.eval('window.circlecdn.peerId', 10_000);
// The recorder's log (without SDP text unless asked).
export const record = (v, { sdp = false } = {}) =>
  v.eval(`(() => { const r = window.__lab; return JSON.parse(JSON.stringify(${sdp ? 'r' : '{ ...r, sdp: [] }'})); })()`, 15_000);

// Waits until the visitor has announced `items` hashes and the server's directory holds at least
// `holdings` entries (hash x peer; more when others hold the same items).
export async function waitAnnounced(v, server, items, holdings = items, ms = 30_000) {
  await timed(`${v.name} has announced ${items} items`, async () => {
    const until = Date.now() + ms;
    for (;;) {
      const mine = await v.eval('window.circlecdn.stats.announced', 10_000);
      if (mine >= items && (await server.stats()).holdings >= holdings) return;
      if (Date.now() > until) throw new Error(`${v.name}: announced ${mine} of ${items} items within ${ms} ms`);
      await sleep(250);
    }
  });
}

export function peerShare(s) {
  const fetched = s.bytesFromPeers + s.bytesFromOrigin;
  return fetched ? s.bytesFromPeers / fetched : 0;
}

export function offloadLine(name, s) {
  return `${name}: from peers ${size(s.bytesFromPeers)}, from origin ${size(s.bytesFromOrigin)}, from store ` +
    `${size(s.bytesFromStore)}, uploaded ${size(s.bytesUploaded)}: ${(100 * peerShare(s)).toFixed(1)}% from peers`;
}

// ---------------------------------------------------------------- candidate pairs
export function pairText(p) {
  if (!p?.pair) return `none (${p?.connectionState ?? '?'})`;
  const c = (x) => x ? `${x.type}/${x.protocol}${x.relayProtocol ? '/' + x.relayProtocol : ''} ${x.address || '?'}:${x.port}` : '?';
  return `${c(p.pair.local)} <-> ${c(p.pair.remote)}${p.pair.rttMs != null ? ` rtt ${Math.round(p.pair.rttMs)} ms` : ''}`;
}

// Polls a visitor's selected pairs until stop(); returns the history of changes (per connection).
export function watchPairs(v, everyMs = 500) {
  const history = [];
  let last = '';
  let running = true;
  const t0 = Date.now();
  const loop = (async () => {
    while (running) {
      try {
        const now = (await v.pairs(5_000)).map(pairText).join(' | ');
        if (now !== last) history.push({ ms: Date.now() - t0, pairs: now });
        last = now;
      } catch {}
      await sleep(everyMs);
    }
  })();
  return {
    history,
    async stop() {
      running = false;
      await loop;
      return history;
    },
  };
}

// Every candidate in a page's RTCPeerConnections' getStats (local and remote).
export const candidates = (v) => v.eval(`(async () => {
  const out = [];
  for (const pc of window.__labPeerConnections || []) {
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'local-candidate' || s.type === 'remote-candidate')
        out.push({ side: s.type === 'local-candidate' ? 'local' : 'remote', type: s.candidateType,
                   address: s.address ?? s.ip ?? '', port: s.port, protocol: s.protocol, relayProtocol: s.relayProtocol ?? null });
    });
  }
  return out;
})()`, 15_000);

// ---------------------------------------------------------------- what the recorder shows
// Per want: the hash, the holder it was matched with, and how it ended (done ok/reason, miss, cancel).
export function wantsOf(rec) {
  const byId = new Map();
  const wants = [];
  for (const m of rec.sent) if (m.type === 'want') {
    const w = { id: m.id, hash: m.hash, t: m.t, peer: null, matchT: null, end: null };
    byId.set(m.id, w);
    wants.push(w);
  }
  // ids are reused only after 2^31 wants; a message belongs to the latest want with its id before it
  for (const m of rec.recv) {
    const w = byId.get(m.id);
    if (!w || m.t < w.t) continue;
    if (m.type === 'match' && !w.peer) (w.peer = m.peer), (w.matchT = m.t);
    else if (m.type === 'miss' && !w.end) w.end = { kind: 'miss', reason: m.reason, t: m.t };
    else if (m.type === 'cancel' && !w.end) w.end = { kind: 'cancel', reason: m.reason, t: m.t };
  }
  for (const m of rec.sent) {
    const w = byId.get(m.id);
    if (m.type === 'done' && w && !w.end) w.end = { kind: 'done', ok: m.ok, reason: m.reason, t: m.t };
  }
  return wants;
}

// Per item (hash): when its first want went out and when the library finished it (item event).
export function itemTimes(rec) {
  const first = new Map();
  for (const m of rec.sent) if (m.type === 'want' && !first.has(m.hash)) first.set(m.hash, m.t);
  return rec.events.filter((e) => e.type === 'item').map((e) => ({
    hash: e.hash, source: e.source, why: e.why, peer: e.peer, bytes: e.bytes,
    ms: first.has(e.hash) ? e.t - first.get(e.hash) : null,
  }));
}

// One line: how the page's wants ended (matched, misses by reason, dones by outcome).
export function wantSummary(rec) {
  const wants = wantsOf(rec);
  const count = {};
  for (const w of wants) {
    const k = w.end ? `${w.end.kind}${w.end.kind === 'done' ? (w.end.ok ? ':ok' : ':fail') : ''}${w.end.reason ? '/' + w.end.reason : ''}` : 'open';
    count[k] = (count[k] ?? 0) + 1;
  }
  return `${wants.length} wants, ${wants.filter((w) => w.peer).length} matched; ended: ${JSON.stringify(count)}`;
}

// Evidence lines for a failed test: the agent's events and a digest of the recorder.
export async function visitorEvidence(v) {
  const lines = [v.evidence()];
  try {
    const rec = await record(v);
    const tail = (l, n = 40) => l.slice(-n).map((m) => JSON.stringify(m)).join('\n    ');
    lines.push(`[${v.name}] ${wantSummary(rec)}`);
    const matched = wantsOf(rec).filter((w) => w.peer);
    lines.push(`[${v.name}] matched wants (id hash peer: want t, match t, end):\n    ${matched.map((w) =>
      `${w.id} ${w.hash.slice(0, 8)} ${w.peer.slice(0, 6)}: ${w.t}, ${w.matchT}, ${w.end ? `${w.end.kind}${w.end.ok === undefined ? '' : w.end.ok ? ' ok' : ' FAIL'} ${w.end.reason ?? ''} ${w.end.t}` : 'open'}`).join('\n    ')}`);
    const peerEvents = rec.events.filter((e) => e.type !== 'item' && e.type !== 'resource');
    lines.push(`[${v.name}] peer events:\n    ${tail(peerEvents)}`);
    lines.push(`[${v.name}] signaling sent (last 40):\n    ${tail(rec.sent)}`);
    lines.push(`[${v.name}] signaling received (last 40):\n    ${tail(rec.recv)}`);
    lines.push(`[${v.name}] library events (last 40):\n    ${tail(rec.events)}`);
    lines.push(`[${v.name}] selected pairs: ${(await v.pairs(5_000)).map(pairText).join(' | ')}`);
  } catch (e) {
    lines.push(`[${v.name}] no page evidence: ${e.message.split('\n')[0]}`);
  }
  return lines.join('\n');
}
