#!/usr/bin/env python3
"""Checks what a generic gRPC tool sees on aixd's socket: the standard
health service answers SERVING, and reflection lists the aix.v1 services and
serves their descriptors. Usage: discover.py SOCKET"""

import sys

import grpc
from google.protobuf import descriptor_pb2

import health_pb2
import health_pb2_grpc
import reflection_pb2
import reflection_pb2_grpc


def main(socket):
    with grpc.insecure_channel("unix:" + socket) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        reply = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        print("health:", health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

        refl = reflection_pb2_grpc.ServerReflectionStub(channel)
        requests = [
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(
                file_containing_symbol="aix.v1.ConfigService"),
        ]
        for response in refl.ServerReflectionInfo(iter(requests), timeout=5):
            kind = response.WhichOneof("message_response")
            if kind == "list_services_response":
                for s in response.list_services_response.service:
                    print("service:", s.name)
            elif kind == "file_descriptor_response":
                for raw in response.file_descriptor_response.file_descriptor_proto:
                    f = descriptor_pb2.FileDescriptorProto.FromString(raw)
                    for svc in f.service:
                        for m in svc.method:
                            print("method: %s.%s/%s" % (f.package, svc.name, m.name))
            else:
                print("reflection error:", response)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
