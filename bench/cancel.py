#!/usr/bin/env python3
"""Ctrl-C to upstream cancellation: time from SIGINT to `aix run` until the
provider sees its stream abandoned. The fake streams a chunk every 5 ms and
notices a closed connection on its next write, so the figure includes up to
5 ms of detection delay. Usage (from bench/cancel.sh): cancel.py AIX FAKE RUNS"""

import json
import signal
import statistics
import subprocess
import sys
import time
import urllib.request


def control(base, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data)) as r:
        return json.loads(r.read())


def main():
    aix, base, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    times = []
    for _ in range(runs):
        before = control(base, "/_control/stats")["abandoned"]
        control(base, "/_control/script", {"responses": [
            {"chunks": ["tick "] * 2000, "delay_ms": 5}]})
        p = subprocess.Popen([aix, "run", "greet", "-p", "who=x"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        p.stdout.read(1)
        t0 = time.perf_counter()
        p.send_signal(signal.SIGINT)
        while control(base, "/_control/stats")["abandoned"] == before:
            if time.perf_counter() - t0 > 5:
                raise SystemExit("upstream never saw the cancellation")
            time.sleep(0.001)
        times.append((time.perf_counter() - t0) * 1000)
        p.wait()
        if p.returncode != 130:
            raise SystemExit("aix run exited %d, expected 130" % p.returncode)
    print("Ctrl-C to upstream cancel, %d runs: median %.1f ms, max %.1f ms (target <= 100 ms)"
          % (runs, statistics.median(times), max(times)))


if __name__ == "__main__":
    main()
