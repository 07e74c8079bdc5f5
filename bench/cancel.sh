#!/usr/bin/env bash
# Runs bench/cancel.py: SIGINT to `aix run` -> upstream request cancelled.
# Usage: bench/cancel.sh [RUNS]   (default 20)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-20}
bench_setup
/usr/bin/python3 bench/cancel.py "$AIX" "$FAKE" "$runs"
