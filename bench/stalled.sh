#!/usr/bin/env bash
# What streams that never read cost aixd while the provider streams without
# end (bench/stalled.cc): first one stream, then STREAMS streams over four
# connections, each against the idle daemon measured just before.
# Usage: bench/stalled.sh [STREAMS] [HOLD_SECONDS]   (default 100 10)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
streams=${1:-100}
hold=${2:-10}
bench_setup //bench:stalled
"$AIX" run greet -p who=warm >/dev/null     # starts aixd, libcurl and its pool
PID=$("$AIX" daemon status --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
script() {  # $1 endless answers, each far beyond what a stalled stream can take
  /usr/bin/python3 -c 'import json,sys; print(json.dumps({"responses": [{"flood_mb": 60}] * int(sys.argv[1])}))' "$1" |
    curl -s -X POST "$FAKE/_control/script" -d @- >/dev/null
}
run() {
  curl -s -X POST "$FAKE/_control/reset" >/dev/null
  script "$1"
  bazel-bin/bench/stalled --socket "$AIX_SOCKET" --prompt greet --streams "$1" \
    --connections "$2" --hold "$hold" --aixd-pid "$PID"
}
run 1 1
run "$streams" 4
