#!/usr/bin/env bash
# Runs bench/ttft.py: time to first token through `aix run` versus `curl -N`,
# over HTTP and HTTPS on loopback, and connections used by 100 runs.
# Usage: bench/ttft.sh [RUNS]   (default 50). Needs curl, openssl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
bazel build -c opt //client:aix //daemon:aixd >/dev/null 2>&1
tmp=$(mktemp -d /tmp/aixt-XXXXXX)
export AIX_SOCKET=$tmp/run/aixd.sock AIX_STORAGE_PATH=$tmp/store HOME=$tmp/home
export AIXD=$PWD/bazel-bin/daemon/aixd
AIX=$PWD/bazel-bin/client/aix
tests/fakes/make_certs.sh "$tmp/certs"
/usr/bin/python3 tests/fakes/fake_provider.py "$tmp/http.port" & p1=$!
/usr/bin/python3 tests/fakes/fake_provider.py "$tmp/https.port" --tls "$tmp/certs/server.pem" \
  "$tmp/certs/server.key" & p2=$!
trap '"$AIX" daemon stop >/dev/null 2>&1 || true; kill $p1 $p2; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/http.port" ] && [ -s "$tmp/https.port" ] && break; sleep 0.05; done
http="http://127.0.0.1:$(cat "$tmp/http.port")"
https="https://127.0.0.1:$(cat "$tmp/https.port")"
"$AIX" config --set openrouter_base_url "$http/api/v1" >/dev/null
printf %s test-key-bench-0000 | "$AIX" api-key openrouter >/dev/null
"$AIX" create greet "Hello {who}" >/dev/null
/usr/bin/python3 bench/ttft.py "$AIX" "$http" "$https" "$tmp/certs/ca.pem" "$runs"
