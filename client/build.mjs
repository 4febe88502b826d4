// Bundles the library: dist/circlecdn.js (ES module) and dist/circlecdn.iife.js (classic script),
// minified, and prints each one's size raw and gzipped (the budget: 1/8 of WebTorrent's bundle,
// 7,944 B gzip; docs/benchmarks.md, Script size).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// es2021 (Chrome 85, Firefox 79, Safari 14): `??=` and `||=` stay as written.
// Private members are spelled `_name` (TypeScript `private` + underscore) and only those are
// renamed: nothing outside the bundle reads them, public names and the protocol's fields never
// start with `_`. Class fields are plain assignments (tsconfig `useDefineForClassFields: false`).
const common = {
  bundle: true, minify: true, target: 'es2021', platform: 'browser', legalComments: 'none', logLevel: 'warning',
  mangleProps: /^_/,
};
const outputs = [
  { entryPoints: [join(here, 'src/esm.ts')], format: 'esm', outfile: join(here, 'dist/circlecdn.js') },
  { entryPoints: [join(here, 'src/classic.ts')], format: 'iife', outfile: join(here, 'dist/circlecdn.iife.js') },
  // The service worker (budget: 4 KiB gzip) and what it is while the operator has it off.
  { entryPoints: [join(here, 'src/sw/worker.ts')], format: 'iife', outfile: join(here, 'dist/sw.js') },
  { entryPoints: [join(here, 'src/sw/off.ts')], format: 'iife', outfile: join(here, 'dist/sw-off.js') },
];
for (const o of outputs) {
  await build({ ...common, ...o });
  const code = readFileSync(o.outfile);
  console.log(`${o.outfile.slice(here.length + 1)}: ${code.length} bytes, ${gzipSync(code, { level: 9 }).length} gzip`);
}
