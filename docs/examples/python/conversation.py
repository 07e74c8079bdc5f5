#!/usr/bin/env python3
"""A conversation over the aixd API: ask, then follow up by id.

The first Run sends one message; its RunPlan (and RunDone) carry the
conversation's id. The follow-up names that id and sends only what is new:
aixd loads the earlier turns from its run history and sends the provider the
whole conversation. HistoryService.GetConversation returns it, every turn.

    PYTHONPATH=gen python3 docs/examples/python/conversation.py "first" "second"

Stubs and set-up as in aix_client.py (see docs/API.md).
"""

import os
import sys

import grpc

from aix.v1 import history_pb2, history_pb2_grpc, runs_pb2, runs_pb2_grpc


def socket_path():
    if os.environ.get("AIX_SOCKET"):
        return os.environ["AIX_SOCKET"]
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "aix", "aixd.sock")
    return "/tmp/aix-%d/aixd.sock" % os.getuid()


def run(stub, request):
    """Streams one run; returns (answer, conversation id)."""
    text, conversation = [], 0
    for event in stub.Run(request, timeout=120):
        kind = event.WhichOneof("event")
        if kind == "plan":
            conversation = event.plan.conversation_id
        elif kind == "text":
            text.append(event.text)
    return "".join(text), conversation


def main():
    first, *follow_ups = sys.argv[1:] or ["Name a colour.", "And another?"]
    with grpc.insecure_channel("unix:" + socket_path()) as channel:
        runs = runs_pb2_grpc.RunServiceStub(channel)
        history = history_pb2_grpc.HistoryServiceStub(channel)
        answer, conversation = run(runs, runs_pb2.RunRequest(
            messages=[runs_pb2.ChatMessage(role="user", content=first)]))
        print("conversation %d" % conversation)
        print("answer: %s" % answer)
        for text in follow_ups:
            answer, _ = run(runs, runs_pb2.RunRequest(
                conversation_id=conversation,
                messages=[runs_pb2.ChatMessage(role="user", content=text)]))
            print("answer: %s" % answer)
        whole = history.GetConversation(history_pb2.GetRunRequest(id=conversation), timeout=10)
        print("%d turns:" % whole.turns)
        for turn in whole.runs:
            print("  %d. %s -> %s" % (turn.turn, turn.rendered, turn.answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
