#!/usr/bin/env bash
# The main job, end to end and offline: installs what is needed, builds aix
# and aixd, and drives them in a scratch directory (your ~/.prompts is not
# touched): aixd starts on demand, settings are changed and listed, a key is
# stored and shown only masked, the daemon reports its status and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${AIX_SKIP_INSTALL:-0}" != 1 ]; then tools/install-deps.sh; fi
bazel build -c opt //client:aix //daemon:aixd 2>&1 | grep -E '^(ERROR|Target|  bazel-bin)' || true
[ -x bazel-bin/client/aix ] || { echo "build failed" >&2; exit 1; }

demo=$(mktemp -d /tmp/aix-demo-XXXXXX)
export AIX_SOCKET="$demo/run/aixd.sock" AIX_STORAGE_PATH="$demo/prompts" HOME="$demo/home"
export AIXD="$PWD/bazel-bin/daemon/aixd"
AIX="$PWD/bazel-bin/client/aix"
trap '"$AIX" daemon stop >/dev/null 2>&1 || true; rm -rf "$demo"' EXIT

step() { printf '\n$ aix %s\n' "$*"; "$AIX" "$@"; }
echo "aix demo in $demo"
step config --list                       # starts aixd on demand, writes defaults
step config --set default_provider openai
step config --set openai_default_model gpt-4
step config --set temperature 0.2
step config --set max_tokens lots || echo "(exit $? : refused, nothing written)"
printf '\n$ printf %%s "$KEY" | aix api-key openrouter\n'
printf %s "sk-or-demo-not-a-real-key-4242" | "$AIX" api-key openrouter
printf '\n$ aix config --list | grep api_keys\n'
"$AIX" config --list | grep api_keys
step config --get default_provider
step daemon status
printf '\n$ ls -l %s\n' "$AIX_STORAGE_PATH"
ls -l "$AIX_STORAGE_PATH"
step daemon stop
echo
echo "demo OK"
