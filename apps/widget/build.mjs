// The widget bundle: typecheck (browser lib, strict), then esbuild to dist/apps/widget/v1.js
// (IIFE, minified, ES2019, no runtime dependencies). Fails above 15 KB gzipped.
/* global console, process */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const LIMIT_BYTES = 15 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const outfile = join(root, 'dist', 'apps', 'widget', 'v1.js');

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
} catch {
  console.error('widget: typecheck failed');
  process.exit(1);
}

await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2019',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
});

const bytes = readFileSync(outfile);
const gzipped = gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`widget: ${relative(root, outfile)} ${kb(bytes.length)}, ${kb(gzipped)} gzipped (limit ${kb(LIMIT_BYTES)})`);
if (gzipped > LIMIT_BYTES) {
  console.error(`widget: the bundle is ${kb(gzipped)} gzipped, above the ${kb(LIMIT_BYTES)} limit`);
  process.exit(1);
}
