#!/usr/bin/env bash
# Run history figures: `aix run` time to first token with the history on and
# off (same session, alternating), and `aix history search` over N recorded
# runs (default 100,000). See bench/history.py.
# Usage: bench/history.sh [RUNS] [N]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-100}
n=${2:-100000}
bench_setup
"$AIX" run greet -p who=warm >/dev/null
/usr/bin/python3 bench/history.py "$AIX" "$FAKE" "$runs" "$AIX_STORAGE_PATH" "$n"
