// A peer leaves in the middle of a large transfer: the receiver completes the file from another
// peer or the origin, with correct bytes.
import { galleryFiles, labFetch, openLab, waitAnnounced } from '../support/pages.mjs';
import { check, log, offloadLine, step, until } from '../support/util.mjs';
import { chromiumVisitor } from '../support/visitors.mjs';

export const title = 'a holder leaving mid-transfer costs time, not correctness';

// Test-only page behaviour: pace every DataChannel send to ~1 MiB/s (in order), so the transfer
// is still running when the holder leaves.
const SLOW_UPLOADER = () => {
  const send = RTCDataChannel.prototype.send;
  const queue = [];
  let timer = null;
  RTCDataChannel.prototype.send = function (data) {
    queue.push([this, data]);
    timer ??= setInterval(() => {
      for (let budget = 52_000; queue.length && budget > 0; ) {
        const [channel, d] = queue.shift();
        budget -= d.byteLength;
        if (channel.readyState === 'open') send.call(channel, d);
      }
      if (!queue.length) timer = (clearInterval(timer), null);
    }, 50);
  };
};

export async function run(ctx) {
  const server = await ctx.startServer();
  const big = galleryFiles(await server.manifest()).reduce((a, b) => (b.size > a.size ? b : a));
  log(`  large file ${big.path}: ${big.size} bytes in ${big.pieces.length} pieces`);

  const holder = await chromiumVisitor('leaving-holder', { initScript: SLOW_UPLOADER });
  await openLab(holder, server.url);
  await labFetch(holder, [big]);
  await waitAnnounced(holder, server, big.pieces.length);
  const holderId = await holder.page.evaluate(() => window.circlecdn.peerId);

  const receiver = await chromiumVisitor('receiver');
  await openLab(receiver, server.url);
  const transfer = labFetch(receiver, [big], 120_000);
  transfer.catch(() => {}); // awaited below
  // Leave once a piece from the holder has been verified and the next ones are half-way: raw bytes
  // received beyond the verified ones belong to pieces still in flight.
  await step('receiver is part-way through pieces from the holder', 60_000, () =>
    until(() =>
      receiver.page.evaluate((id) => {
        const s = window.circlecdn.stats;
        return s.bytesFromPeers > 0 && (s.receivedFrom[id] ?? 0) > s.bytesFromPeers;
      }, holderId),
    ),
  );
  const before = await receiver.stats();
  check(before.bytesFromPeers + before.bytesFromOrigin < big.size, 'the transfer finished before the holder left');
  log(`  holder leaves after ${before.receivedFrom[holderId]} raw bytes (${before.bytesFromPeers} verified from peers, the rest in flight)`);
  await holder.close();

  await transfer; // checks size and SHA-256 of the whole file against the manifest
  const r = await receiver.stats();
  log(`  ${offloadLine('receiver', r)}`);
  check(r.bytesFromPeers > 0, 'nothing came from the holder before it left');
  check(r.bytesFromPeers + r.bytesFromOrigin === big.size, `got ${r.bytesFromPeers + r.bytesFromOrigin} of ${big.size} bytes`);
  check(r.verifyFailures === 0, `${r.verifyFailures} verification failures`);
}
