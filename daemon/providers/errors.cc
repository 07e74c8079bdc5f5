// What a provider's failure means for the user, with the fix.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/mask.h"
#include "common/text.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/provider.h"

namespace aix::providers {

std::string ProviderMessage(absl::string_view body) {
  std::string message;
  if (std::optional<Json> j = ParseUntrusted(body)) {
    const Json* error = Field(*j, "error");
    if (auto m = StringField(error, "message")) {
      message = *m;
    } else if (error != nullptr && error->is_string()) {
      message = error->get<std::string>();
    } else if (auto m = StringField(&*j, "message")) {
      message = *m;
    }
  }
  if (message.empty()) message = std::string(body);
  // Provider text reaches a terminal: no escape sequences, one line, short.
  std::string out = PrintableExcerpt(message, 300);
  return out.empty() ? "no details" : out;
}

absl::Status MalformedReply(absl::string_view what, absl::string_view data) {
  return absl::AbortedError(
      absl::StrCat("the provider sent ", what, ": ", PrintableExcerpt(data, 120)));
}

absl::Status HttpError(const Endpoint& e, const std::string& model, int status,
                       absl::string_view body, int64_t retry_after_s) {
  std::string what = absl::StrCat(e.provider, " answered HTTP ", status, ": ",
                                  ProviderMessage(body));
  std::string key_fix = e.env_var.empty()
                            ? absl::StrCat("aix api-key ", e.provider)
                            : absl::StrCat("aix api-key ", e.provider, ", or export ", e.env_var);
  if (status == 401 || status == 403) {
    return absl::UnauthenticatedError(absl::StrCat(
        what, "\nThe API key was rejected. Check it and store it again with: ", key_fix));
  }
  if (status == 402) {
    // Not the key's fault and not a rate limit: the account has run out.
    return absl::UnauthenticatedError(absl::StrCat(
        what, "\nThe account behind this ", e.provider,
        " key is out of credits (402 Payment Required). Add credits in the provider's "
        "dashboard, choose a free model (--model ...:free on OpenRouter), or let another "
        "provider take over: --fallback openai|anthropic|openrouter"));
  }
  if (status == 404) {
    return absl::NotFoundError(absl::StrCat(
        what, "\nModel '", model, "' was not found at ", e.provider,
        ". Check the name, or choose another with --model"));
  }
  if (status == 429) {
    std::string when = retry_after_s > 0 ? absl::StrCat("in ", retry_after_s, " s") : "later";
    return absl::ResourceExhaustedError(absl::StrCat(
        what, "\nRate limited: retry ", when,
        ", or let another provider take over: --fallback openai|anthropic|openrouter "
        "(or set fallback_providers)"));
  }
  if (status >= 500 || status == 408 || status == 409) {
    return absl::AbortedError(absl::StrCat(
        what, "\nThe provider is failing; try again shortly, or let another take over: "
              "--fallback openrouter|openai|anthropic"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, "\nThe provider refused the request as sent."));
}

absl::Status TransportError(const Endpoint& e, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kCancelled) return status;
  if (status.code() == absl::StatusCode::kDeadlineExceeded ||
      status.code() == absl::StatusCode::kResourceExhausted) {
    // Our own timeouts and size caps already say what happened and the fix.
    return absl::AbortedError(absl::StrCat(e.provider, " at ", MaskUrl(e.chat_url), ": ",
                                           status.message()));
  }
  return absl::AbortedError(absl::StrCat(
      "cannot reach ", e.provider, " at ", MaskUrl(e.chat_url), ": ", status.message(),
      "\nThe provider may be down, or a proxy/network setting is wrong "
      "(HTTPS_PROXY, NO_PROXY, ca_bundle). Try another: --fallback openrouter|openai|anthropic"));
}

}  // namespace aix::providers
