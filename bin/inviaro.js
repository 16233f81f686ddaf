#!/usr/bin/env node
// `npx inviaro ...`: the operator's command line, run from the build (`npm run build`).
require('../dist/apps/cli/src/main.js');
