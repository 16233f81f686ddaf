#!/usr/bin/env bash
# The TLS certificates of compose's NATS cluster, made once into docker/certs/ (git-ignored):
#   ca.pem, ca-key.pem  a CA of this deployment's own (keep ca-key.pem off the host once done)
#   nats.pem, nats-key.pem  every node's certificate (nats-1..3, for clients and for the routes between nodes)
# The services trust ca.pem (NATS_TLS_CA_FILE). Run again with --force to replace them (then restart everything).
set -euo pipefail
dir="${CERTS_DIR:-$(dirname "$0")/certs}"
if [ -e "$dir/nats.pem" ] && [ "${1:-}" != "--force" ]; then
  echo "$dir already holds certificates (--force replaces them)" >&2
  exit 0
fi
mkdir -p "$dir"
cd "$dir"
days=825
openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 3650 -subj "/CN=Inviaro NATS CA" \
  -keyout ca-key.pem -out ca.pem 2>/dev/null
openssl req -newkey rsa:3072 -nodes -sha256 -subj "/CN=nats" -keyout nats-key.pem -out nats.csr 2>/dev/null
openssl x509 -req -in nats.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -sha256 -days "$days" -out nats.pem \
  -extfile <(printf 'subjectAltName=DNS:nats-1,DNS:nats-2,DNS:nats-3,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n') 2>/dev/null
rm -f nats.csr ca.srl
# The nats image runs as root and reads them; the services read only ca.pem.
chmod 600 ca-key.pem nats-key.pem
chmod 644 ca.pem nats.pem
echo "certificates in $dir (valid $days days: renew before then with --force)"
