// ModelsExchange answers GET /v1/models: each provider's default model as
// PROVIDER/MODEL (custom providers too), and each saved prompt as
// prompt:NAME, which /v1/chat/completions takes as its model; and GET
// /v1/models/{id}: one model, when a chat would route it.
#ifndef AIX_DAEMON_ENDPOINT_MODELS_EXCHANGE_H_
#define AIX_DAEMON_ENDPOINT_MODELS_EXCHANGE_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "daemon/endpoint/exchange.h"
#include "daemon/endpoint/self_calls.h"

namespace aix::endpoint {

class ModelsExchange final : public Exchange {
 public:
  // `id` is the model asked for; empty for the list.
  ModelsExchange(const ExchangeStart& start, const SelfCalls* calls, std::string id = "")
      : Exchange(start), calls_(calls), id_(std::move(id)) {}

  MHD_Result Continue(const char* upload, size_t* upload_size) override;

 private:
  MHD_Result One(const std::vector<std::string>& ids, const std::vector<std::string>& owners,
                 const std::set<std::string>& names, const std::string& default_provider);

  const SelfCalls* const calls_;
  const std::string id_;
  bool responded_ = false;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_MODELS_EXCHANGE_H_
