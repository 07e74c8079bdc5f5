#!/usr/bin/env bash
# Runs bench/ttft.py: time to first token through `aix run` versus `curl -N`,
# over HTTP and HTTPS on loopback, and connections used by 100 runs.
# Usage: bench/ttft.sh [RUNS]   (default 50). Needs curl, openssl, python3.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-50}
bench_setup
tests/fakes/make_certs.sh "$TMP/certs"
/usr/bin/python3 tests/fakes/fake_provider.py "$TMP/https.port" --nodelay --tls "$TMP/certs/server.pem" \
  "$TMP/certs/server.key" &
BENCH_EXTRA_PIDS=$!
for _ in $(seq 100); do [ -s "$TMP/https.port" ] && break; sleep 0.05; done
https="https://127.0.0.1:$(cat "$TMP/https.port")"
/usr/bin/python3 bench/ttft.py "$AIX" "$FAKE" "$https" "$TMP/certs/ca.pem" "$runs"
