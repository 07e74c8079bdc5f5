#include "daemon/providers/chat_fields.h"

#include <cmath>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/providers/json_fields.h"

namespace aix::providers {

absl::Status InvalidField(std::string* param, absl::string_view field, absl::string_view why) {
  *param = std::string(field);
  return absl::InvalidArgumentError(std::string(why));
}

namespace {

bool IsText(const Json* j) { return j != nullptr && j->is_string(); }

// Number checks a numeric option's range.
absl::Status Number(const Json& options, const char* field, double lo, double hi, bool integer,
                    std::string* param) {
  const Json* v = Member(options, field);
  if (v == nullptr) return absl::OkStatus();
  const bool ok = integer ? v->is_number_integer() : v->is_number();
  if (!ok || !std::isfinite(v->get<double>()) || v->get<double>() < lo || v->get<double>() > hi) {
    return InvalidField(param, field,
                   absl::StrCat(field, " must be ", integer ? "an integer" : "a number", " from ",
                                lo, " to ", hi));
  }
  return absl::OkStatus();
}

// SchemaSize checks that a JSON Schema is an object within kMaxSchemaBytes.
absl::Status Schema(const Json* schema, absl::string_view field, std::string* param) {
  if (schema == nullptr) return absl::OkStatus();
  if (!schema->is_object()) return InvalidField(param, field, absl::StrCat(field, " must be a JSON Schema object"));
  const size_t size = JsonText(*schema).size();
  if (size > kMaxSchemaBytes) {
    return InvalidField(param, field,
                   absl::StrCat(field, " is ", size >> 10, " KiB; a schema may be at most ",
                                kMaxSchemaBytes >> 10, " KiB"));
  }
  return absl::OkStatus();
}

absl::Status Tools(const Json& tools, std::set<std::string>* names, std::string* param) {
  if (!tools.is_array()) return InvalidField(param, "tools", "tools must be an array of function tools");
  if (tools.size() > kMaxTools) {
    return InvalidField(param, "tools",
                   absl::StrCat("tools has ", tools.size(), " entries; send at most ", kMaxTools));
  }
  for (size_t i = 0; i < tools.size(); ++i) {
    const std::string field = absl::StrCat("tools[", i, "]");
    const Json& t = tools[i];
    const Json* type = Member(t, "type");
    if (!IsText(type) || *type != "function") {
      return InvalidField(param, field + ".type",
                     absl::StrCat(field, ".type must be \"function\" (the one tool type aixd passes on)"));
    }
    const Json* f = Member(t, "function");
    const Json* name = f == nullptr ? nullptr : Member(*f, "name");
    if (!IsText(name) || name->get_ref<const std::string&>().empty() ||
        name->get_ref<const std::string&>().size() > 128) {
      return InvalidField(param, field + ".function.name",
                     absl::StrCat(field, ".function.name must be a name of 1 to 128 characters"));
    }
    if (!names->insert(name->get<std::string>()).second) {
      return InvalidField(param, field + ".function.name",
                     absl::StrCat(field, " repeats the tool name '",
                                  PrintableExcerpt(name->get<std::string>(), 64), "'"));
    }
    if (const Json* d = Member(*f, "description"); d != nullptr && !d->is_string()) {
      return InvalidField(param, field + ".function.description",
                     absl::StrCat(field, ".function.description must be text"));
    }
    AIX_RETURN_IF_ERROR(Schema(Member(*f, "parameters"), field + ".function.parameters", param));
  }
  return absl::OkStatus();
}

absl::Status ToolChoice(const Json& choice, const std::set<std::string>& names, std::string* param) {
  if (choice.is_string()) {
    if (choice == "auto" || choice == "none" || choice == "required") return absl::OkStatus();
    return InvalidField(param, "tool_choice",
                   "tool_choice must be \"auto\", \"none\", \"required\" or "
                   "{\"type\": \"function\", \"function\": {\"name\": ...}}");
  }
  const Json* f = Member(choice, "function");
  const Json* name = f == nullptr ? nullptr : Member(*f, "name");
  if (!IsText(Member(choice, "type")) || Member(choice, "type")->get<std::string>() != "function" ||
      !IsText(name)) {
    return InvalidField(param, "tool_choice",
                   "tool_choice must be \"auto\", \"none\", \"required\" or "
                   "{\"type\": \"function\", \"function\": {\"name\": ...}}");
  }
  if (names.count(name->get<std::string>()) == 0) {
    return InvalidField(param, "tool_choice",
                   absl::StrCat("tool_choice names '", PrintableExcerpt(name->get<std::string>(), 64),
                                "', which is not in tools"));
  }
  return absl::OkStatus();
}

absl::Status ResponseFormat(const Json& rf, std::string* param) {
  const Json* type = Member(rf, "type");
  if (!IsText(type)) {
    return InvalidField(param, "response_format",
                   "response_format must be {\"type\": \"text\"}, {\"type\": \"json_object\"} or "
                   "{\"type\": \"json_schema\", \"json_schema\": {\"name\", \"schema\"}}");
  }
  if (*type == "text" || *type == "json_object") return absl::OkStatus();
  if (*type != "json_schema") {
    return InvalidField(param, "response_format.type",
                   absl::StrCat("response_format.type '", PrintableExcerpt(type->get<std::string>(), 40),
                                "' is not text, json_object or json_schema"));
  }
  const Json* js = Member(rf, "json_schema");
  if (js == nullptr || !js->is_object() || !IsText(Member(*js, "name"))) {
    return InvalidField(param, "response_format.json_schema",
                   "response_format.json_schema must be an object with a name and a schema");
  }
  return Schema(Member(*js, "schema"), "response_format.json_schema.schema", param);
}

absl::Status Stop(const Json& stop, std::string* param) {
  if (stop.is_string()) return absl::OkStatus();
  if (stop.is_array() && stop.size() <= 4) {
    bool all_text = true;
    for (const Json& s : stop) all_text = all_text && s.is_string();
    if (all_text) return absl::OkStatus();
  }
  return InvalidField(param, "stop", "stop must be a string or an array of up to 4 strings");
}

}  // namespace

bool OwnField(absl::string_view name) {
  return name == "model" || name == "messages" || name == "stream" || name == "stream_options" ||
         name == "max_tokens" || name == "temperature";
}

absl::Status CheckOptions(const Json& options, std::string* param) {
  param->clear();
  if (!options.is_object()) return InvalidField(param, "", "the request's options must be a JSON object");
  for (auto it = options.begin(); it != options.end(); ++it) {
    if (OwnField(it.key())) {
      return InvalidField(param, it.key(),
                     absl::StrCat(it.key(), " is set by aixd from the run's own settings, not as an option"));
    }
  }
  if (const Json* n = Member(options, "n"); n != nullptr && *n != 1) {
    return InvalidField(param, "n",
                   "n must be 1: aixd streams, records and continues one answer per request; send "
                   "the request n times instead");
  }
  for (const char* f : {"logprobs", "top_logprobs"}) {
    const Json* v = Member(options, f);
    if (v != nullptr && *v != false && *v != 0) {
      return InvalidField(param, f,
                     absl::StrCat(f, " is not passed on by aixd: its answers carry text, tool calls "
                                     "and usage only; leave ", f, " out"));
    }
  }
  AIX_RETURN_IF_ERROR(Number(options, "top_p", 0, 1, false, param));
  AIX_RETURN_IF_ERROR(Number(options, "presence_penalty", -2, 2, false, param));
  AIX_RETURN_IF_ERROR(Number(options, "frequency_penalty", -2, 2, false, param));
  AIX_RETURN_IF_ERROR(Number(options, "top_k", 0, 1e9, true, param));
  AIX_RETURN_IF_ERROR(Number(options, "seed", -9.2e18, 9.2e18, true, param));
  AIX_RETURN_IF_ERROR(Number(options, "max_completion_tokens", 1, 1e12, true, param));
  if (const Json* s = Member(options, "stop")) AIX_RETURN_IF_ERROR(Stop(*s, param));
  if (const Json* u = Member(options, "user"); u != nullptr && !u->is_string()) {
    return InvalidField(param, "user", "user must be a string");
  }
  if (const Json* b = Member(options, "logit_bias"); b != nullptr && !b->is_object()) {
    return InvalidField(param, "logit_bias", "logit_bias must be an object of token ids to numbers");
  }
  if (const Json* p = Member(options, "parallel_tool_calls"); p != nullptr && !p->is_boolean()) {
    return InvalidField(param, "parallel_tool_calls", "parallel_tool_calls must be true or false");
  }
  std::set<std::string> names;
  if (const Json* t = Member(options, "tools")) AIX_RETURN_IF_ERROR(Tools(*t, &names, param));
  if (const Json* c = Member(options, "tool_choice")) {
    AIX_RETURN_IF_ERROR(ToolChoice(*c, names, param));
  }
  if (const Json* rf = Member(options, "response_format")) {
    AIX_RETURN_IF_ERROR(ResponseFormat(*rf, param));
  }
  return absl::OkStatus();
}

std::optional<DataUrl> ParseDataUrl(absl::string_view url) {
  if (!absl::ConsumePrefix(&url, "data:")) return std::nullopt;
  const size_t comma = url.find(',');
  if (comma == absl::string_view::npos) return std::nullopt;
  absl::string_view head = url.substr(0, comma);
  if (!absl::ConsumeSuffix(&head, ";base64")) return std::nullopt;
  if (head != "image/png" && head != "image/jpeg" && head != "image/gif" && head != "image/webp") {
    return std::nullopt;
  }
  return DataUrl{std::string(head), url.substr(comma + 1)};
}

namespace {

absl::Status ImagePart(const Json& part, const std::string& field, std::string* param) {
  const Json* image = Member(part, "image_url");
  const Json* url = image == nullptr ? nullptr : Member(*image, "url");
  if (!IsText(url)) {
    return InvalidField(param, field, absl::StrCat(field, " is an image_url part without image_url.url"));
  }
  const std::string& u = url->get_ref<const std::string&>();
  if (absl::StartsWith(u, "data:")) {
    std::optional<DataUrl> d = ParseDataUrl(u);
    if (!d) {
      return InvalidField(param, field,
                     absl::StrCat(field, " has a data: URL that is not a base64 PNG, JPEG, GIF or "
                                         "WebP image (data:image/png;base64,...)"));
    }
    const size_t bytes = d->data.size() / 4 * 3;
    if (bytes > kMaxImageBytes) {
      return InvalidField(param, field,
                     absl::StrCat(field, " is an image of about ", bytes >> 20, " MiB; at most ",
                                  kMaxImageBytes >> 20, " MiB each"));
    }
    return absl::OkStatus();
  }
  if (!absl::StartsWith(u, "https://") || u.size() > kMaxUrlBytes) {
    return InvalidField(param, field,
                   absl::StrCat(field, " must be an https:// URL (up to ", kMaxUrlBytes >> 10,
                                " KiB) or a data: URL"));
  }
  return absl::OkStatus();
}

absl::Status Content(const Json* content, const std::string& field, bool images, size_t* image_count,
                     std::string* param) {
  if (content == nullptr || content->is_string()) return absl::OkStatus();
  if (!content->is_array()) {
    return InvalidField(param, field, absl::StrCat(field, " must be a string or an array of content parts"));
  }
  for (size_t i = 0; i < content->size(); ++i) {
    const std::string part_field = absl::StrCat(field, "[", i, "]");
    const Json& part = (*content)[i];
    const Json* type = Member(part, "type");
    if (!IsText(type)) return InvalidField(param, part_field, absl::StrCat(part_field, " has no type"));
    if (*type == "text") {
      if (!IsText(Member(part, "text"))) {
        return InvalidField(param, part_field, absl::StrCat(part_field, " is a text part without text"));
      }
    } else if (*type == "image_url" && images) {
      if (++*image_count > kMaxImages) {
        return InvalidField(param, part_field,
                       absl::StrCat("the request has more than ", kMaxImages, " images"));
      }
      AIX_RETURN_IF_ERROR(ImagePart(part, part_field, param));
    } else if (!images) {
      return InvalidField(param, part_field,
                     absl::StrCat(part_field, " is a '", PrintableExcerpt(type->get<std::string>(), 40),
                                  "' part; this message takes text parts only"));
    }
    // Other part types (input_audio, file, ...) go to OpenAI-compatible
    // providers as sent; Anthropic's translation refuses them by name.
  }
  return absl::OkStatus();
}

absl::Status ToolCalls(const Json& calls, const std::string& field, std::set<std::string>* open,
                       std::string* param) {
  if (!calls.is_array()) return InvalidField(param, field, absl::StrCat(field, " must be an array"));
  if (calls.size() > kMaxTools) {
    return InvalidField(param, field, absl::StrCat(field, " has more than ", kMaxTools, " calls"));
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    const std::string f = absl::StrCat(field, "[", i, "]");
    const Json& c = calls[i];
    const Json* id = Member(c, "id");
    const Json* fn = Member(c, "function");
    const Json* name = fn == nullptr ? nullptr : Member(*fn, "name");
    const Json* args = fn == nullptr ? nullptr : Member(*fn, "arguments");
    if (!IsText(id) || id->get_ref<const std::string&>().empty()) {
      return InvalidField(param, f + ".id", absl::StrCat(f, " has no id"));
    }
    if (!IsText(name)) return InvalidField(param, f + ".function.name", absl::StrCat(f, " has no function.name"));
    if (!IsText(args)) {
      return InvalidField(param, f + ".function.arguments",
                     absl::StrCat(f, ".function.arguments must be a string of JSON"));
    }
    const std::string& a = args->get_ref<const std::string&>();
    std::optional<Json> parsed = ParseUntrusted(a);
    if (!parsed || !parsed->is_object()) {
      return InvalidField(param, f + ".function.arguments",
                     absl::StrCat(f, ".function.arguments is not a JSON object: '",
                                  PrintableExcerpt(a, 60), "'"));
    }
    open->insert(id->get<std::string>());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckMessages(const Json& messages, std::string* param) {
  param->clear();
  if (!messages.is_array() || messages.empty()) {
    return InvalidField(param, "messages", "messages must be a non-empty array of {role, content}");
  }
  size_t images = 0;
  std::set<std::string> open;  // tool calls of the last assistant message not yet answered
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& m = messages[i];
    const std::string field = absl::StrCat("messages[", i, "]");
    if (!m.is_object()) return InvalidField(param, field, absl::StrCat(field, " must be an object"));
    const Json* role = Member(m, "role");
    if (!IsText(role)) return InvalidField(param, field + ".role", absl::StrCat(field, ".role must be a string"));
    const std::string r = role->get<std::string>();
    const Json* content = Member(m, "content");
    const std::string cf = field + ".content";
    if (r == "tool") {
      const Json* id = Member(m, "tool_call_id");
      if (!IsText(id)) {
        return InvalidField(param, field + ".tool_call_id",
                       absl::StrCat(field, " is a tool message without a tool_call_id"));
      }
      if (open.erase(id->get<std::string>()) == 0) {
        return InvalidField(param, field + ".tool_call_id",
                       absl::StrCat(field, " answers tool call '",
                                    PrintableExcerpt(id->get<std::string>(), 64),
                                    "', which the assistant message before it did not make (or "
                                    "another tool message already answered)"));
      }
      AIX_RETURN_IF_ERROR(Content(content, cf, false, &images, param));
      continue;
    }
    open.clear();
    if (r == "assistant") {
      if (const Json* calls = Member(m, "tool_calls")) {
        AIX_RETURN_IF_ERROR(ToolCalls(*calls, field + ".tool_calls", &open, param));
      }
      AIX_RETURN_IF_ERROR(Content(content, cf, false, &images, param));
    } else if (r == "user") {
      AIX_RETURN_IF_ERROR(Content(content, cf, true, &images, param));
    } else if (r == "system" || r == "developer") {
      AIX_RETURN_IF_ERROR(Content(content, cf, false, &images, param));
    } else {
      return InvalidField(param, field + ".role",
                     absl::StrCat(field, " has role '", PrintableExcerpt(r, 40),
                                  "'; use system, developer, user, assistant or tool"));
    }
  }
  return absl::OkStatus();
}

bool PlainMessage(const Json& m) {
  if (!m.is_object()) return false;
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (it.key() == "role") continue;
    if (it.key() == "content" && it->is_string()) continue;
    if (it.key() == "tool_calls" && (it->is_null() || (it->is_array() && it->empty()))) continue;
    return false;
  }
  const Json* role = Member(m, "role");
  return IsText(role) && *role != "tool";
}

std::string MessageText(const Json& m) {
  const Json* content = Member(m, "content");
  if (content == nullptr) return "";
  if (content->is_string()) return content->get<std::string>();
  std::string text;
  if (!content->is_array()) return text;
  for (const Json& part : *content) {
    const Json* t = Member(part, "text");
    if (IsText(Member(part, "type")) && *Member(part, "type") == "text" && IsText(t)) {
      text += t->get_ref<const std::string&>();
    }
  }
  return text;
}

}  // namespace aix::providers
