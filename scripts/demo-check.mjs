// Sees the crowd work without a display: two separate headless Chromium processes (two visitors)
// open the running demo (`bash scripts/demo.sh`), one after the other, and print each one's live
// panel. The second should show its bytes from peers. Usage: node scripts/demo-check.mjs [URL]
import { chromium } from 'playwright-core';
const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const args = ['--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking',
  '--disable-component-update','--disable-sync','--disable-features=WebRtcHideLocalIpsWithMdns'];
// Debian's Chromium, with the flags of ../shared/browser-testing.md (real host candidates, no mDNS).
const b1 = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
const b2 = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
try {
  const p1 = await (await b1.newContext()).newPage();
  await p1.goto(url); await p1.waitForTimeout(8000);
  const p2 = await (await b2.newContext()).newPage();
  await p2.goto(url); await p2.waitForTimeout(10000);
  const read = (p) => p.evaluate(() => ['from-peers','from-origin','peers'].map((id) => document.getElementById(id).textContent));
  console.log('window 1 [peers, origin, connected]:', await read(p1));
  console.log('window 2 [peers, origin, connected]:', await read(p2));
} finally { await b1.close(); await b2.close(); }
