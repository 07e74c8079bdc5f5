#!/usr/bin/env bash
# N concurrent streamed runs through one aixd (default 1000) against the
# bundled fake provider, with a direct-to-provider baseline in the same run.
# Usage: bench/load.sh [RUNS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-1000}
bench_setup //bench:load
"$AIX" run greet -p who=warm >/dev/null
pid=$(cat "$AIX_SOCKET.lock")
echo "aixd RSS before: $(awk '/^VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
ulimit -n 8192 2>/dev/null || true
bazel-bin/bench/load --socket "$AIX_SOCKET" --fake "$FAKE/api/v1/chat/completions" \
  --runs "$runs" --aixd-pid "$pid"
echo "aixd RSS after: $(awk '/^VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
