#!/usr/bin/env python3
"""Time to first token: `aix run` through a warm aixd versus `curl -N` to the
same loopback fake provider, measured in the same run, alternating, as the
time from spawning the command to the first byte of the answer on stdout.
The fake sends the first chunk at once and the rest 200 ms later, so the
first byte is the first token, not the end of the reply.

Also: connections the fake accepted for 100 sequential `aix run` calls.
Usage (from bench/ttft.sh): ttft.py AIX FAKE_HTTP FAKE_HTTPS CA RUNS"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
import ssl


def control(base, path, body=None, ca=None):
    ctx = ssl.create_default_context(cafile=ca) if base.startswith("https") else None
    req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, context=ctx) as r:
        return json.loads(r.read())


def first_byte_ms(cmd, env):
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    first = p.stdout.read(1)
    t = (time.perf_counter() - start) * 1000
    p.stdout.read()
    p.wait()
    if not first or p.returncode != 0:
        raise SystemExit("command failed: %s (exit %s)" % (" ".join(cmd), p.returncode))
    return t


def measure(label, base, ca, aix, runs, env):
    body = json.dumps({"model": "m", "stream": True,
                       "messages": [{"role": "user", "content": "x"}]})
    curl = ["curl", "-sN", "-X", "POST", base + "/api/v1/chat/completions",
            "-H", "content-type: application/json", "-H", "authorization: Bearer test-key",
            "-d", body]
    if ca:
        curl += ["--cacert", ca]
    run = [aix, "run", "greet", "-p", "who=x"]
    c, a = [], []
    for i in range(runs + 5):
        control(base, "/_control/script", {"responses": [
            {"chunks": ["first", " rest"], "delay_ms": 200, "first_delay_ms": 0}] * 2}, ca)
        tc = first_byte_ms(curl, env)
        ta = first_byte_ms(run, env)
        if i >= 5:  # warm-up
            c.append(tc)
            a.append(ta)
    mc, ma = statistics.median(c), statistics.median(a)
    print("%s, %d runs each, median time to first byte:" % (label, runs))
    print("  curl -N (cold process, new connection%s)  %7.2f ms"
          % (", TLS handshake" if ca else "", mc))
    print("  aix run (warm aixd, pooled connection)     %7.2f ms" % ma)
    print("  aix run - curl                             %+7.2f ms" % (ma - mc))
    return ma - mc


def main():
    aix, http_base, https_base, ca, runs = sys.argv[1:6]
    runs = int(runs)
    env = dict(os.environ)
    measure("HTTP  loopback", http_base, None, aix, runs, env)
    subprocess.run([aix, "config", "--set", "openrouter_base_url", https_base + "/api/v1"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([aix, "config", "--set", "ca_bundle", ca], check=True, stdout=subprocess.DEVNULL)
    measure("HTTPS loopback", https_base, ca, aix, runs, env)

    subprocess.run([aix, "config", "--set", "openrouter_base_url", http_base + "/api/v1"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([aix, "daemon", "stop"], check=True, stdout=subprocess.DEVNULL)
    control(http_base, "/_control/reset", {})
    for i in range(100):
        subprocess.run([aix, "run", "greet", "-p", "who=%d" % i], check=True,
                       stdout=subprocess.DEVNULL)
    stats = control(http_base, "/_control/stats")
    print("connections opened for 100 sequential aix run calls (fresh daemon): %d"
          % (stats["connections"] - 1))  # minus this stats call


if __name__ == "__main__":
    main()
