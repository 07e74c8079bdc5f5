#!/usr/bin/env bash
# Client round trip: `aix config --get default_provider` against a warm aixd,
# timed by hyperfine beside /bin/true in the same run (so machine noise hits
# both), plus the daemon's resident memory when idle.
#
# Usage: bench/client_roundtrip.sh [RUNS]      (default 300)
# Needs: hyperfine (tools/install-deps.sh). Builds with -c opt.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
bazel build -c opt //client:aix //daemon:aixd >/dev/null 2>&1
AIX=$PWD/bazel-bin/client/aix
tmp=$(mktemp -d /tmp/aixb-XXXXXX)
export AIX_SOCKET=$tmp/run/aixd.sock AIX_STORAGE_PATH=$tmp/store HOME=$tmp/home
export AIXD=$PWD/bazel-bin/daemon/aixd
trap '"$AIX" daemon stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

"$AIX" daemon start >/dev/null
"$AIX" config --list >/dev/null        # config.json created and loaded: warm
pid=$(cat "$AIX_SOCKET.lock")
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
idle_rss_kb=$(rss)

hyperfine -N --warmup 50 --runs "$runs" --export-json "$tmp/h.json" \
  /bin/true "$AIX config --get default_provider" >/dev/null 2>&1
after_rss_kb=$(rss)

/usr/bin/python3 - "$tmp/h.json" "$idle_rss_kb" "$after_rss_kb" "$runs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
true, aix = d["results"]
def ms(r, k): return r[k] * 1000
def p(r, q):
    t = sorted(r["times"]); return t[min(len(t) - 1, int(q * len(t)))] * 1000
print("client round trip, %s runs each (hyperfine -N, same run)" % sys.argv[4])
for name, r in (("/bin/true", true), ("aix config --get default_provider", aix)):
    print("  %-36s median %6.2f ms  mean %6.2f ms  p95 %6.2f ms"
          % (name, ms(r, "median"), ms(r, "mean"), p(r, 0.95)))
print("  ratio of medians: %.1fx /bin/true   (targets: median <= 8 ms, <= 4x)"
      % (aix["median"] / true["median"]))
print("aixd RSS: %.1f MB idle, %.1f MB after the runs   (target <= 15 MB)"
      % (int(sys.argv[2]) / 1024, int(sys.argv[3]) / 1024))
PY
