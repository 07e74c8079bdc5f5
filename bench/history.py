#!/usr/bin/env python3
"""Run history figures (from bench/history.sh).

1. Time to first token and to the whole answer of `aix run` with the run
   history on and with --no-history, alternating in the same session.
2. `aix history search` over N recorded runs: the runs are written straight
   into history.db (aixd's own schema, created by a first run), with
   prompts and answers drawn from a vocabulary, then searched through aixd.

Usage: history.py AIX FAKE RUNS STORAGE N"""

import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time

from benchlib import control, timed


def main():
    aix, fake, runs, storage, n = sys.argv[1:6]
    runs, n = int(runs), int(n)
    on, off = [], []
    for i in range(runs + 5):
        control(fake, "/_control/script", {"responses": [
            {"chunks": ["first", " rest"], "delay_ms": 50, "first_delay_ms": 0}] * 2})
        a = timed([aix, "run", "greet", "-p", "who=%d" % i])
        b = timed([aix, "run", "greet", "-p", "who=%d" % i, "--no-history"])
        if i >= 5:
            on.append(a)
            off.append(b)
    print("aix run, %d runs each, alternating (medians, ms):" % runs)
    for label, idx in (("time to first token", 0), ("whole answer", 1)):
        m_on = statistics.median(x[idx] for x in on)
        m_off = statistics.median(x[idx] for x in off)
        print("  %-20s history on %7.2f   --no-history %7.2f   difference %+6.2f"
              % (label, m_on, m_off, m_on - m_off))

    subprocess.run([aix, "daemon", "stop"], check=True, stdout=subprocess.DEVNULL)
    words = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
             "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee "
             "zulu rust python kernel socket memory thread latency answer summary").split()
    rng = random.Random(7)
    db = sqlite3.connect(os.path.join(storage, "history.db"))
    t0 = int(time.time() * 1000) - n * 1000
    start = time.perf_counter()
    with db:
        db.executemany(
            "INSERT INTO runs (started_ms, prompt, rendered, provider, model, answer, outcome, "
            "prompt_tokens, completion_tokens, client) VALUES (?,?,?,?,?,?,?,?,?,?)",
            ((t0 + i * 1000, "p%d" % (i % 50),
              " ".join(rng.choice(words) for _ in range(30)), "openrouter", "m",
              " ".join(rng.choice(words) for _ in range(120)) + (" needle%d" % i),
              "ok", 30, 120, "aix") for i in range(n)))
        # Each its own conversation, as aixd records a first run.
        db.execute("UPDATE runs SET conversation = id WHERE conversation = 0")
    db.close()
    print("wrote %d runs into history.db in %.1f s (%.1f MB)"
          % (n, time.perf_counter() - start,
             os.path.getsize(os.path.join(storage, "history.db")) / 1e6))
    subprocess.run([aix, "history", "-n", "1"], check=True, stdout=subprocess.DEVNULL)  # warm
    cases = [("one rare word (1 match)", ["needle%d" % (n // 2)]),
             ("two common words", ["kernel", "latency"]),
             ("common word, top 20 of ~all", ["answer"])]
    for label, query in cases:
        times = []
        for _ in range(21):
            s = time.perf_counter()
            r = subprocess.run([aix, "history", "search"] + query, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - s) * 1000)
            if r.returncode != 0:
                raise SystemExit("search failed")
        print("  aix history search, %-28s median %7.2f ms" % (label + ":", statistics.median(times)))
    times = []
    for _ in range(21):
        s = time.perf_counter()
        subprocess.run([aix, "history", "-n", "20"], stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - s) * 1000)
    print("  aix history (newest 20 conversations):             median %7.2f ms"
          % statistics.median(times))
    times = []
    for _ in range(21):
        s = time.perf_counter()
        subprocess.run([aix, "history", "--runs", "-n", "20"], stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - s) * 1000)
    print("  aix history --runs (newest 20 runs):               median %7.2f ms"
          % statistics.median(times))
    times = []
    for _ in range(21):
        s = time.perf_counter()
        subprocess.run(["/bin/true"], check=True)
        times.append((time.perf_counter() - s) * 1000)
    print("  /bin/true (baseline, same loop):                   median %7.2f ms"
          % statistics.median(times))


if __name__ == "__main__":
    main()
