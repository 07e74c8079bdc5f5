# Sourced by the benchmark scripts: builds -c opt, then sets up a private aix
# environment in a temporary directory with the bundled fake provider as
# OpenRouter, a stored fake key and a prompt `greet` ("Hello {who}").
# Defines AIX, FAKE (http://127.0.0.1:PORT), TMP; cleans up on exit.
bench_setup() {
  cd "$(dirname "$0")/.."
  bazel build -c opt //client:aix //daemon:aixd "$@" >/dev/null 2>&1
  TMP=$(mktemp -d /tmp/aixb-XXXXXX)
  export AIX_SOCKET=$TMP/run/aixd.sock AIX_STORAGE_PATH=$TMP/store HOME=$TMP/home
  export AIXD=$PWD/bazel-bin/daemon/aixd
  AIX=$PWD/bazel-bin/client/aix
  /usr/bin/python3 tests/fakes/fake_provider.py "$TMP/fake.port" --nodelay &
  BENCH_FAKE_PID=$!
  trap '"$AIX" daemon stop >/dev/null 2>&1 || true; kill $BENCH_FAKE_PID ${BENCH_EXTRA_PIDS:-} 2>/dev/null; rm -rf "$TMP"' EXIT
  for _ in $(seq 100); do [ -s "$TMP/fake.port" ] && break; sleep 0.05; done
  FAKE="http://127.0.0.1:$(cat "$TMP/fake.port")"
  "$AIX" config --set openrouter_base_url "$FAKE/api/v1" >/dev/null
  printf %s test-key-bench-0000 | "$AIX" api-key openrouter >/dev/null
  "$AIX" create greet "Hello {who}" >/dev/null
}
