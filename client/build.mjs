// Bundles the library and prints each file's size raw and gzipped (budgets in docs/benchmarks.md,
// Script size; `npm run size` checks them):
// - the core, dist/circlecdn.js (ES module) and dist/circlecdn.iife.js (classic script): what
//   every page runs (the public face, the opt-outs, the auto-mode tags);
// - its chunks (chunks.ts), ES modules that the core imports when a page needs them:
//   circlecdn-crowd.js (a tab that joins the crowd), circlecdn-dom.js (declarative mode),
//   circlecdn-sw.js (service worker mode's page side). The core names each by its fingerprint
//   (circlecdn-crowd.<first 16 hex of its SHA-256>.js, served immutable by the server);
// - the service worker, dist/sw.js, and what it is while the operator has it off, dist/sw-off.js.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = (p) => join(here, 'src', p);
const dist = (p) => join(here, 'dist', p);
// es2021 (Chrome 85, Firefox 79, Safari 14): `??=` and `||=` stay as written.
// Private members are spelled `_name` (TypeScript `private` + underscore) and only those are
// renamed: nothing outside the bundle reads them, public names and the protocol's fields never
// start with `_`. One mangle cache runs through every build, so a `_name` is renamed alike in the
// core and its chunks. Class fields are plain assignments (tsconfig `useDefineForClassFields: false`).
let mangleCache = {};
const common = {
  bundle: true, minify: true, target: 'es2021', platform: 'browser', legalComments: 'none', logLevel: 'warning',
  mangleProps: /^_/,
};
const sizes = [];
async function bundle(o) {
  const r = await build({ ...common, mangleCache, ...o });
  mangleCache = r.mangleCache;
  const code = readFileSync(o.outfile);
  const name = o.outfile.slice(here.length + 1);
  sizes.push({ name, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length });
  return code;
}

// The chunks first: the core carries their fingerprinted names.
const chunks = { crowd: 'session.ts', dom: 'dom/declarative.ts', sw: 'sw-bridge/bridge.ts' };
const names = {};
for (const [name, entry] of Object.entries(chunks)) {
  const code = await bundle({ entryPoints: [src(entry)], format: 'esm', outfile: dist(`circlecdn-${name}.js`) });
  names[name] = `circlecdn-${name}.${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
}
// In the core, the chunks' modules are imported by URL (chunks.ts), never bundled.
const chunkModules = new Set(Object.values(chunks).map((e) => src(e)));
const external = {
  name: 'chunks-external',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (a) => {
      if (a.kind !== 'dynamic-import') return undefined;
      const p = join(a.resolveDir, a.path) + '.ts';
      return chunkModules.has(p) ? { path: a.path, external: true } : undefined;
    });
  },
};
const core = { define: { CIRCLECDN_BUILT: 'true', CIRCLECDN_CHUNKS: JSON.stringify(names) }, plugins: [external] };
await bundle({ ...core, entryPoints: [src('esm.ts')], format: 'esm', outfile: dist('circlecdn.js') });
await bundle({ ...core, entryPoints: [src('classic.ts')], format: 'iife', outfile: dist('circlecdn.iife.js') });
await bundle({ entryPoints: [src('sw/worker.ts')], format: 'iife', outfile: dist('sw.js') });
await bundle({ entryPoints: [src('sw/off.ts')], format: 'iife', outfile: dist('sw-off.js') });
for (const s of sizes) console.log(`${s.name}: ${s.bytes} bytes, ${s.gzip} gzip`);
