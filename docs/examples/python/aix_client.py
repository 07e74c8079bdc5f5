#!/usr/bin/env python3
"""Calling aixd from Python: print the daemon's status and every setting.

Stubs come from the aix.v1 protos (see docs/API.md):

    protoc -I proto --python_out=gen --grpc_out=gen \
        --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin proto/aix/v1/*.proto
    PYTHONPATH=gen python3 docs/examples/python/aix_client.py

Needs Debian's python3-grpcio, protobuf-compiler and protobuf-compiler-grpc. The socket is found
the way aix finds it: $AIX_SOCKET, else $XDG_RUNTIME_DIR/aix/aixd.sock, else
/tmp/aix-$UID/aixd.sock. aixd must be running (`aix daemon start`).
"""

import os
import sys

import grpc

from aix.v1 import config_pb2, config_pb2_grpc, daemon_pb2, daemon_pb2_grpc


def socket_path():
    if os.environ.get("AIX_SOCKET"):
        return os.environ["AIX_SOCKET"]
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "aix", "aixd.sock")
    return "/tmp/aix-%d/aixd.sock" % os.getuid()


def main():
    with grpc.insecure_channel("unix:" + socket_path()) as channel:
        daemon = daemon_pb2_grpc.DaemonServiceStub(channel)
        config = config_pb2_grpc.ConfigServiceStub(channel)
        try:
            status = daemon.GetStatus(daemon_pb2.GetStatusRequest(), timeout=5)
        except grpc.RpcError as e:
            print("aixd: %s: %s" % (e.code().name, e.details()), file=sys.stderr)
            return 3
        print("aixd %s (pid %d, API %s) on %s"
              % (status.version, status.pid, status.api_version, status.socket_path))
        settings = config.ListSettings(config_pb2.ListSettingsRequest(), timeout=5)
        for s in settings.settings:
            print("%s = %s" % (s.key, s.value if s.is_set else "(not set)"))
        # Errors carry a canonical code and a message that says how to fix it.
        try:
            config.SetSetting(config_pb2.SetSettingRequest(key="max_tokens", value="lots"),
                              timeout=5)
        except grpc.RpcError as e:
            print("refused: %s: %s" % (e.code().name, e.details().splitlines()[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
