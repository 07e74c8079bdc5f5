#!/usr/bin/env bash
# Soak: RUNS sequential `aix run` calls (default 10,000; each a new client
# process and gRPC connection) through one aixd against the C++ fake
# provider; aixd's resident memory after a warm-up of 500 runs, against the
# same after all of them. Kept out of the test suite: it takes minutes.
# Usage: bench/soak.sh [RUNS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-10000}
bench_setup //bench:fast_provider
bazel-bin/bench/fast_provider "$TMP/fast.port" &
BENCH_EXTRA_PIDS=$!
for _ in $(seq 100); do [ -s "$TMP/fast.port" ] && break; sleep 0.05; done
"$AIX" config --set openrouter_base_url "http://127.0.0.1:$(cat "$TMP/fast.port")/api/v1" >/dev/null
"$AIX" run greet -p who=warm >/dev/null
pid=$(cat "$AIX_SOCKET.lock")
kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
batch() {  # N: N sequential runs; a failure stops the soak
  local i
  for ((i = 0; i < $1; i++)); do
    "$AIX" run greet -p "who=$i" >/dev/null || { echo "soak: run failed" >&2; exit 1; }
  done
}
batch 500
rss0=$(kb VmRSS) anon0=$(kb RssAnon)
SECONDS=0
done_runs=0
while ((done_runs < runs)); do
  batch 1000
  done_runs=$((done_runs + 1000))
  echo "  after $done_runs runs: RSS $(kb VmRSS) kB (anon $(kb RssAnon) kB)"
done
echo "soak: $runs sequential runs in $SECONDS s"
echo "aixd RSS after 500 warm-up runs: $rss0 kB (anon $anon0 kB)"
echo "aixd RSS after $runs more:        $(kb VmRSS) kB (anon $(kb RssAnon) kB)"
echo "growth: $(( $(kb VmRSS) - rss0 )) kB   (target <= 1024 kB)"
