#!/usr/bin/env bash
# Installs what the system and its tests run on, from Debian's packages, where it is missing:
# NATS (JetStream), Redis, PostgreSQL (Debian's version, whichever it is); for the tests also every other
# tool they call: the interpreters of the docs' server snippets and the JWT libraries of the conformance
# suite, Chromium, docker-compose 1.29 (it validates docker/compose.yml without a Docker engine), openssl, ps, git.
set -euo pipefail

need=()
command -v nats-server >/dev/null || need+=(nats-server)
command -v redis-server >/dev/null || need+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)
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
  # The start command's test lists its children (test/ops/start-command.test.ts); the docs' checks read the history.
  command -v ps >/dev/null || need+=(procps)
  command -v git >/dev/null || need+=(git)
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
  for cluster in /etc/postgresql/*/main; do
    [ -d "$cluster" ] && $sudo pg_ctlcluster "$(basename "$(dirname "$cluster")")" main stop 2>/dev/null || true
  done
fi
