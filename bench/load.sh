#!/usr/bin/env bash
# N concurrent streamed runs through one aixd (default 1000) with a
# direct-to-provider baseline (libcurl, same connection cap) in the same
# run; aixd's RSS before, at peak, and after the load.
#
# Usage: bench/load.sh [RUNS] [fast|python|h2]
#   fast    the C++ fake provider (bench/fast_provider.cc; default)
#   python  the scriptable Python fake (tests/fakes/fake_provider.py)
#   h2      Debian's nghttpd: HTTP/2 over TLS on loopback, serving the same
#           stream as a file; both aixd and the baseline multiplex
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-1000}
mode=${2:-fast}
bench_setup //bench:load //bench:fast_provider
ca_args=()
case $mode in
  fast)
    bazel-bin/bench/fast_provider "$TMP/fast.port" &
    BENCH_EXTRA_PIDS=$!
    for _ in $(seq 100); do [ -s "$TMP/fast.port" ] && break; sleep 0.05; done
    FAKE="http://127.0.0.1:$(cat "$TMP/fast.port")"
    ;;
  h2)
    tests/fakes/make_certs.sh "$TMP/certs" >/dev/null 2>&1
    mkdir -p "$TMP/htdocs/api/v1/chat"
    bazel-bin/bench/fast_provider "$TMP/fast.port" &
    for _ in $(seq 100); do [ -s "$TMP/fast.port" ] && break; sleep 0.05; done
    curl -s -d '{}' "http://127.0.0.1:$(cat "$TMP/fast.port")/v1/chat/completions" \
      > "$TMP/htdocs/api/v1/chat/completions"  # the same stream, served as a file
    kill $!
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    nghttpd -a 127.0.0.1 -d "$TMP/htdocs" "$port" "$TMP/certs/server.key" "$TMP/certs/server.pem" &
    BENCH_EXTRA_PIDS=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
    FAKE="https://127.0.0.1:$port"
    "$AIX" config --set ca_bundle "$TMP/certs/ca.pem" >/dev/null
    ca_args=(--ca "$TMP/certs/ca.pem")
    ;;
  python) ;;
  *) echo "load.sh: unknown provider kind $mode" >&2; exit 2 ;;
esac
"$AIX" config --set openrouter_base_url "$FAKE/api/v1" >/dev/null
"$AIX" run greet -p who=warm >/dev/null
pid=$(cat "$AIX_SOCKET.lock")
rss() { awk '/^VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status"; }
echo "provider: $mode ($FAKE)"
echo "aixd RSS before: $(rss), $(ls /proc/$pid/task | wc -l) threads"
ulimit -n 8192 2>/dev/null || true
bazel-bin/bench/load --socket "$AIX_SOCKET" --fake "$FAKE/api/v1/chat/completions" \
  "${ca_args[@]}" --runs "$runs" --aixd-pid "$pid"
echo "aixd RSS right after: $(rss)"
sleep 3
echo "aixd RSS 3 s after: $(rss), $(ls /proc/$pid/task | wc -l) threads"
echo "aixd's connections to the provider, kept for reuse: $(ss -Htn state established \
  "( dport = :${FAKE##*:} )" 2>/dev/null | wc -l)"
