#!/usr/bin/env bash
# The web page (aix ui) in Debian's chromium, headless (bench/web_ui.cjs):
# page weight, time to the library's first paint with 1,000 prompts beside
# `aix list` over the same library, and time from pressing Run to the first
# token on screen beside `aix run` to its first byte on stdout, alternating.
# Usage: bench/web_ui.sh [RUNS]   (default 20)
# Needs chromium (apt-get install chromium) and puppeteer-core:
# tools/test.sh installs tests/endpoint/package.json into AIX_NODE_MODULES.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-20}
modules=${AIX_NODE_MODULES:-${XDG_CACHE_HOME:-$HOME/.cache}/aix-test-node/node_modules}
bench_setup
for i in $(seq -w 0 999); do
  printf 'name: lib-%s\ndescription: Prompt number %s of the benchmark library\ntags: [bench, group-%s]\ntemplate: "Tell {who} about item %s"\n' \
    "$i" "$i" "${i:0:1}" "$i" > "$AIX_STORAGE_PATH/prompts/lib-$i.yaml"
done
NODE_PATH=$modules /usr/bin/node bench/web_ui.cjs "$AIX" "$FAKE" "$runs"
