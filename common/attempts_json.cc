#include "common/attempts_json.h"

#include "common/json_depth.h"
#include "common/json_text.h"

namespace aix {
namespace {

using Json = nlohmann::json;

std::string StringOr(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t IntOr(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

}  // namespace

Json AttemptsToJson(const Attempts& attempts) {
  Json out = Json::array();
  for (const v1::Attempt& a : attempts) {
    out.push_back({{"provider", a.provider()},
                   {"model", a.model()},
                   {"http_status", a.http_status()},
                   {"error", a.error()},
                   {"waited_ms", a.waited_ms()}});
  }
  return out;
}

std::string AttemptsText(const Attempts& attempts) {
  return JsonText(AttemptsToJson(attempts));
}

Attempts AttemptsFromText(absl::string_view text) {
  Attempts out;
  if (!NestingWithin(text)) return out;
  Json tried = Json::parse(text.begin(), text.end(), nullptr, false);
  if (!tried.is_array()) return out;
  for (const Json& t : tried) {
    if (!t.is_object()) continue;
    v1::Attempt* a = out.Add();
    a->set_provider(StringOr(t, "provider"));
    a->set_model(StringOr(t, "model"));
    a->set_http_status(static_cast<int32_t>(IntOr(t, "http_status")));
    a->set_error(StringOr(t, "error"));
    a->set_waited_ms(IntOr(t, "waited_ms"));
  }
  return out;
}

}  // namespace aix
