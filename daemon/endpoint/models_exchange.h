// ModelsExchange answers GET /v1/models: each provider's default model as
// PROVIDER/MODEL (custom providers too), and each saved prompt as
// prompt:NAME, which /v1/chat/completions takes as its model.
#ifndef AIX_DAEMON_ENDPOINT_MODELS_EXCHANGE_H_
#define AIX_DAEMON_ENDPOINT_MODELS_EXCHANGE_H_

#include "daemon/endpoint/exchange.h"
#include "daemon/endpoint/self_calls.h"

namespace aix::endpoint {

class ModelsExchange final : public Exchange {
 public:
  ModelsExchange(const ExchangeStart& start, const SelfCalls* calls)
      : Exchange(start), calls_(calls) {}

  MHD_Result Continue(const char* upload, size_t* upload_size) override;

 private:
  const SelfCalls* const calls_;
  bool responded_ = false;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_MODELS_EXCHANGE_H_
