#!/usr/bin/env node
// The floor under the flash crowd's time: CPU-seconds Chromium spends to move bytes over a
// DataChannel, with nothing else going on (no library, no tracker, no IndexedDB). One Chromium, one
// page, PAIRS pairs of RTCPeerConnections connected to each other in that page (host candidates,
// as in the crowd), each pair moving MIB MiB as messages of MSG bytes with the crowd's backpressure
// (pause above 1 MiB buffered). CPU = utime + stime of every process below this one (/proc).
//   node bench/flash/datachannel-cpu.mjs [PAIRS=2] [MIB=10] [MSG=65536]
//   node bench/flash/datachannel-cpu.mjs 10 0      connection setup only
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { descendantsCpuMs } from '../support/procs.mjs';

const [PAIRS, MIB, MSG] = [Number(process.argv[2] ?? 2), Number(process.argv[3] ?? 10), Number(process.argv[4] ?? 65536)];
const server = http.createServer((_, res) => res.end('<!doctype html><p>datachannel cpu')).listen(0, '127.0.0.1');
await new Promise((r) => server.on('listening', r));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-features=WebRtcHideLocalIpsWithMdns'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const t0 = descendantsCpuMs();
  const wall0 = Date.now();
  await page.evaluate(async ([pairs, mib, msg]) => {
    const keep = [];
    for (let i = 0; i < pairs; i++) {
      const a = new RTCPeerConnection({ iceServers: [] });
      const b = new RTCPeerConnection({ iceServers: [] });
      a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
      b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
      const ch = a.createDataChannel('x');
      const received = new Promise((res) => {
        b.ondatachannel = (e) => {
          let n = 0;
          e.channel.binaryType = 'arraybuffer';
          e.channel.onmessage = (m) => (n += m.data.byteLength) >= mib * 1048576 && res();
          if (!mib) res();
        };
      });
      const open = new Promise((res) => (ch.onopen = res));
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription);
      await open;
      const buf = new Uint8Array(msg);
      for (let sent = 0; sent < mib * 1048576; sent += msg) {
        while (ch.bufferedAmount > 1 << 20) await new Promise((r) => setTimeout(r, 5));
        ch.send(buf);
      }
      await received;
      keep.push(a, b);
    }
  }, [PAIRS, MIB, MSG]);
  const cpu = (descendantsCpuMs() - t0) / 1000;
  const mib = PAIRS * MIB;
  console.log(`${PAIRS} pair(s), ${MIB} MiB each as ${MSG}-byte messages: ${cpu.toFixed(2)} CPU-s, ${((Date.now() - wall0) / 1000).toFixed(2)} s wall` +
    (mib ? `, ${(cpu / mib).toFixed(3)} CPU-s per MiB (both ends)` : `, ${((1000 * cpu) / PAIRS).toFixed(0)} ms per connected pair`) +
    `; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
} finally {
  await browser.close();
  server.close();
}
