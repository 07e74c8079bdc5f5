#!/usr/bin/env bash
# What aixd costs while idle: private memory (Private_Clean + Private_Dirty,
# what it alone holds), Pss and RSS from /proc/PID/smaps_rollup, and its
# threads: just started, after one run, and after a burst of 200 runs (50 at
# once) once it is idle again. Baseline in the same run: a `sleep` process.
# Usage: bench/idle.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
mem() {  # pid label
  awk -v l="$2" '/^Rss:/ {r=$2} /^Pss:/ {p=$2} /^Private_Clean:/ {c=$2} /^Private_Dirty:/ {d=$2}
    /^Anonymous:/ {a=$2}
    END {printf "%-28s private %5.1f MB (dirty %5.1f, clean %5.1f)  anon %5.1f MB  Pss %5.1f MB  RSS %5.1f MB",
         l, (c+d)/1024, d/1024, c/1024, a/1024, p/1024, r/1024}' "/proc/$1/smaps_rollup"
  echo "  threads $(ls /proc/"$1"/task | wc -l)"
}
sleep 600 & BENCH_EXTRA_PIDS=$!
mem "$BENCH_EXTRA_PIDS" "sleep (baseline)"
"$AIX" config --get max_tokens >/dev/null   # starts aixd
PID=$("$AIX" daemon status --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
sleep 1; mem "$PID" "aixd just started"
"$AIX" run greet -p who=one >/dev/null
sleep 1; mem "$PID" "aixd after one run"
for b in $(seq 4); do
  pids=()
  for i in $(seq 50); do "$AIX" run greet -p who="$b-$i" >/dev/null & pids+=($!); done
  wait "${pids[@]}"   # not the baseline sleep
done
sleep 2; mem "$PID" "aixd after 200 runs, idle"
