#!/usr/bin/env bash
# Installs what the system and its tests run on, from Debian's packages, where it is missing:
# NATS (JetStream), Redis, PostgreSQL 15; for the tests also the interpreters of the docs' server
# snippets and the JWT libraries of the conformance suite, Chromium, and docker-compose 1.29 (it validates docker/compose.yml without a Docker engine).
set -euo pipefail

need=()
command -v nats-server >/dev/null || need+=(nats-server)
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql)
if [ "${1:-}" = "--for-tests" ]; then
  command -v php >/dev/null || need+=(php-cli)
  command -v ruby >/dev/null || need+=(ruby)
  command -v go >/dev/null || need+=(golang-go)
  command -v python3 >/dev/null || need+=(python3)
  # The JWT conformance suite: Debian's PyJWT (for Debian's python3, not a pyenv one) and Ruby's jwt gem.
  /usr/bin/python3 -c 'import jwt' 2>/dev/null || need+=(python3-jwt)
  ruby -e 'require "jwt"' 2>/dev/null || need+=(ruby-jwt)
  command -v chromium >/dev/null || need+=(chromium)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  # Certificates for the TLS tests (docker/make-certs.sh, test/bus/tls.test.ts).
  command -v openssl >/dev/null || need+=(openssl)
fi
[ ${#need[@]} -eq 0 ] && exit 0

echo "installing: ${need[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The Debian package starts a cluster of its own; ours runs in a folder of its own on a free port.
if [[ " ${need[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
  $sudo pg_ctlcluster 15 main stop 2>/dev/null || true
fi
