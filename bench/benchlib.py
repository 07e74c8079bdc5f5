"""Helpers the Python benchmarks share: the fake provider's control API and
the client's time to its first byte of answer."""

import json
import subprocess
import time
import urllib.request


def control(base, path, body=None):
    """Calls the fake provider's control API (tests/fakes/fake_provider.py)."""
    req = urllib.request.Request(base + path,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req) as r:
        return r.read()


def timed(cmd):
    """Runs cmd; returns (ms to its first byte of stdout, ms to its end)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = p.stdout.read(1)
    t1 = (time.perf_counter() - start) * 1000
    p.stdout.read()
    p.wait()
    if not first or p.returncode != 0:
        raise SystemExit("failed: %s" % " ".join(cmd))
    return t1, (time.perf_counter() - start) * 1000
