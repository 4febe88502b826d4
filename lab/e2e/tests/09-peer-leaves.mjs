// The peer-leaves case of the loopback suite, across NATs: the holder of the large file closes
// its browser in the middle of a transfer to a visitor in another home; the receiver completes
// the file from another source (the origin here), with correct bytes.
import {
  check, galleryFiles, labFetch, log, offloadLine, openLab, openVisitor, peerId, scriptFile, startLabServer,
  stats, timed, waitAnnounced,
} from '../support/harness.mjs';

export const title = 'a holder leaving mid-transfer across NATs costs time, not correctness';

// Pace every DataChannel send to ~1 MiB/s (in order), so the transfer is still running when the
// holder leaves (as e2e/tests/03-peer-leaves.mjs).
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
  const [holderHome, receiverHome] = ctx.env.homes.filter((h) => h.nat === 'port-restricted');
  const server = await startLabServer(ctx);
  const big = galleryFiles(await server.manifest()).reduce((a, b) => (b.size > a.size ? b : a));
  log(`  large file ${big.path}: ${big.size} bytes in ${big.pieces.length} pieces`);

  const holder = await openVisitor(ctx, holderHome, { name: 'leaving-holder', initScripts: [scriptFile(ctx, 'slow', SLOW_UPLOADER)] });
  await openLab(holder, server.base);
  await labFetch(holder, [big]);
  await waitAnnounced(holder, server, big.pieces.length);
  const holderId = await peerId(holder);

  const receiver = await openVisitor(ctx, receiverHome, { name: 'receiver' });
  await openLab(receiver, server.base);
  const transfer = labFetch(receiver, [big], 120_000);
  transfer.catch(() => {}); // awaited below
  // Leave once a piece from the holder has been verified and the next ones are part-way.
  await timed('receiver is part-way through pieces from the holder', () => receiver.wait(`(() => {
    const s = window.circlecdn.stats;
    return s.bytesFromPeers > 0 && (s.receivedFrom[${JSON.stringify(holderId)}] ?? 0) > s.bytesFromPeers;
  })()`, 60_000, 50));
  const before = await stats(receiver);
  check(before.bytesFromPeers + before.bytesFromOrigin < big.size, 'the transfer finished before the holder left');
  log(`  holder leaves after ${before.receivedFrom[holderId]} raw bytes (${before.bytesFromPeers} verified from peers, the rest in flight)`);
  await holder.close();

  await transfer; // size and SHA-256 of the whole file against the manifest
  const r = await stats(receiver);
  log(`  ${offloadLine('receiver', r)}`);
  check(r.bytesFromPeers > 0, 'nothing came from the holder before it left');
  check(r.bytesFromPeers + r.bytesFromOrigin === big.size, `got ${r.bytesFromPeers + r.bytesFromOrigin} of ${big.size} bytes`);
  check(r.verifyFailures === 0, `${r.verifyFailures} verification failures`);
}
