#!/usr/bin/env bash
# N concurrent streamed runs through one aixd (default 1000) against the
# bundled fake provider, with a direct-to-provider baseline in the same run.
# Usage: bench/load.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000}
bazel build -c opt //client:aix //daemon:aixd //bench:load >/dev/null 2>&1
tmp=$(mktemp -d /tmp/aixl-XXXXXX)
export AIX_SOCKET=$tmp/run/aixd.sock AIX_STORAGE_PATH=$tmp/store HOME=$tmp/home
export AIXD=$PWD/bazel-bin/daemon/aixd
AIX=$PWD/bazel-bin/client/aix
/usr/bin/python3 tests/fakes/fake_provider.py "$tmp/fake.port" & fake=$!
trap '"$AIX" daemon stop >/dev/null 2>&1 || true; kill $fake; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/fake.port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/fake.port")/api/v1"
"$AIX" config --set openrouter_base_url "$base" >/dev/null
printf %s test-key-load-0000 | "$AIX" api-key openrouter >/dev/null
"$AIX" create greet "Hello {who}" >/dev/null
"$AIX" run greet -p who=warm >/dev/null
pid=$(cat "$AIX_SOCKET.lock")
echo "aixd RSS before: $(awk '/^VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
ulimit -n 8192 2>/dev/null || true
bazel-bin/bench/load --socket "$AIX_SOCKET" --fake "$base/chat/completions" --runs "$runs" \
  --aixd-pid "$pid"
echo "aixd RSS after: $(awk '/^VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
