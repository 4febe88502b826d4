// One bulk transfer over a bare RTCDataChannel between two Chromium visitors in two lab homes (the
// lab must be up): how fast a browser's SCTP goes on the lab's links, apart from CircleCDN.
//   node lab/tools/dc-throughput.mjs [FROM_HOME] [TO_HOME] [MIB] [CHUNK_KIB] [BUFFERED_KIB]
// The sender pushes MIB MiB in CHUNK_KIB messages, keeping at most BUFFERED_KIB queued (the library's
// defaults: 16 KiB chunks, 1 MiB buffered); the receiver samples its byte count every 250 ms.
// Prints one JSON line: the selected pair, the seconds to the whole, and the bytes per second.
import { iceServers, labEnv, Visitor } from '../support/lab.mjs';

const [from = 'h1', to = 'h2', mib = '8', chunkKib = '16', bufferedKib = '1024'] = process.argv.slice(2);
const env = labEnv();
const total = Number(mib) * 1024 * 1024;

const GATHERED = `new Promise((done) => {
  const t = setTimeout(done, 8000);
  if (pc.iceGatheringState === 'complete') done();
  pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && (clearTimeout(t), done());
}).then(() => JSON.stringify(pc.localDescription))`;
const OFFER = (ice) => `(async () => {
  window.pc = new RTCPeerConnection({ iceServers: ${JSON.stringify(ice)} });
  window.ch = pc.createDataChannel('bulk');
  ch.binaryType = 'arraybuffer';
  await pc.setLocalDescription(await pc.createOffer());
  return ${GATHERED};
})()`;
const ANSWER = (ice, offer) => `(async () => {
  window.pc = new RTCPeerConnection({ iceServers: ${JSON.stringify(ice)} });
  window.got = 0; window.samples = [];
  pc.ondatachannel = (e) => {
    e.channel.binaryType = 'arraybuffer';
    e.channel.onmessage = (m) => {
      if (!window.t0) { window.t0 = performance.now(); window.timer = setInterval(() => samples.push(got), 250); }
      got += m.data.byteLength;
      if (got >= ${total}) { window.doneMs = performance.now() - t0; clearInterval(timer); samples.push(got); }
    };
  };
  await pc.setRemoteDescription(${offer});
  await pc.setLocalDescription(await pc.createAnswer());
  return ${GATHERED};
})()`;
const SEND = `(async () => {
  const chunk = new Uint8Array(${Number(chunkKib) * 1024});
  const max = ${Number(bufferedKib) * 1024};
  ch.bufferedAmountLowThreshold = max / 2;
  for (let sent = 0; sent < ${total}; sent += chunk.length) {
    if (ch.bufferedAmount > max) await new Promise((r) => (ch.onbufferedamountlow = r));
    ch.send(chunk);
  }
  return true;
})()`;

const vs = [];
try {
  vs.push(await Visitor.open(from, { ca: env.LAB_CA }), await Visitor.open(to, { ca: env.LAB_CA }));
  const [a, b] = vs;
  const offer = await a.eval(OFFER(iceServers(env, 'a')), 20_000);
  const answer = await b.eval(ANSWER(iceServers(env, 'b'), offer), 20_000);
  await a.eval(`pc.setRemoteDescription(${answer}).then(() => true)`, 10_000);
  await a.wait(`ch.readyState === 'open'`, 20_000);
  await a.eval(SEND, 120_000);
  await b.wait('window.doneMs', 120_000, 250);
  const { doneMs, samples } = await b.eval('({ doneMs, samples })');
  const [p] = (await a.pairs()).filter((x) => x.pair);
  const per = samples.map((s, i) => s - (samples[i - 1] ?? 0)); // bytes per 250 ms
  console.log(JSON.stringify({
    from, to, mib: Number(mib), pair: p ? `${p.pair.local.type}<->${p.pair.remote.type}` : 'none',
    rttMs: p?.pair.rttMs, seconds: +(doneMs / 1000).toFixed(2), mbit: +((total * 8) / doneMs / 1000).toFixed(2),
    firstSecondKB: Math.round((samples[3] ?? samples.at(-1)) / 1000),
    slowestSecondKB: Math.round(Math.min(...per.slice(0, -1).map((_, i) => per.slice(i, i + 4).reduce((x, y) => x + y, 0)).slice(0, Math.max(1, per.length - 4))) / 1000),
    kbPer250ms: per.map((x) => Math.round(x / 1000)),
  }));
} catch (e) {
  console.error(e.message);
  for (const v of vs) console.error(v.evidence());
  process.exitCode = 1;
} finally {
  await Promise.all(vs.map((v) => v.close()));
}
