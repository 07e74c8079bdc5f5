#!/usr/bin/env bash
# Coverage-guided fuzzing of the hand-written parsers and of the provider
# dialects with libFuzzer (clang-14, ASan + UBSan).
# Usage: tools/fuzz/run.sh [SECONDS [TARGET...]]
#   (default 60 each; targets sse template dialect translate chat messages redact import
#   markdown mcp)
# Crashes are written to /tmp/aix-fuzz/<target>/crash-*; each reproduces with
# the binary it came from: /tmp/aix-fuzz/<target>/fuzz CRASH_FILE
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift || true
targets=" ${*:-sse template dialect translate chat messages redact import markdown mcp} "
out=/tmp/aix-fuzz
absl=$(pkg-config --cflags --libs absl_status absl_statusor absl_strings absl_str_format absl_time)
build() {  # name, seed dir, sources...
  local name=$1 seeds=$2; shift 2
  [[ "$targets" == *" $name "* ]] || return 0
  mkdir -p "$out/$name/corpus"
  cp -n "$seeds"/* "$out/$name/corpus/" 2>/dev/null || true
  clang++-14 -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I. "$@" $absl \
    -o "$out/$name/fuzz"
  (cd "$out/$name" && ./fuzz -max_total_time="$secs" -max_len=4096 -print_final_stats=1 corpus) 2>&1 |
    grep -E "stat::number_of_executed_units|Done|ERROR|crash" | tail -3
}
build sse tests/testdata/sse daemon/http/sse_fuzz.cc daemon/http/sse.cc
build template tests/testdata/templates common/template_fuzz.cc common/template.cc
# Both dialects link the request side too (anthropic_request, chat_fields).
providers="daemon/providers/anthropic_request.cc daemon/providers/chat_fields.cc
  daemon/providers/chat_request.cc daemon/providers/dialect.cc daemon/providers/errors.cc
  daemon/providers/json_fields.cc common/mask.cc daemon/http/sse.cc common/text.cc
  common/json_depth.cc common/json_text.cc"
# shellcheck disable=SC2086
build dialect tests/testdata/dialect daemon/providers/dialect_fuzz.cc daemon/providers/*_dialect.cc \
  $providers
# A client's chat request on its way to a provider: the checks and both
# dialects' request builders (the Anthropic translation among them).
# shellcheck disable=SC2086
build translate tests/testdata/translate daemon/providers/translate_fuzz.cc \
  daemon/providers/*_dialect.cc $providers
build redact tests/testdata/redact common/redact_fuzz.cc common/redact.cc
build markdown tests/testdata/markdown client/markdown_fuzz.cc client/markdown.cc -lcmark-gfm
# MCP's JSON-RPC messages, as aix mcp and POST /mcp receive them.
build mcp tests/testdata/mcp daemon/mcp/jsonrpc_fuzz.cc daemon/mcp/jsonrpc.cc common/json_depth.cc \
  common/json_text.cc
# The endpoint's request parser: its RunRequest comes from the generated
# protobuf code, built by Bazel first.
if [[ "$targets" == *" chat "* || "$targets" == *" messages "* ]]; then
  bazel build //proto:aix_v1 >/dev/null 2>&1
  gen=$(bazel info bazel-bin 2>/dev/null)/proto
  pb=$(pkg-config --libs protobuf)
  build chat tests/testdata/chat daemon/endpoint/openai_shapes_fuzz.cc daemon/endpoint/openai_shapes.cc \
    daemon/providers/chat_fields.cc daemon/providers/json_fields.cc common/provider_registry.cc \
    common/text.cc common/json_depth.cc \
    common/json_text.cc \
    "$gen/aix/v1/runs.pb.cc" -I"$gen" $pb
  build messages tests/testdata/messages daemon/endpoint/anthropic_shapes_fuzz.cc \
    daemon/endpoint/anthropic_shapes.cc daemon/endpoint/openai_shapes.cc daemon/providers/chat_fields.cc \
    daemon/providers/json_fields.cc \
    common/provider_registry.cc \
    common/text.cc common/json_depth.cc common/json_text.cc "$gen/aix/v1/runs.pb.cc" -I"$gen" $pb
fi
# Imports: bundles (libarchive) and the Python aix's XML (expat), with the
# stores and settings they use.
build import tests/testdata/import daemon/prompts/import_fuzz.cc daemon/prompts/bundle.cc daemon/prompts/import_journal.cc \
  daemon/prompts/python_import.cc daemon/prompts/prompt_store.cc daemon/prompts/collection_store.cc \
  daemon/prompts/yaml_fields.cc daemon/config/settings.cc common/settings_schema.cc common/template.cc \
  common/files.cc common/paths.cc common/text.cc common/listen_address.cc common/mask.cc \
  $(pkg-config --libs libarchive expat yaml-cpp libcurl)
echo "fuzzing finished without a crash"
