#!/usr/bin/env node
// `npx inviaro ...`: the operator's command line, run from the build (`npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(main)) {
  console.error('inviaro: the CLI is not built yet: run `npm run build` in this checkout first');
  process.exit(1);
}
require(main);
