#!/usr/bin/env bash
# aixd's HTTP endpoint: time to first token through it versus straight to
# the provider (paired, same run) for chat completions, for Anthropic's
# Messages API (POST /v1/messages) and for a tool-call stream; then N
# streams at once (default 1000) through it, with aixd's peak RSS.
# Usage: bench/endpoint.sh [RUNS] [TTFT_RUNS]   (defaults 1000, 500)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-1000}
ttft_runs=${2:-500}
bench_setup //bench:endpoint //bench:fast_provider
# The C++ fake: the Python one would be the bottleneck at 1,000 streams.
bazel-bin/bench/fast_provider "$TMP/fast.port" &
BENCH_EXTRA_PIDS=$!
for _ in $(seq 100); do [ -s "$TMP/fast.port" ] && break; sleep 0.05; done
FAST="http://127.0.0.1:$(cat "$TMP/fast.port")"
"$AIX" config --set openrouter_base_url "$FAST/api/v1" >/dev/null
"$AIX" provider add tools "$FAST/tools/v1" --model m >/dev/null
ulimit -n 8192 2>/dev/null || true
"$AIX" daemon stop >/dev/null 2>&1 || true   # restart under the raised limit
"$AIX" daemon start >/dev/null
http_sock="$(dirname "$AIX_SOCKET")/http.sock"
pid=$(cat "$AIX_SOCKET.lock")
rss() { awk '/^VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status"; }
echo "aixd RSS idle: $(rss), $(ls /proc/$pid/task | wc -l) threads"
for api in chat messages tools; do
  bazel-bin/bench/endpoint ttft --socket "$http_sock" --fake "$FAST/api/v1/chat/completions" \
    --runs "$ttft_runs" --api "$api"
done
echo "aixd RSS before the load: $(rss)"
bazel-bin/bench/endpoint load --socket "$http_sock" --fake "$FAST/api/v1/chat/completions" \
  --runs "$runs" --aixd-pid "$pid"
sleep 3
echo "aixd RSS 3 s after: $(rss), $(ls /proc/$pid/task | wc -l) threads"
