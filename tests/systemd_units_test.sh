#!/usr/bin/env bash
# The shipped systemd user units pass `systemd-analyze verify` with aixd
# installed where aixd.service expects it (README's install steps).
set -euo pipefail
ROOT="${TEST_SRCDIR:-$PWD/..}/${TEST_WORKSPACE:-aix}"
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (apt-get install systemd)"; exit 1; }
tmp=$(mktemp -d /tmp/aixsd-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/bin" "$tmp/run" "$tmp/units"
chmod 700 "$tmp/run"
cp "$ROOT/daemon/aixd" "$tmp/home/.local/bin/aixd"
cp "$ROOT/deploy/systemd/aixd.socket" "$ROOT/deploy/systemd/aixd.service" "$tmp/units/"
if ! HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" \
    systemd-analyze verify --user "$tmp/units/aixd.socket" "$tmp/units/aixd.service" \
    >"$tmp/out" 2>&1; then
  cat "$tmp/out"; echo "FAIL: systemd-analyze verify"; exit 1
fi
# Any output is a warning (unknown key, bad value) we want to hear about.
if [ -s "$tmp/out" ]; then cat "$tmp/out"; echo "FAIL: warnings"; exit 1; fi
# The check is real: a unit whose program is missing must fail.
rm "$tmp/home/.local/bin/aixd"
if HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" \
    systemd-analyze verify --user "$tmp/units/aixd.service" >/dev/null 2>&1; then
  echo "FAIL: verify accepted a missing ExecStart"; exit 1
fi
echo PASS
