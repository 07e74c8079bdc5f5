#include "daemon/endpoint/aix_run_api.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/proto_json.h"
#include "daemon/endpoint/openai_shapes.h"

namespace aix::endpoint {
namespace {

std::string Event(const nlohmann::json& j) { return absl::StrCat("data: ", JsonText(j), "\n\n"); }

std::string DoneJson(const v1::RunDone& done) {
  return ProtoJson(done, JsonFields::kAll, JsonLayout::kCompact);
}

class AixAnswer final : public AnswerWriter {
 public:
  std::string Text(absl::string_view text) override { return Event({{"text", std::string(text)}}); }
  std::string ToolCall(const v1::ToolCallDelta& /*piece*/) override { return ""; }
  std::string End(const v1::RunDone& done) override {
    return absl::StrCat("data: {\"done\":", DoneJson(done), "}\n\n");
  }
  std::string StreamError(int http_status, absl::string_view message) override {
    return Event({{"error", {{"status", http_status}, {"message", std::string(message)}}}});
  }
  std::string Notice(absl::string_view message) override {
    return Event({{"notice", std::string(message)}});
  }
  std::string Whole(absl::string_view text, const std::vector<v1::ToolCallDelta>& /*calls*/,
                    const v1::RunDone& done) override {
    return absl::StrCat("{\"text\":", JsonText(std::string(text)), ",\"done\":", DoneJson(done), "}");
  }
};

class Api final : public ClientApi {
 public:
  absl::StatusOr<ChatCall> Parse(absl::string_view body, std::string* param) const override {
    ChatCall call;
    if (absl::Status s = ParseProtoJson(body, &call.run); !s.ok()) return s;
    if (call.run.mode() != v1::RunRequest::EXECUTE) {
      *param = "mode";
      return absl::InvalidArgumentError("the page runs prompts; mode must be EXECUTE");
    }
    call.run.set_commands_as_text(true);
    call.stream = true;
    call.model = call.run.model();
    return call;
  }

  std::string ErrorBody(int http_status, absl::string_view message,
                        absl::string_view param) const override {
    return ErrorJson(http_status, message, param);
  }

  std::unique_ptr<AnswerWriter> NewAnswer(const ChatCall& /*call*/) const override {
    return std::make_unique<AixAnswer>();
  }
};

}  // namespace

const ClientApi& AixRunApi() {
  static const Api api;
  return api;
}

}  // namespace aix::endpoint
