#!/usr/bin/env bash
# The time one TAB takes: `aix __complete` (what the bash, zsh and fish
# scripts call) for `aix run <TAB>` (prompt names: one ListPrompts over 50
# prompts) and `aix run greet --param <TAB>` (one GetPrompt), plus bash's
# whole completion function for the first, each beside /bin/true in the
# same hyperfine run against a warm aixd.
#
# Usage: bench/completion.sh [RUNS]      (default 300)
# Needs: hyperfine, bash (tools/install-deps.sh). Builds with -c opt.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-300}
bench_setup
for i in $(seq 50); do "$AIX" create "prompt-$i" "Prompt $i about {topic}" >/dev/null; done
dir=$(dirname "$AIX")
cat > "$TMP/tab.sh" <<SH
PATH='$dir':\$PATH
eval "\$(aix completion bash)"
COMP_LINE='aix run '; COMP_POINT=8; COMP_WORDS=(aix run ''); COMP_CWORD=2
_aix
SH
hyperfine -N --warmup 30 --runs "$runs" --export-json "$TMP/h.json" \
  /bin/true \
  "$AIX __complete 'aix run '" \
  "$AIX __complete 'aix run greet --param '" \
  "/bin/bash --noprofile --norc $TMP/tab.sh" >/dev/null 2>&1

/usr/bin/python3 - "$TMP/h.json" "$runs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = ["/bin/true", "aix run <TAB> (aix __complete)", "aix run greet --param <TAB>",
         "bash: eval script + _aix for aix run <TAB>"]
print("one TAB, %s runs each (hyperfine -N, same run, warm aixd, 51 prompts)" % sys.argv[2])
for name, r in zip(names, d["results"]):
    t = sorted(r["times"])
    p95 = t[min(len(t) - 1, int(0.95 * len(t)))] * 1000
    print("  %-44s median %6.2f ms  mean %6.2f ms  p95 %6.2f ms"
          % (name, r["median"] * 1000, r["mean"] * 1000, p95))
PY
