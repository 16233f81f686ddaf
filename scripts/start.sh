#!/usr/bin/env bash
# The whole system on this machine: servers (installed where missing), migrations, every service.
# Data and logs live in .run/; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-prerequisites.sh
. scripts/use-node.sh
[ -d node_modules ] || npm install --no-audit --no-fund
npm run build
exec node dist/scripts/start.js
