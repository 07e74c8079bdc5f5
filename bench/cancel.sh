#!/usr/bin/env bash
# Runs bench/cancel.py: SIGINT to `aix run` -> upstream request cancelled.
# Usage: bench/cancel.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
bazel build -c opt //client:aix //daemon:aixd >/dev/null 2>&1
tmp=$(mktemp -d /tmp/aixc-XXXXXX)
export AIX_SOCKET=$tmp/run/aixd.sock AIX_STORAGE_PATH=$tmp/store HOME=$tmp/home
export AIXD=$PWD/bazel-bin/daemon/aixd
AIX=$PWD/bazel-bin/client/aix
/usr/bin/python3 tests/fakes/fake_provider.py "$tmp/fake.port" & fake=$!
trap '"$AIX" daemon stop >/dev/null 2>&1 || true; kill $fake; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/fake.port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/fake.port")"
"$AIX" config --set openrouter_base_url "$base/api/v1" >/dev/null
printf %s test-key-cancel-0000 | "$AIX" api-key openrouter >/dev/null
"$AIX" create greet "Hello {who}" >/dev/null
/usr/bin/python3 bench/cancel.py "$AIX" "$base" "$runs"
