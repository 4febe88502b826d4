#!/usr/bin/env node
// The floor under both systems of the browser-to-browser benchmark: one bare RTCDataChannel between
// two Chromium processes (one launch() each), SIZE bytes sent as 64 KiB messages with CircleCDN's
// backpressure (pause above 1 MiB buffered, resume at 256 KiB), nothing stored, nothing hashed.
// The SDPs go through this process (no trickle: each side waits for its ICE gathering). Reports the
// time from the first message sent to the last received, and the browsers' CPU time per MiB.
//   node bench/browser/raw-channel.mjs [--size 10m] [--runs 3]
import { loadavg } from 'node:os';
import { log, step } from '../../e2e/support/util.mjs';
import { browsersCpuMs } from '../support/procs.mjs';
import { all as openVisitors, chromiumVisitor } from '../../e2e/support/visitors.mjs';

const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const SIZE = Math.round(Number.parseFloat(flag('size', '10m')) * ({ k: 1024, m: 1048576 }[flag('size', '10m').slice(-1)] ?? 1));
const RUNS = Number(flag('runs', '3'));


// In both pages: a peer connection that hands back its complete local description.
const setup = () => {
  window.gathered = (pc) => new Promise((r) => {
    if (pc.iceGatheringState === 'complete') return r();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
  });
};

for (let run = 1; run <= RUNS; run++) {
  const A = await chromiumVisitor('A');
  const B = await chromiumVisitor('B');
  try {
    for (const v of [A, B]) await v.page.evaluate(setup);
    const offer = await A.evaluate('offers', 10_000, async () => {
      const pc = (window.pc = new RTCPeerConnection({ iceServers: [] }));
      window.ch = pc.createDataChannel('raw');
      window.ch.binaryType = 'arraybuffer';
      await pc.setLocalDescription(await pc.createOffer());
      await window.gathered(pc);
      return pc.localDescription.toJSON();
    });
    const answer = await B.evaluate('answers', 10_000, async (offer) => {
      const pc = (window.pc = new RTCPeerConnection({ iceServers: [] }));
      window.received = new Promise((resolve) => {
        pc.ondatachannel = (e) => {
          let n = 0;
          e.channel.binaryType = 'arraybuffer';
          e.channel.onmessage = (m) => {
            n += m.data.byteLength;
            if (n >= window.expect) resolve(performance.timeOrigin + performance.now());
          };
        };
      });
      await pc.setRemoteDescription(offer);
      await pc.setLocalDescription(await pc.createAnswer());
      await window.gathered(pc);
      return pc.localDescription.toJSON();
    }, offer);
    await A.evaluate('connects', 10_000, async (answer) => {
      await window.pc.setRemoteDescription(answer);
      if (window.ch.readyState !== 'open') await new Promise((r) => (window.ch.onopen = r));
    }, answer);
    await B.page.evaluate((n) => (window.expect = n), SIZE);
    const cpu0 = browsersCpuMs();
    const start = await A.evaluate(`sends ${SIZE} B`, 120_000, async (size) => {
      const ch = window.ch;
      ch.bufferedAmountLowThreshold = 256 * 1024;
      const msg = new Uint8Array(64 * 1024);
      crypto.getRandomValues(msg.subarray(0, 65536));
      const t0 = performance.timeOrigin + performance.now();
      for (let sent = 0; sent < size; sent += msg.length) {
        if (ch.bufferedAmount > 1024 * 1024) await new Promise((r) => (ch.onbufferedamountlow = r));
        ch.send(sent + msg.length <= size ? msg : msg.subarray(0, size - sent));
      }
      return t0;
    }, SIZE);
    const end = await B.evaluate('receives', 120_000, () => window.received);
    const cpu = browsersCpuMs() - cpu0;
    const s = (end - start) / 1000;
    log(`raw channel run ${run}: ${(SIZE / 1048576).toFixed(1)} MiB in ${s.toFixed(3)} s (${(SIZE / 1048576 / s).toFixed(2)} MiB/s), `
      + `browsers' CPU ${cpu.toFixed(0)} ms = ${(cpu / (SIZE / 1048576)).toFixed(0)} ms/MiB, load ${loadavg()[0].toFixed(2)}`);
  } finally {
    for (const v of [...openVisitors]) await v.close();
  }
}
await step('done', 1000, () => {});
