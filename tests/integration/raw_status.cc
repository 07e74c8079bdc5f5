// raw_status SOCKET [CLIENT_VERSION]: calls DaemonService.GetStatus over
// plain gRPC, with none of aix's checks of the socket and its owner, and
// prints "code=N message" (N is the gRPC status code) and the daemon's
// "aixd-version=V" from the reply's metadata. Lets a test play another user
// who connects anyway, or a client of another release.
#include <iostream>

#include <grpcpp/grpcpp.h>

#include "aix/v1/daemon.grpc.pb.h"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::cerr << "usage: raw_status SOCKET [CLIENT_VERSION]\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(std::string("unix:") + argv[1],
                                     grpc::InsecureChannelCredentials());
  auto stub = aix::v1::DaemonService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  aix::v1::DaemonStatus status;
  if (argc == 3) ctx.AddMetadata("aix-client-version", argv[2]);
  grpc::Status s = stub->GetStatus(&ctx, aix::v1::GetStatusRequest(), &status);
  std::cout << "code=" << s.error_code() << " " << s.error_message() << "\n";
  auto md = ctx.GetServerInitialMetadata();
  auto it = md.find("aixd-version");
  if (it != md.end()) std::cout << "aixd-version=" << std::string(it->second.data(), it->second.size()) << "\n";
  return 0;
}
