#!/usr/bin/env bash
# How long a stalled provider holds `aix run` with the default settings: the
# provider sends the headers and one chunk, then nothing (idle_timeout), or
# nothing at all after the request (first_byte_timeout). Baseline: the same
# run when the provider answers, in the same session.
# Usage: bench/stall.sh          (takes about three minutes)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
ms() { date +%s%3N; }
script() { curl -s -X POST "$FAKE/_control/script" -d "{\"responses\": [$1]}" >/dev/null; }
"$AIX" run greet -p who=warm >/dev/null
t0=$(ms); "$AIX" run greet -p who=x >/dev/null; base=$(( $(ms) - t0 ))
script '{"chunks": ["Hello", " there"], "stall_after": 1, "stall_s": 600}'
t0=$(ms); "$AIX" run greet -p who=x >/dev/null 2>"$TMP/err" || true; idle=$(( $(ms) - t0 ))
# No answer at all: first_byte_timeout, then the default retries do the same.
script '{"stall_after": 0, "stall_s": 600}'
t0=$(ms); "$AIX" run greet -p who=x --max-retries 0 >/dev/null 2>"$TMP/err2" || true; first=$(( $(ms) - t0 ))
echo "answering provider: ${base} ms"
echo "stalled mid-answer (idle_timeout default): ${idle} ms -> $(head -1 "$TMP/err")"
echo "no answer at all, no retries (first_byte_timeout default): ${first} ms -> $(head -1 "$TMP/err2")"
