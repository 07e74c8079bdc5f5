#!/usr/bin/env bash
# The second hardening round's figures, each beside a baseline measured in
# the same run (bench/README.md):
#   1. a neighbour (uid 65534) holding 600 connections on the loopback port
#      under a 512-descriptor limit: aixd's descriptors and the owner's
#      `aix list` time, against the same with no neighbour;
#   2. a 16 MiB body of '[' on http.sock: time to the 400, aixd's RSS peak
#      and after, against a small chat request;
#   3. `aix history search` with a 450 KB query, against a two-word one;
#   4. importing a collection of 20,000 prompts, against one of 200.
# Needs root (setpriv, prlimit). Usage: bench/hostile.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
PID=$("$AIX" daemon status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
fds() { ls /proc/"$PID"/fd | wc -l; }
kb() { awk -v f="$1:" '$1 == f {print $2}' /proc/"$PID"/status; }
ms() { local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; echo $(( ($(date +%s%N) - t0) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "== 1. a neighbour on the loopback port (512 descriptors)"
prlimit --pid "$PID" --nofile=512:512
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$AIX" config --set http_listen "127.0.0.1:$PORT" >/dev/null
base=$(for _ in $(seq 20); do ms "$AIX" list; done | median)
echo "baseline: aixd holds $(fds) descriptors; aix list median ${base} ms"
setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import socket, sys, time
socks = []
for _ in range(600):
    s = socket.socket(); s.settimeout(2)
    try:
        s.connect(("127.0.0.1", int(sys.argv[1]))); s.sendall(b"GET /v1/models HTTP/1.1\r\n"); socks.append(s)
    except OSError:
        pass
time.sleep(8)' "$PORT" &
NB=$!
sleep 3
flood=$(for _ in $(seq 20); do ms "$AIX" list; done | median)
echo "neighbour: aixd holds $(fds) descriptors; aix list median ${flood} ms"
wait $NB || true
"$AIX" config --unset http_listen >/dev/null

echo "== 2. a deeply nested body"
SOCK=$TMP/run/http.sock
small='{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
echo "baseline: small chat request $(ms curl -s --unix-socket "$SOCK" -d "$small" http://localhost/v1/chat/completions) ms; RSS $(kb VmRSS) kB"
python3 -c 'import sys; sys.stdout.write("[" * (16 << 20))' > "$TMP/deep.json"
t=$(ms curl -s --unix-socket "$SOCK" --data-binary @"$TMP/deep.json" http://localhost/v1/chat/completions)
echo "16 MiB of '[': answered in ${t} ms; RSS peak $(kb VmHWM) kB, now $(kb VmRSS) kB"

echo "== 3. a 450 KB search"
for i in $(seq 5); do "$AIX" run greet -p who="run $i" >/dev/null; done
echo "baseline: two words $(ms "$AIX" history search hello run) ms"
words=$(python3 -c 'print(" ".join(["lorem"] * 76000))')
t0=$(date +%s%N); "$AIX" history search $words >/dev/null 2>&1 || true
echo "450 KB query: $(( ($(date +%s%N) - t0) / 1000000 )) ms (refused)"

echo "== 4. importing 20,000 prompts"
for n in 200 20000; do
  python3 - "$n" "$TMP/c$n.xml" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
parts = ['<?xml version="1.0"?>\n<collection><metadata><name>c%d</name></metadata><templates>\n' % n]
for i in range(n):
    parts.append('<template><metadata><name>c%d_%d</name></metadata><content><![CDATA[Summarize {input} as item %d.]]></content></template>\n' % (n, i, i))
parts.append('</templates></collection>\n')
open(path, "w").write("".join(parts))
PY
  echo "$n prompts ($(stat -c %s "$TMP/c$n.xml") bytes): $(ms "$AIX" collection import "$TMP/c$n.xml") ms"
done
