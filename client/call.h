// Call: one unary request to aixd, the way every command makes it.
//
//   v1::Setting s;
//   AIX_RETURN_IF_ERROR(Call(&v1::ConfigService::Stub::GetSetting, req, &s));
//
// It connects (starting aixd when allowed), makes the stub, sets the
// deadline and converts the outcome to an absl::Status in user terms
// (connect.h: Connect, PrepareCall, CallStatus), so no command repeats it.
#ifndef AIX_CLIENT_CALL_H_
#define AIX_CLIENT_CALL_H_

#include <memory>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "client/connect.h"
#include "common/status_macros.h"

namespace aix {

template <typename Stub, typename Request, typename Response>
absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const Request& request, Response* response,
                  AutoStart autostart = AutoStart::kYes, absl::Duration deadline = kCallDeadline) {
  // One connection serves every call of a command.
  std::shared_ptr<grpc::Channel> channel = CurrentChannel();
  if (channel == nullptr) {
    AIX_ASSIGN_OR_RETURN(channel, Connect(autostart));
  }
  Stub stub(channel);
  grpc::ClientContext context;
  PrepareCall(&context, deadline);
  return CallStatus((stub.*method)(&context, request, response));
}

}  // namespace aix

#endif  // AIX_CLIENT_CALL_H_
