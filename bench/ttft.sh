#!/usr/bin/env bash
# Runs bench/ttft.py: time to first token and to the whole answer through
# `aix run` versus `curl -N`, over HTTP and HTTPS on loopback, against fake
# providers with and without TCP_NODELAY; connections used by 100 runs.
# Usage: bench/ttft.sh [RUNS]   (default 50). Needs curl, openssl, python3.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-50}
bench_setup
tests/fakes/make_certs.sh "$TMP/certs"
tls=(--tls "$TMP/certs/server.pem" "$TMP/certs/server.key")
BENCH_EXTRA_PIDS=""
start_fake() {  # NAME ARGS...: starts a fake provider, its port in $TMP/NAME.port
  local name=$1
  shift
  /usr/bin/python3 tests/fakes/fake_provider.py "$TMP/$name.port" "$@" &
  BENCH_EXTRA_PIDS="$BENCH_EXTRA_PIDS $!"
}
start_fake http-nagle
start_fake https-nodelay --nodelay "${tls[@]}"
start_fake https-nagle "${tls[@]}"
for name in http-nagle https-nodelay https-nagle; do
  for _ in $(seq 100); do [ -s "$TMP/$name.port" ] && break; sleep 0.05; done
done
port() { cat "$TMP/$1.port"; }
/usr/bin/python3 bench/ttft.py "$AIX" "$runs" "$TMP/certs/ca.pem" \
  "HTTP,  TCP_NODELAY=$FAKE" \
  "HTTP,  Nagle on=http://127.0.0.1:$(port http-nagle)" \
  "HTTPS, TCP_NODELAY=https://127.0.0.1:$(port https-nodelay)" \
  "HTTPS, Nagle on=https://127.0.0.1:$(port https-nagle)"
