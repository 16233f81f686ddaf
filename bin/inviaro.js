#!/usr/bin/env node
// `npx inviaro ...`: the operator's command line, run from the build (`npm run build`).
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const SUPPORTED_MAJOR = 24;
const checkout = join(__dirname, '..');

// On an older node, the Node 24 that `npm start` / `npm test` installed into .run/node/ (scripts/use-node.sh) runs the CLI.
if (Number(process.versions.node.split('.')[0]) < SUPPORTED_MAJOR) {
  const provisioned = join(checkout, '.run', 'node', 'node_modules', `node-linux-${process.arch}`, 'bin', 'node');
  if (existsSync(provisioned)) {
    const run = spawnSync(provisioned, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(run.status ?? 1);
  }
}

const main = join(checkout, 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(main)) {
  console.error('inviaro: the CLI is not built yet: run `npm run build` in this checkout first');
  process.exit(1);
}
require(main);
