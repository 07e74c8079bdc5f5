#!/usr/bin/env bash
# Wall time of `aix run` through one HTTP 429 with Retry-After: 1, against
# the same run without the 429, alternating, in the same session.
# Usage: bench/retry_after.sh [RUNS]   (default 10)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-10}
bench_setup
ms() { date +%s%N; }
"$AIX" run greet -p who=warm >/dev/null
: >"$TMP/base"; : >"$TMP/retry"
for _ in $(seq "$runs"); do
  t0=$(ms); "$AIX" run greet -p who=x >/dev/null; echo $(( ($(ms) - t0) / 1000 )) >>"$TMP/base"
  curl -s -X POST "$FAKE/_control/script" \
    -d '{"responses": [{"status": 429, "error": "slow down", "headers": {"Retry-After": "1"}}]}' >/dev/null
  t0=$(ms); "$AIX" run greet -p who=x >/dev/null; echo $(( ($(ms) - t0) / 1000 )) >>"$TMP/retry"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]/1000}'; }
echo "aix run, answered at once:         median $(median "$TMP/base") ms"
echo "aix run through one 429 (Retry-After: 1): median $(median "$TMP/retry") ms"
