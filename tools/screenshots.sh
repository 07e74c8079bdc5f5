#!/usr/bin/env bash
# Retakes the web page's screenshots in docs/ui/ (README links them): runs
# the browser test, which drives every page of aix ui in Debian's chromium
# against the fake provider and saves a picture of each.
set -euo pipefail
cd "$(dirname "$0")/.."
node_dir="${AIX_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aix-test-node}"
mkdir -p docs/ui
bazel test //tests/integration:web_ui_test --test_filter='*ABrowserSignsIn*' --nocache_test_results \
  --test_env=AIX_NODE_MODULES="$node_dir/node_modules" --test_env=AIX_SCREENSHOTS="$PWD/docs/ui"
rm -f docs/ui/ui-failure.png
ls docs/ui
