#!/usr/bin/env python3
"""Conversation figure (from bench/conversation.sh).

Builds a conversation of TURNS-1 turns through aixd (a run, then replies),
then alternates, RUNS times each:
  - a first run:  aix run greet -p who=N --no-history
  - a follow-up:  aix run greet -p who=N --continue ID --no-history (the
    TURNS-th turn: aixd flushes its history writer, loads the earlier turns
    from history.db, and sends them all before the new prompt). Same
    command, same client work: the difference is the conversation.
  - a reply:      aix reply -c ID --no-history TEXT (no GetPrompt call, so
    not paired with the first run; shown for what users type)
--no-history keeps the conversation at its length. Each answer's first chunk comes at
once; the figure is the client's time to its first byte of answer.

Usage: conversation.py AIX FAKE RUNS TURNS"""

import json
import statistics
import subprocess
import sys

from benchlib import control, timed


def main():
    aix, fake, runs, turns = sys.argv[1:5]
    runs, turns = int(runs), int(turns)
    # Answers the size of a real chat turn (~600 bytes), so the follow-up
    # carries ~35 KB of earlier turns.
    answer = "This is a sentence of a typical answer, about so long. " * 11
    out = subprocess.run([aix, "run", "greet", "-p", "who=start", "--json"],
                         stdout=subprocess.PIPE, check=True).stdout
    conversation = str(json.loads(out)["conversation_id"])
    for t in range(2, turns):
        control(fake, "/_control/script", {"responses": [{"chunks": [answer]}]})
        subprocess.run([aix, "reply", "-c", conversation,
                        "question %d: and what about the next part of it?" % t],
                       stdout=subprocess.DEVNULL, check=True)
    shown = subprocess.run([aix, "history", "show", conversation, "--json"],
                           stdout=subprocess.PIPE, check=True).stdout
    have = len(json.loads(shown)["runs"])
    first, follow, reply = [], [], []
    for i in range(runs + 5):
        a = timed([aix, "run", "greet", "-p", "who=%d" % i, "--no-history"])[0]
        b = timed([aix, "run", "greet", "-p", "who=%d" % i, "--continue", conversation,
                   "--no-history"])[0]
        c = timed([aix, "reply", "-c", conversation, "--no-history", "and one more thing?"])[0]
        if i >= 5:
            first.append(a)
            follow.append(b)
            reply.append(c)
    sent = json.loads(control(fake, "/_control/requests"))[-1]["body"]["messages"]
    diffs = sorted(b - a for a, b in zip(first, follow))
    print("conversation %s: %d recorded turns; a follow-up sends %d messages, %d KB"
          % (conversation, have, len(sent), len(json.dumps(sent)) // 1024))
    print("time to first token, %d runs each, alternating (ms):" % runs)
    print("  first run (aix run)           median %6.2f  p90 %6.2f"
          % (statistics.median(first), sorted(first)[int(0.9 * runs)]))
    print("  turn %-3d (aix run --continue) median %6.2f  p90 %6.2f"
          % (turns, statistics.median(follow), sorted(follow)[int(0.9 * runs)]))
    print("  turn %-3d (aix reply -c)       median %6.2f  p90 %6.2f"
          % (turns, statistics.median(reply), sorted(reply)[int(0.9 * runs)]))
    print("  --continue minus first run    median %+6.2f  p10 %+6.2f  p90 %+6.2f"
          % (statistics.median(diffs), diffs[int(0.1 * runs)], diffs[int(0.9 * runs)]))


if __name__ == "__main__":
    main()
