// Relay-only mode (server --ice-relay-only, welcome.ice_transport_policy "relay"): between two
// homes that could connect directly (port-restricted), both browsers gather only relay
// candidates (every local candidate in getStats is type relay), the content still comes from the
// peer through coturn, and neither browser sees the other's address: no remote candidate in
// getStats, and no SDP or candidate string it received over signaling, carries the other home's
// public or private IP; the only remote address is coturn's.
import {
  candidates, check, checkHeldContent, galleryFiles, itemCount, loadGallery, log, offloadLine, openVisitor,
  pairText, peerShare, record, FAST_LINK, shapeHomes, startLabServer, stats, waitAnnounced,
} from '../support/harness.mjs';

export const title = 'relay-only: only relay candidates, and no visitor learns another\'s address';
const MIN_PEER_SHARE = 0.9;
const hasIp = (text, ip) => new RegExp(`(^|[^0-9.])${ip.replaceAll('.', '\\.')}([^0-9]|$)`).test(text);

export async function run(ctx) {
  const [ha, hb] = ctx.env.homes.filter((h) => h.nat === 'port-restricted');
  const turnIp = ctx.env.LAB_TURN.split(':')[0];
  await shapeHomes(ctx, [ha, hb], FAST_LINK); // an offload share needs a link SCTP does not collapse on (harness.mjs)
  const server = await startLabServer(ctx, { relayOnly: true, connectivity: true });
  const files = galleryFiles(await server.manifest());
  const items = itemCount(files);

  const first = await openVisitor(ctx, ha, { name: 'first' });
  await loadGallery(first, server.base);
  await waitAnnounced(first, server, items);
  const second = await openVisitor(ctx, hb, { name: 'second' });
  await loadGallery(second, server.base);
  const s2 = await stats(second);
  log(`  ${offloadLine('second', s2)}`);
  check(s2.verifyFailures === 0 && s2.itemsVerified === items, `second: verified ${s2.itemsVerified} of ${items}`);
  check(peerShare(s2) >= MIN_PEER_SHARE, `second: only ${(100 * peerShare(s2)).toFixed(1)}% from peers`);
  await checkHeldContent(second, files);

  for (const [v, other] of [[first, second], [second, first]]) {
    const rec = await record(v, { sdp: true });
    const welcome = rec.recv.find((m) => m.type === 'welcome');
    check(welcome?.ice_transport_policy === 'relay', `${v.name}: welcome says ${welcome?.ice_transport_policy}`);
    const cands = await candidates(v);
    const local = cands.filter((c) => c.side === 'local');
    const remote = cands.filter((c) => c.side === 'remote');
    const summary = (l) => [...new Set(l.map((c) => `${c.type} ${c.address}:${c.protocol}${c.relayProtocol ? '/' + c.relayProtocol : ''}`))].join(', ');
    log(`  ${v.name} (${v.home.name}): local candidates [${summary(local)}]; remote candidates [${summary(remote)}]`);
    log(`  ${v.name}: pairs ${(await v.pairs()).map(pairText).join(' | ')}`);
    check(local.length > 0 && local.every((c) => c.type === 'relay'), `${v.name}: local candidates not all relay: ${summary(local)}`);
    check(remote.length > 0, `${v.name}: no remote candidates`);
    const otherIps = [other.home.publicIp, other.home.ip];
    for (const c of remote) {
      check(!otherIps.includes(c.address), `${v.name}: remote candidate ${c.type} ${c.address} is ${other.name}'s address`);
      check(c.address === turnIp, `${v.name}: remote candidate ${c.type} ${c.address} is not coturn's ${turnIp}`);
    }
    const received = rec.sdp.filter((s) => s.dir === 'in');
    check(received.length > 0, `${v.name}: recorded no signaled SDP or candidates`);
    for (const s of received)
      for (const ip of otherIps) check(!hasIp(s.text, ip), `${v.name} received ${other.name}'s address ${ip} in a ${s.kind}: ${s.text.slice(0, 300)}`);
    log(`  ${v.name}: ${received.length} SDP/candidate strings received, none with ${otherIps.join(' or ')}`);
  }
}
