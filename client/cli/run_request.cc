#include "client/cli/run_request.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/cli/structured_output.h"
#include "common/files.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "common/text.h"

namespace aix {
namespace {

absl::Status ParseParams(const std::vector<std::string>& in, v1::RunRequest* req) {
  for (const std::string& p : in) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--param '", p, "' is not key=value (or key=@file); e.g. --param topic=rust"));
    }
    std::string key = p.substr(0, eq), value = p.substr(eq + 1);
    if (!value.empty() && value[0] == '@') {
      auto text = ReadFile(value.substr(1));
      if (!text.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot read the file for --param ", key, ": ", text.status().message()));
      }
      value = *std::move(text);
    }
    if (FirstInvalidUtf8(p) != absl::string_view::npos ||
        FirstInvalidUtf8(value) != absl::string_view::npos) {
      return absl::InvalidArgumentError(NotUtf8Message(absl::StrCat("--param ", key), value));
    }
    (*req->mutable_params())[key] = value;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::RunRequest> RunRequestFor(const RunArgs& a) {
  v1::RunRequest req;
  req.set_prompt(a.prompt);
  AIX_RETURN_IF_ERROR(ParseParams(a.params, &req));
  req.mutable_params()->insert(a.literal_params.begin(), a.literal_params.end());
  req.set_no_history(a.no_history);
  req.set_provider(a.provider);
  req.set_model(a.model);
  if (!a.system.empty()) req.set_system(a.system);
  if (a.max_tokens > 0) req.set_max_tokens(a.max_tokens);
  if (a.temperature >= 0) req.set_temperature(a.temperature);
  if (a.max_retries >= 0) req.set_max_retries(a.max_retries);
  for (const std::string& f : a.fallback) {
    for (absl::string_view item : absl::StrSplit(f, ',', absl::SkipWhitespace())) {
      req.add_fallback(std::string(absl::StripAsciiWhitespace(item)));
    }
  }
  req.set_no_stream(a.no_stream);
  for (const std::string& path : a.attach) {
    AIX_ASSIGN_OR_RETURN(*req.add_attachments(), ReadAttachment(path));
  }
  if (!a.schema.empty()) {
    AIX_ASSIGN_OR_RETURN(nlohmann::json format, ResponseFormatFor(a.schema));
    req.set_options_json(JsonText(nlohmann::json{{"response_format", std::move(format)}}));
  }
  if (a.continues) {
    if (a.conversation_id > 0) {
      req.set_conversation_id(a.conversation_id);
    } else {
      req.set_continue_newest(true);
    }
    req.set_last_turns(a.last_turns);
  }
  req.set_mode(a.dry_run      ? v1::RunRequest::DRY_RUN
               : a.no_execute ? v1::RunRequest::RENDER_ONLY
                              : v1::RunRequest::EXECUTE);
  return req;
}

}  // namespace aix
