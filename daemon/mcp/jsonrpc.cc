#include "daemon/mcp/jsonrpc.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_depth.h"
#include "common/json_text.h"

namespace aix::mcp {
namespace {

ParseResult Fail(int code, std::string message, Json id = nullptr) {
  ParseResult r;
  r.error.code = code;
  r.error.message = std::move(message);
  r.id = std::move(id);
  return r;
}

bool UsableId(const Json& id) {
  return id.is_string() || id.is_number_integer() || id.is_number_unsigned() ||
         id.is_number_float();
}

}  // namespace

ParseResult Parse(absl::string_view text) {
  if (text.size() > kMaxMessageBytes) {
    return Fail(kInvalidRequest, absl::StrCat("the message is ", text.size(), " bytes, over aix's limit of ",
                                              kMaxMessageBytes >> 20,
                                              " MiB; send large inputs as a file the prompt reads"));
  }
  if (!NestingWithin(text)) {
    return Fail(kParseError, absl::StrCat("the message nests JSON more than ", kMaxJsonDepth, " levels deep"));
  }
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Fail(kParseError, "the message is not valid JSON (one JSON-RPC message per line)");
  if (doc.is_array()) {
    return Fail(kInvalidRequest, "batches are not supported (MCP removed them in 2025-06-18); send one message at a time");
  }
  if (!doc.is_object()) return Fail(kInvalidRequest, "a JSON-RPC message must be an object");
  Json id = nullptr;
  auto id_it = doc.find("id");
  const bool has_id = id_it != doc.end();
  if (has_id) {
    if (!UsableId(*id_it)) {
      return Fail(kInvalidRequest, "the id must be a string or a number");
    }
    id = *id_it;
  }
  auto version = doc.find("jsonrpc");
  if (version == doc.end() || !version->is_string() || version->get<std::string>() != "2.0") {
    return Fail(kInvalidRequest, "\"jsonrpc\": \"2.0\" is required", id);
  }
  ParseResult r;
  r.id = id;
  auto method = doc.find("method");
  if (method == doc.end()) {
    if (!has_id || (doc.find("result") == doc.end() && doc.find("error") == doc.end())) {
      return Fail(kInvalidRequest, "a message needs a method (a request or notification) or a result or error (a response)", id);
    }
    r.ok = true;
    r.message.kind = Message::kResponse;
    r.message.id = id;
    return r;
  }
  if (!method->is_string() || method->get<std::string>().empty()) {
    return Fail(kInvalidRequest, "the method must be a non-empty string", id);
  }
  auto params = doc.find("params");
  if (params != doc.end() && !params->is_object() && !params->is_null()) {
    // MCP's params are always objects; by-position arrays name nothing.
    return Fail(kInvalidParams, "params must be an object", id);
  }
  r.ok = true;
  r.message.kind = has_id ? Message::kRequest : Message::kNotification;
  r.message.id = id;
  r.message.method = method->get<std::string>();
  if (params != doc.end()) r.message.params = std::move(*params);
  return r;
}

std::string Result(const Json& id, Json result) {
  return JsonText(Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

std::string Error(const Json& id, const RpcError& error) {
  Json e{{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) e["data"] = error.data;
  return JsonText(Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(e)}});
}

std::string Notification(absl::string_view method, Json params) {
  Json n{{"jsonrpc", "2.0"}, {"method", std::string(method)}};
  if (!params.is_null()) n["params"] = std::move(params);
  return JsonText(n);
}

std::string IdKey(const Json& id) {
  if (id.is_string()) return absl::StrCat("s:", id.get<std::string>());
  return absl::StrCat("n:", JsonText(id));
}

}  // namespace aix::mcp
