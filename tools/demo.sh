#!/usr/bin/env bash
# The main job, end to end and offline: installs what is needed, builds aix
# and aixd, starts the bundled fake provider on 127.0.0.1 (it speaks
# OpenRouter's wire format), and in a scratch directory (your ~/.prompts is
# not touched) saves a prompt and runs it, with the answer streaming back
# through aixd's pooled connection.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${AIX_SKIP_INSTALL:-0}" != 1 ]; then tools/install-deps.sh; fi
bazel build -c opt //client:aix //daemon:aixd 2>&1 | grep -E '^(ERROR|Target|  bazel-bin)' || true
[ -x bazel-bin/client/aix ] || { echo "build failed" >&2; exit 1; }

demo=$(mktemp -d /tmp/aix-demo-XXXXXX)
export AIX_SOCKET="$demo/run/aixd.sock" AIX_STORAGE_PATH="$demo/prompts" HOME="$demo/home"
export AIXD="$PWD/bazel-bin/daemon/aixd"
AIX="$PWD/bazel-bin/client/aix"
/usr/bin/python3 tests/fakes/fake_provider.py "$demo/fake.port" &
fake=$!
trap '"$AIX" daemon stop >/dev/null 2>&1 || true; kill $fake 2>/dev/null || true; rm -rf "$demo"' EXIT
for _ in $(seq 100); do [ -s "$demo/fake.port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$demo/fake.port")/api/v1"

step() { printf '\n$ aix %s\n' "$*"; "$AIX" "$@"; }
echo "aix demo in $demo (fake provider at $url)"
# Point the built-in OpenRouter provider at the fake; with a real key you
# would skip this line.
step config --set openrouter_base_url "$url"
printf '\n$ printf %%s "$KEY" | aix api-key openrouter\n'
printf %s "test-key-demo-4242" | "$AIX" api-key openrouter
step create summarize "Summarize in {words} words: {input}" -d "Short summaries" -t text
step list
printf '\n$ echo "aixd keeps provider connections open..." | aix run summarize --param words=10\n'
echo "aixd keeps provider connections open, so each run starts at once." |
  "$AIX" run summarize --param words=10
echo
step run summarize --param words=5 --param input="streamed answers" --dry-run
step run summarize --param words=5 --param input="machine-readable" --json
step config --list
step daemon status
step daemon stop
cat <<'TXT'

With a real provider: drop the base-URL setting and store your key.
  aix config --unset openrouter_base_url
  aix api-key openrouter            # or: export OPENROUTER_API_KEY=...
  aix run summarize --param words=10 --param input="..."

demo OK
TXT
