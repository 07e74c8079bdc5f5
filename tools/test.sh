#!/usr/bin/env bash
# Runs every test of aix: installs what is needed, then builds and runs the
# whole suite three times: warning-free (-Werror), under AddressSanitizer +
# UndefinedBehaviorSanitizer, and under ThreadSanitizer (which skips the
# client-command targets tagged "cli" and the unit tests that run on one
# thread, tagged "single_threaded"). Ends with the line
# "N passed, N failed". Usage: tools/test.sh [CONFIG...] (default: werror asan tsan)
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${AIX_SKIP_INSTALL:-0}" != 1 ]; then
  tools/install-deps.sh || exit 1
fi
# The endpoint test drives aixd with the official openai npm package, at the
# versions tests/endpoint/package-lock.json pins (npm ci checks them).
node_dir="${AIX_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aix-test-node}"
mkdir -p "$node_dir"
if ! cmp -s tests/endpoint/package-lock.json "$node_dir/package-lock.json" || [ ! -d "$node_dir/node_modules/openai" ]; then
  cp tests/endpoint/package.json tests/endpoint/package-lock.json "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed in $node_dir"; exit 1; }
fi
export AIX_NODE_MODULES="$node_dir/node_modules"
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(werror asan tsan)
results=$(mktemp -d /tmp/aix-results-XXXXXX)
status=0
for config in "${configs[@]}"; do
  # The -Werror build covers every target; the sanitizer builds only what
  # the tests need (benchmarks and tools are not run there).
  only=()
  [ "$config" = werror ] || only=(--build_tests_only)
  # TSan runs the targets where something runs on several threads; the
  # client command targets (tag "cli") and the unit tests that run on one
  # thread (tag "single_threaded") run plain and under ASan.
  tsan_skip='attr(tags, "\b(cli|single_threaded)\b", tests(//...))'
  [ "$config" = tsan ] && only+=(--test_tag_filters=-cli,-single_threaded)
  echo "== bazel test --config=$config ${only[*]} //..."
  started=$(date +%s)
  { bazel test --config="$config" "${only[@]}" --keep_going //...; echo $? >"$results/rc"; } 2>&1 |
    grep -vE '^(Loading|Analyzing|INFO: From|\[[0-9,]+ / [0-9,]+\])'
  rc=$(cat "$results/rc")
  echo "== $config: build and tests took $(( $(date +%s) - started )) s"
  # bazel-testlogs is shared by configs that differ only in flags: keep a copy,
  # without the logs an earlier configuration left of targets this one skipped.
  mkdir -p "$results/$config"
  cp -rL bazel-testlogs/. "$results/$config/" 2>/dev/null || true
  if [ "$config" = tsan ]; then
    for label in $(bazel query "$tsan_skip" 2>/dev/null); do
      rel=${label#//}
      rm -rf "$results/$config/${rel/://}"
    done
  fi
  # 3 = some tests failed (counted below); anything else is a build failure.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
    echo "bazel test --config=$config failed to build (exit $rc)"
    status=1
  fi
done
/usr/bin/python3 tools/test_summary.py $(printf '%s ' "${configs[@]/#/$results/}") || status=1
rm -rf "$results"
exit $status
