#!/usr/bin/env python3
"""Counts test cases in the JUnit XML files Bazel leaves under each
directory given (GoogleTest writes one <testcase> per TEST; a shell test is
one case). Prints a line per directory, its slowest test targets (to keep
the suite's time in view), and ends with the line CI reads:
"N passed, N failed" (", N skipped" when some were skipped).
Exits 1 if anything failed or no test ran."""

import os
import re
import sys
import xml.etree.ElementTree as ET


def count(root):
    passed = failed = skipped = 0
    failures = []
    times = []
    for dirpath, dirs, files in os.walk(root):
        if "test.xml" not in files:
            continue
        # A target's own test.xml is this invocation's; run_K_of_N beside it
        # are left from an earlier --runs_per_test and were not run now.
        dirs[:] = [d for d in dirs if not re.fullmatch(r"run_\d+_of_\d+", d)]
        path = os.path.join(dirpath, "test.xml")
        try:
            tree = ET.parse(path)
        except ET.ParseError as e:
            failed += 1
            failures.append("%s (unreadable: %s)" % (path, e))
            continue
        top = tree.getroot()
        try:
            seconds = float(top.get("time", "0") or 0)
        except ValueError:
            seconds = 0.0
        if not seconds:
            seconds = sum(float(t.get("time", "0") or 0) for t in top.iter("testsuite"))
        times.append((seconds, os.path.relpath(dirpath, root)))
        for case in tree.iter("testcase"):
            name = "%s.%s" % (case.get("classname", ""), case.get("name", ""))
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
                failures.append(name)
            elif case.find("skipped") is not None or case.get("result") == "skipped":
                skipped += 1
            else:
                passed += 1
        # Bazel marks a target that crashed or timed out on the suite.
        for suite in tree.iter("testsuite"):
            if suite.find("testcase") is None and int(suite.get("failures", "0") or 0):
                failed += 1
                failures.append(suite.get("name", path))
    return passed, failed, skipped, failures, times


def main(dirs):
    total = [0, 0, 0]
    for d in dirs:
        p, f, s, failures, times = count(d)
        total = [total[0] + p, total[1] + f, total[2] + s]
        print("%s: %d passed, %d failed, %d skipped" % (os.path.basename(d), p, f, s))
        for name in failures:
            print("  FAILED: %s" % name)
        times.sort(reverse=True)
        print("  test time %.0f s; slowest: %s" % (
            sum(t for t, _ in times),
            ", ".join("%s %.0f s" % (n, t) for t, n in times[:6])))
    line = "%d passed, %d failed" % (total[0], total[1])
    if total[2]:
        line += ", %d skipped" % total[2]
    print(line)
    return 1 if total[1] or total[0] == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
