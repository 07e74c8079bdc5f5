#!/usr/bin/env python3
"""Time to first token: `aix run` through a warm aixd versus `curl -N` to the
same loopback fake provider, measured in the same run, alternating, as the
time from spawning the command to the first byte of the answer on stdout.
The fake sends the first chunk at once and the rest 200 ms later, so the
first byte is the first token, not the end of the reply. Then the whole
answer: five events written one by one with no pause, until the command
exits.

Each is measured against a fake that sets TCP_NODELAY and one that leaves
Nagle on, as many real servers do: there every small write after the first
waits for the client's ACK, which Linux delays on a reused connection.

Also: connections the fake accepted for 100 sequential `aix run` calls.
Usage (from bench/ttft.sh):
  ttft.py AIX RUNS CA LABEL=URL...   (an https URL uses CA)"""

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
    """Milliseconds to the first byte on stdout, and to the command's exit."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    first = p.stdout.read(1)
    t = (time.perf_counter() - start) * 1000
    p.stdout.read()
    p.wait()
    whole = (time.perf_counter() - start) * 1000
    if not first or p.returncode != 0:
        raise SystemExit("command failed: %s (exit %s)" % (" ".join(cmd), p.returncode))
    return t, whole


def measure(label, base, ca, aix, runs, env):
    body = json.dumps({"model": "m", "stream": True,
                       "messages": [{"role": "user", "content": "x"}]})
    curl = ["curl", "-sN", "-X", "POST", base + "/api/v1/chat/completions",
            "-H", "content-type: application/json", "-H", "authorization: Bearer test-key",
            "-d", body]
    if ca:
        curl += ["--cacert", ca]
    run = [aix, "run", "greet", "-p", "who=x"]
    subprocess.run([aix, "config", "--set", "openrouter_base_url", base + "/api/v1"],
                   check=True, stdout=subprocess.DEVNULL)
    c, a, cw, aw = [], [], [], []
    for i in range(runs + 5):
        control(base, "/_control/script", {"responses": [
            {"chunks": ["first", " rest"], "delay_ms": 200, "first_delay_ms": 0}] * 2 +
            [{"chunks": ["a", "b", "c", "d", "e"], "delay_ms": 0}] * 2}, ca)
        tc, _ = first_byte_ms(curl, env)
        ta, _ = first_byte_ms(run, env)
        _, wc = first_byte_ms(curl, env)
        _, wa = first_byte_ms(run, env)
        if i >= 5:  # warm-up
            c.append(tc)
            a.append(ta)
            cw.append(wc)
            aw.append(wa)
    m = [statistics.median(x) for x in (c, a, cw, aw)]
    print("%-28s %9.2f %9.2f %+9.2f   %9.2f %9.2f %+9.2f" %
          (label, m[0], m[1], m[1] - m[0], m[2], m[3], m[3] - m[2]))


def main():
    aix, runs, ca = sys.argv[1:4]
    fakes = [arg.split("=", 1) for arg in sys.argv[4:]]
    runs = int(runs)
    env = dict(os.environ)
    subprocess.run([aix, "config", "--set", "ca_bundle", ca], check=True, stdout=subprocess.DEVNULL)
    print("medians of %d runs each, ms; curl -N is a new process on a new connection"
          " (TLS handshake included), aix run goes through a warm aixd's pooled connection" % runs)
    print("%-28s %9s %9s %9s   %9s %9s %9s" % ("fake provider", "curl 1st", "aix 1st", "aix-curl",
                                              "curl all", "aix all", "aix-curl"))
    for label, base in fakes:
        measure(label, base, ca if base.startswith("https") else None, aix, runs, env)

    http_base = fakes[0][1]
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
