// The script-size budgets of issue 12 (docs/benchmarks.md, Script size): the core a page runs
// (circlecdn.js, circlecdn.iife.js) <= 8 KiB gzip, the service worker <= 4 KiB gzip. Also prints
// what a page downloads in each mode (the core and the chunks it loads: client/build.mjs), which
// has no budget. `npm run size` (after npm run build) exits 1 when a budget is exceeded; the unit
// test client/test/size-budget.test.mjs asserts the same.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), 'dist');
export const BUDGETS = { 'circlecdn.js': 8192, 'circlecdn.iife.js': 8192, 'sw.js': 4096 };
const FILES = ['circlecdn.js', 'circlecdn.iife.js', 'circlecdn-crowd.js', 'circlecdn-dom.js', 'circlecdn-sw.js', 'sw.js', 'sw-off.js'];
// What a page loads, by mode (the ES module core; the classic one is within a few bytes).
export const MODES = {
  'opted out / consent pending': ['circlecdn.js'],
  'cdn.fetch only (a tab that joins)': ['circlecdn.js', 'circlecdn-crowd.js'],
  'declarative mode': ['circlecdn.js', 'circlecdn-crowd.js', 'circlecdn-dom.js'],
  'service worker mode, leader tab': ['circlecdn.js', 'circlecdn-crowd.js', 'circlecdn-sw.js'],
  'service worker mode, other tabs': ['circlecdn.js', 'circlecdn-sw.js'],
};

/** name -> { bytes, gzip } (Node's zlib at level 9, no gzip header: 18 B less than `gzip -9` with no name). */
export function sizes() {
  const out = {};
  for (const name of FILES) {
    const code = readFileSync(join(dist, name));
    out[name] = { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length };
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = sizes();
  for (const [name, { bytes, gzip }] of Object.entries(s)) {
    const budget = BUDGETS[name];
    console.log(`${name.padEnd(20)} ${String(bytes).padStart(7)} B ${String(gzip).padStart(7)} B gzip${budget ? `  budget ${budget}: ${gzip <= budget ? 'met' : 'EXCEEDED'}` : ''}`);
  }
  console.log('\nper mode (gzip, files added up):');
  for (const [mode, files] of Object.entries(MODES))
    console.log(`  ${mode.padEnd(36)} ${files.reduce((n, f) => n + s[f].gzip, 0)} B  (${files.join(' + ')})`);
  if (Object.entries(BUDGETS).some(([n, b]) => s[n].gzip > b)) process.exit(1);
}
