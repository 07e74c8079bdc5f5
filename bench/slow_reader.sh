#!/usr/bin/env bash
# aixd's memory while clients that never read are sent 100 MB: two runs of
# 50 MB each (one reply is capped at 64 MiB) stream into pipes nobody reads
# for SECONDS; aixd's RSS is sampled every 100 ms. The baseline is its RSS
# when idle, measured just before. Then the pipes are drained and the bytes
# counted, to show that pausing lost nothing.
# Usage: bench/slow_reader.sh [SECONDS]   (default 10)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
bench_setup
"$AIX" config --get max_tokens >/dev/null   # starts aixd
"$AIX" run greet -p who=warm >/dev/null     # starts libcurl and its pool
pid=$("$AIX" daemon status --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
idle=$(rss)
curl -s -X POST "$FAKE/_control/script" -d '{"responses": [{"flood_mb": 50}, {"flood_mb": 50}]}' >/dev/null
mkfifo "$TMP/p1" "$TMP/p2"
"$AIX" run greet -p who=a >"$TMP/p1" & r1=$!
"$AIX" run greet -p who=b >"$TMP/p2" & r2=$!
exec 3<"$TMP/p1" 4<"$TMP/p2"   # readers exist, but read nothing until the end
peak=$idle
for _ in $(seq $((secs * 10))); do
  now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
  sleep 0.1
done
# Drain both pipes and count what arrived.
(cat <&3 | wc -c >"$TMP/n1") & d1=$!
(cat <&4 | wc -c >"$TMP/n2") & d2=$!
exec 3<&- 4<&-
wait $r1 $r2 $d1 $d2
printf 'aixd RSS idle %.1f MB, peak while 100 MB were held back %.1f MB (+%.1f MB); bytes delivered afterwards: %s + %s\n' \
  "$(echo "$idle/1024" | bc -l)" "$(echo "$peak/1024" | bc -l)" "$(echo "($peak-$idle)/1024" | bc -l)" \
  "$(cat "$TMP/n1" 2>/dev/null || echo ?)" "$(cat "$TMP/n2" 2>/dev/null || echo ?)"
