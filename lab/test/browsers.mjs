// Browser part of the lab self-test (run by lab/test/selftest.sh with the lab up and an HTTPS
// page on https://LAB_SERVER_IP:PORT/): Chromium and Firefox ESR inside homes, with their default
// WebRTC settings and the lab CA in their own profile's NSS database.
//   - the page loads by IP and by the name lab.test, and is a secure context (crypto.subtle);
//   - without the lab CA the same page does not load (trust comes from the CA, not a switch);
//   - host candidates are mDNS names, the srflx candidate is the home's public address;
//   - two relay-only connections through coturn (REST credentials) carry a message, and the
//     agent's `pairs` reports relay <-> relay;
//   - visitors in two homes connect directly or through coturn, as their NAT kinds allow.
// Prints "  ok   ..." / "  FAIL ..." lines; the exit code is the number of failures.
import { iceServers, labEnv, Visitor } from '../support/lab.mjs';

const PORT = process.argv[2] ?? '8443';
const env = labEnv();
const byNat = (nat) => env.homes.find((h) => h.nat === nat) ?? env.homes[0];
let failed = 0;
const result = (ok, what, detail = '') => {
  if (!ok) failed++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ': ' + detail : ''}`);
};

const GATHER = (ice) => `(async () => {
  const pc = new RTCPeerConnection({ iceServers: ${JSON.stringify(ice)} });
  pc.createDataChannel('probe');
  const found = [];
  pc.onicecandidate = (e) => e.candidate && e.candidate.candidate && found.push(e.candidate.candidate);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((done) => {
    const t = setTimeout(done, 8000);
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && (clearTimeout(t), done());
  });
  pc.close();
  return found;
})()`;

const RELAY_LOOP = (ice) => `(async () => {
  const cfg = { iceServers: ${JSON.stringify(ice)}, iceTransportPolicy: 'relay' };
  const a = new RTCPeerConnection(cfg), b = new RTCPeerConnection(cfg);
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const ch = a.createDataChannel('t');
  const got = new Promise((r) => { b.ondatachannel = (e) => { e.channel.onmessage = (m) => r(m.data); }; });
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  await new Promise((r) => (ch.readyState === 'open' ? r() : (ch.onopen = r)));
  ch.send('through the relay');
  return await got;
})()`;

async function check(browser, home) {
  const where = `${browser} in ${home.name} (${home.nat})`;
  let v;
  try {
    v = await Visitor.open(home.name, { browser, ca: env.LAB_CA });
    result(true, `${where}: launched`, v.ready.version);
    for (const host of [env.LAB_SERVER_IP, env.LAB_SERVER_NAME]) {
      const url = `https://${host}:${PORT}/`;
      try {
        await v.goto(url, 20_000);
        const s = await v.eval('({ secure: isSecureContext, subtle: !!(window.crypto && crypto.subtle), proto: location.protocol })', 10_000);
        result(s.secure && s.subtle && s.proto === 'https:', `${where}: ${url} loads as a secure context`, JSON.stringify(s));
      } catch (e) {
        result(false, `${where}: ${url} loads`, e.message.split('\n')[0]);
      }
    }
    const found = await v.eval(GATHER(iceServers(env, `selftest-${browser}`)), 20_000);
    const host = found.filter((c) => / typ host/.test(c) && / udp /i.test(c));
    const srflx = found.filter((c) => / typ srflx/.test(c));
    const relay = found.filter((c) => / typ relay/.test(c));
    result(host.length > 0 && host.every((c) => /\.local /.test(c)), `${where}: host candidates are mDNS names (default settings)`,
      host.map((c) => c.split(' ')[4]).join(' '));
    result(srflx.some((c) => c.includes(` ${home.publicIp} `)), `${where}: srflx candidate is the home's public address ${home.publicIp}`);
    result(relay.length > 0, `${where}: relay candidates from coturn`, `${relay.length}`);
    const msg = await v.eval(RELAY_LOOP(iceServers(env, `selftest-${browser}-relay`)), 30_000);
    const pairs = (await v.pairs()).filter((p) => p.pair);
    const relayed = pairs.length >= 2 && pairs.every((p) => p.pair.local.type === 'relay' && p.pair.remote.type === 'relay');
    result(msg === 'through the relay' && relayed, `${where}: relay-only DataChannel through coturn, pairs relay<->relay`,
      pairs.map((p) => `${p.pair.local.type}/${p.pair.local.relayProtocol}<->${p.pair.remote.type} rtt ${p.pair.rttMs} ms`).join(', '));
  } catch (e) {
    result(false, `${where}`, e.message);
    if (v) console.log(v.evidence());
  } finally {
    await v?.close();
  }
}

async function untrusted(browser, home) {
  let v;
  try {
    v = await Visitor.open(home.name, { browser, trust: false });
    let loaded = true;
    let why = '';
    try {
      await v.goto(`https://${env.LAB_SERVER_IP}:${PORT}/`, 20_000);
      // Firefox shows its certificate error page instead of rejecting the navigation
      const scheme = await v.eval('location.protocol + " " + document.documentURI', 5_000);
      if (/^about:|about:certerror/.test(scheme) || !/^https:/.test(scheme)) loaded = false;
      why = scheme;
    } catch (e) {
      loaded = false;
      why = e.message.split('\n')[0];
    }
    result(!loaded, `${browser} without the lab CA: the page does not load`, why);
  } catch (e) {
    result(false, `${browser} without the lab CA`, e.message);
  } finally {
    await v?.close();
  }
}

// Non-trickle offer/answer between two visitors in two homes, relayed by this driver. The
// selected pair must be what the two NAT kinds allow: direct (srflx/prflx) when one side's
// mapping is endpoint-independent and the other's filtering lets it in, relay otherwise.
const GATHERED = `new Promise((done) => {
  const t = setTimeout(done, 8000);
  if (pc.iceGatheringState === 'complete') done();
  pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && (clearTimeout(t), done());
}).then(() => JSON.stringify(pc.localDescription))`;
const OFFER = (ice) => `(async () => {
  window.pc = new RTCPeerConnection({ iceServers: ${JSON.stringify(ice)} });
  window.ch = pc.createDataChannel('lab');
  window.got = null;
  ch.onmessage = (m) => (window.got = m.data);
  await pc.setLocalDescription(await pc.createOffer());
  return ${GATHERED};
})()`;
const ANSWER = (ice, offer) => `(async () => {
  window.pc = new RTCPeerConnection({ iceServers: ${JSON.stringify(ice)} });
  pc.ondatachannel = (e) => { e.channel.onmessage = (m) => e.channel.send('echo ' + m.data); };
  await pc.setRemoteDescription(${offer});
  await pc.setLocalDescription(await pc.createAnswer());
  return ${GATHERED};
})()`;
const SETTLE_MS = 2000; // Chromium may start on a relay pair and move to a direct one

async function pairing([ha, ba], [hb, bb], expect) {
  const where = `${ba} in ${ha.name} (${ha.nat}) <-> ${bb} in ${hb.name} (${hb.nat})`;
  const url = `https://${env.LAB_SERVER_NAME}:${PORT}/`;
  const vs = [];
  try {
    vs.push(await Visitor.open(ha.name, { browser: ba, ca: env.LAB_CA }));
    vs.push(await Visitor.open(hb.name, { browser: bb, ca: env.LAB_CA }));
    const [a, b] = vs;
    await a.goto(url, 20_000);
    await b.goto(url, 20_000);
    const offer = await a.eval(OFFER(iceServers(env, 'a')), 20_000);
    const answer = await b.eval(ANSWER(iceServers(env, 'b'), offer), 20_000);
    await a.eval(`pc.setRemoteDescription(${answer}).then(() => true)`, 10_000);
    await a.wait(`ch.readyState === 'open'`, 20_000);
    await a.eval(`(ch.send('hello'), true)`, 5_000);
    const got = await a.wait('window.got', 10_000);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const [pa] = (await a.pairs()).filter((p) => p.pair);
    const types = pa ? `${pa.pair.local.type}<->${pa.pair.remote.type}` : 'none';
    const relayed = /relay/.test(types);
    result(got === 'echo hello' && relayed === (expect === 'relay'), `${where}: ${expect}`,
      `${types}, rtt ${pa?.pair.rttMs ?? '?'} ms (homes ${ha.rttMs} + ${hb.rttMs} ms)`);
  } catch (e) {
    result(false, `${where}: ${expect}`, e.message.split('\n')[0]);
    for (const v of vs) console.log(v.evidence());
  } finally {
    await Promise.all(vs.map((v) => v.close()));
  }
}

const homesOf = (nat) => env.homes.filter((h) => h.nat === nat);
await check('chromium', byNat('port-restricted'));
await check('firefox', byNat('full-cone'));
await untrusted('chromium', byNat('symmetric'));
await untrusted('firefox', byNat('symmetric'));
const [prc1, prc2] = homesOf('port-restricted');
const [sym1, sym2] = homesOf('symmetric');
const [full1] = homesOf('full-cone');
if (prc2) await pairing([prc1, 'chromium'], [prc2, 'chromium'], 'direct');
if (sym2) await pairing([sym1, 'chromium'], [sym2, 'chromium'], 'relay');
if (full1 && sym1) await pairing([full1, 'firefox'], [sym1, 'chromium'], 'direct');
if (prc1 && sym1) await pairing([prc1, 'chromium'], [sym1, 'firefox'], 'relay');
process.exit(failed);
