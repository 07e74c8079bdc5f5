#include "daemon/endpoint/models_exchange.h"

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "daemon/endpoint/openai_shapes.h"
#include "daemon/endpoint/respond.h"

namespace aix::endpoint {
namespace {

// Both lists are answered from memory; a daemon too busy to answer in this
// long is reported, not waited for.
constexpr std::chrono::seconds kListDeadline{5};

}  // namespace

MHD_Result ModelsExchange::Continue(const char* /*upload*/, size_t* upload_size) {
  if (*upload_size > 0 || responded_) {
    *upload_size = 0;  // a GET's body, if a client sends one, is ignored
    return MHD_YES;
  }
  responded_ = true;
  std::vector<std::string> ids, owners;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kListDeadline);
    calls_->Mark(&ctx);
    v1::ListProvidersResponse list;
    grpc::Status s = calls_->providers()->ListProviders(&ctx, v1::ListProvidersRequest(), &list);
    if (!s.ok()) {
      absl::Status st = FromGrpcStatus(s);
      return RespondError(conn(), HttpStatusFor(st.code()), st.message());
    }
    for (const v1::ProviderInfo& p : list.providers()) {
      if (p.default_model().empty()) continue;
      ids.push_back(absl::StrCat(p.name(), "/", p.default_model()));
      owners.push_back(p.name());
    }
  }
  {
    // Prompts are a convenience: without them the providers still answer.
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kListDeadline);
    calls_->Mark(&ctx);
    v1::ListPromptsRequest req;
    req.set_all(true);
    v1::ListPromptsResponse list;
    if (calls_->prompts()->ListPrompts(&ctx, req, &list).ok()) {
      for (const v1::Prompt& p : list.prompts()) {
        ids.push_back(absl::StrCat("prompt:", p.name()));
        owners.push_back("aixd");
      }
    }
  }
  return Respond(conn(), 200, ModelsJson(ids, owners));
}

}  // namespace aix::endpoint
