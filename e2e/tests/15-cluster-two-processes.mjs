// Issue 15's browser test: two circlecdn processes share one crowd through a real redis-server
// (started here on a free loopback port, stopped by its PID). Visitor 1 loads the gallery from
// process 1; visitor 2, a separate Chromium on process 2, gets at least 90 % of its bytes from
// visitor 1 peer to peer: the holder was chosen through Redis and the signals were relayed between
// the processes (process 2 counts the pairings across), every byte verified.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHeldContent, galleryFiles, itemCount, loadGallery, waitAnnounced } from '../support/pages.mjs';
import { check, log, offloadLine, peerShare, step, until } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'cluster: a visitor on another process gets the gallery from a peer through Redis';
const MIN_PEER_SHARE = 0.9;

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

const metric = (text, name) => Number((text.match(new RegExp(`^${name} (\\S+)$`, 'm')) ?? [])[1] ?? NaN);

export async function run(ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'circlecdn-e2e-cluster-'));
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const cli = (...args) => execFileSync('redis-cli', ['-p', String(port), '--raw', ...args], { encoding: 'utf8' }).trim();
  try {
    await step('redis-server answers', 10_000, () => until(() => {
      try {
        return cli('PING') === 'PONG';
      } catch {
        return false;
      }
    }));
    // One key for every process's miss and resume tokens (required with --redis).
    const key = join(dir, 'token.key');
    writeFileSync(key, 'e2e-cluster-two-processes-token-key\n', { mode: 0o600 });
    const cluster = ['--redis', `redis://127.0.0.1:${port}`, '--token-secret-file', key];
    const one = await ctx.startServer(cluster);
    const two = await ctx.startServer(cluster);
    const files = galleryFiles(await one.manifest());
    const items = itemCount(files);
    const hashes = files.flatMap((f) => (f.pieces ? f.pieces.map((p) => p.sha256 ?? p) : [f.sha256]));
    check(hashes.length === items, `${hashes.length} item hashes for ${items} items`);

    const first = await chromiumVisitor('visitor-1');
    await loadGallery(first, one.url);
    await waitAnnounced(first, one, items);
    // Process 2 learns of the holder only through Redis: wait until every item has one there.
    await step('Redis lists a holder of every item', 20_000, () =>
      until(() => hashes.every((h) => Number(cli('HLEN', `circlecdn:holders:${h}`)) >= 1), 200),
    );

    const second = await chromiumVisitor('visitor-2');
    await loadGallery(second, two.url);
    const s = await second.stats();
    log(`  ${offloadLine('visitor-2 (process 2)', s)}`);
    check(s.verifyFailures === 0, `visitor-2: ${s.verifyFailures} verification failures`);
    check(s.itemsVerified === items, `visitor-2: verified ${s.itemsVerified} of ${items} items`);
    check(peerShare(s) >= MIN_PEER_SHARE, `visitor-2: only ${(100 * peerShare(s)).toFixed(1)}% from peers`);
    await checkHeldContent(second, files);
    const across = metric(await two.metrics(), 'circlecdn_cluster_remote_matches_total');
    const relayed = metric(await one.metrics(), 'circlecdn_cluster_orders_received_total');
    log(`  process 2: pairings across processes ${across}; process 1: orders received ${relayed}`);
    check(across > 0, `process 2 made no pairing across processes (${across})`);
    check(relayed > 0, `process 1 received no order from process 2 (${relayed})`);
    check((await one.stats()).peers_online === 1 && (await two.stats()).peers_online === 1, 'each process has its own visitor');
  } finally {
    redis.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
