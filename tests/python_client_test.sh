#!/usr/bin/env bash
# Another language calls aixd: the documented Python example, plus the
# standard health service and server reflection as generic tools see them.
set -euo pipefail
PY=/usr/bin/python3  # Debian's, which has python3-grpcio
ROOT="${TEST_SRCDIR:-$PWD/..}/${TEST_WORKSPACE:-aix}"
AIX="$ROOT/client/aix"
tmp=$(mktemp -d /tmp/aixpy-XXXXXX)
# Under --config=tsan, aixd needs the suppressions for gRPC's inline code.
if [ -n "${TSAN_OPTIONS:-}" ]; then
  export TSAN_OPTIONS="$TSAN_OPTIONS:suppressions=$ROOT/tools/tsan.supp"
fi
export AIX_SOCKET="$tmp/run/aixd.sock" AIX_STORAGE_PATH="$tmp/store" HOME="$tmp/home" AIXD="$ROOT/daemon/aixd"
cleanup() { "$AIX" daemon stop >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

gen="$tmp/gen"; mkdir -p "$gen"
# Debian's protoc and its Python gRPC plugin (python3-grpc-tools bundles an
# older protoc that lacks proto3 `optional`).
protoc_py=(protoc --python_out="$gen" --grpc_out="$gen" --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin)
"${protoc_py[@]}" -I "$ROOT/proto" "$ROOT"/proto/aix/v1/*.proto
"${protoc_py[@]}" -I "$ROOT/tests/python/protos" health.proto reflection.proto

"$AIX" daemon start >/dev/null
printf %s "test-key-python-0042" | "$AIX" api-key openai >/dev/null

out=$(PYTHONPATH="$gen" "$PY" "$ROOT/docs/examples/python/aix_client.py")
echo "$out"
pid=$("$AIX" daemon status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
grep -qE "^aixd [0-9]+\.[0-9]+\.[0-9]+ \(pid $pid, API aix.v1\) on $AIX_SOCKET\$" <<<"$out" || fail "status line"
grep -q "^max_tokens = 1024\$" <<<"$out" || fail "settings"
grep -q "^api_keys.openai = tes…0042\$" <<<"$out" || fail "masked key"
grep -q "python-0042" <<<"$out" && fail "a full key came out of the API"
grep -q "^refused: INVALID_ARGUMENT: invalid value 'lots' for max_tokens" <<<"$out" || fail "error mapping"

# A conversation over the API, against the bundled fake provider.
"$PY" "$ROOT/tests/fakes/fake_provider.py" "$tmp/fake.port" &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do [ -s "$tmp/fake.port" ] && break; sleep 0.05; done
"$AIX" config --set openrouter_base_url "http://127.0.0.1:$(cat "$tmp/fake.port")/api/v1" >/dev/null
printf %s "test-key-python-0043" | "$AIX" api-key openrouter >/dev/null
conv=$(PYTHONPATH="$gen" "$PY" "$ROOT/docs/examples/python/conversation.py" "Name a colour." "And another?")
echo "$conv"
grep -qx "answer: Echo: And another?" <<<"$conv" || fail "follow-up answer"
grep -qx "2 turns:" <<<"$conv" || fail "conversation turns"
grep -qx "  2. And another? -> Echo: And another?" <<<"$conv" || fail "second turn"
id=$(sed -n 's/^conversation \([0-9]*\)$/\1/p' <<<"$conv")
# The fake's log shows the follow-up carried the first turn.
last=$(curl -s "http://127.0.0.1:$(cat "$tmp/fake.port")/_control/requests" |
  "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)[-1]["body"]["messages"]))')
[ "$last" = 3 ] || fail "the follow-up sent $last messages, not 3"
[ -n "$id" ] || fail "conversation id"

disc=$(PYTHONPATH="$gen" "$PY" "$ROOT/tests/python/discover.py" "$AIX_SOCKET")
echo "$disc"
grep -qx "health: SERVING" <<<"$disc" || fail "health"
for s in aix.v1.ConfigService aix.v1.KeyService aix.v1.DaemonService grpc.health.v1.Health; do
  grep -qx "service: $s" <<<"$disc" || fail "reflection lists $s"
done
grep -qx "method: aix.v1.ConfigService/SetSetting" <<<"$disc" || fail "reflection descriptors"
echo "PASS"
