// raw_status SOCKET: calls DaemonService.GetStatus over plain gRPC, with
// none of aix's checks of the socket and its owner, and prints
// "code=N message" (N is the gRPC status code). Lets a test play another
// user who connects anyway, to show that aixd itself refuses the call.
#include <iostream>

#include <grpcpp/grpcpp.h>

#include "aix/v1/daemon.grpc.pb.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: raw_status SOCKET\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(std::string("unix:") + argv[1],
                                     grpc::InsecureChannelCredentials());
  auto stub = aix::v1::DaemonService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  aix::v1::DaemonStatus status;
  grpc::Status s = stub->GetStatus(&ctx, aix::v1::GetStatusRequest(), &status);
  std::cout << "code=" << s.error_code() << " " << s.error_message() << "\n";
  return 0;
}
