#!/usr/bin/env bash
# Conversation figure: time to first token of `aix reply` into a 50-turn
# conversation (aixd loads the 49 earlier turns from history.db and sends
# them all) against a first `aix run`, alternating in the same session.
# See bench/conversation.py. Usage: bench/conversation.sh [RUNS] [TURNS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-200}
turns=${2:-50}
bench_setup
"$AIX" run greet -p who=warm >/dev/null
/usr/bin/python3 bench/conversation.py "$AIX" "$FAKE" "$runs" "$turns"
