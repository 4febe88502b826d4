// Bundles the operator dashboard: dashboard/dist/dashboard.js (one classic script, minified),
// which the server embeds beside dashboard/index.html (cmake/embed.cmake).
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, 'dist/dashboard.js');
await build({
  entryPoints: [join(here, 'src/main.ts')], outfile, bundle: true, minify: true, format: 'iife',
  target: 'es2021', platform: 'browser', legalComments: 'none', logLevel: 'warning',
});
console.log(`dashboard/dist/dashboard.js: ${statSync(outfile).size} bytes`);
