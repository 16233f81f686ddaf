#!/usr/bin/env bash
# Every test: build, typecheck, lint (with Nx module boundaries), unit specs and the system
# suites against real NATS, Redis and PostgreSQL. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-prerequisites.sh --for-tests
. scripts/use-node.sh
[ -d node_modules ] || npm install --no-audit --no-fund
npm run build
npm run typecheck
npm run lint
npx jest --ci "$@"
