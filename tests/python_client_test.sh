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

disc=$(PYTHONPATH="$gen" "$PY" "$ROOT/tests/python/discover.py" "$AIX_SOCKET")
echo "$disc"
grep -qx "health: SERVING" <<<"$disc" || fail "health"
for s in aix.v1.ConfigService aix.v1.KeyService aix.v1.DaemonService grpc.health.v1.Health; do
  grep -qx "service: $s" <<<"$disc" || fail "reflection lists $s"
done
grep -qx "method: aix.v1.ConfigService/SetSetting" <<<"$disc" || fail "reflection descriptors"
echo "PASS"
