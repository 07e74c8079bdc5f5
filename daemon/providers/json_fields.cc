#include "daemon/providers/json_fields.h"

#include <cmath>

#include "common/json_depth.h"

namespace aix::providers {

const Json* Field(const Json* j, absl::string_view key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  auto it = j->find(std::string(key));
  return it == j->end() ? nullptr : &*it;
}

const Json* Member(const Json& j, absl::string_view key) {
  const Json* f = Field(&j, key);
  return f == nullptr || f->is_null() ? nullptr : f;
}

const Json* ObjectField(const Json* j, absl::string_view key) {
  const Json* f = Field(j, key);
  return f != nullptr && f->is_object() ? f : nullptr;
}

const Json* ArrayField(const Json* j, absl::string_view key) {
  const Json* f = Field(j, key);
  return f != nullptr && f->is_array() ? f : nullptr;
}

const Json* FirstElement(const Json* a) {
  if (a == nullptr || !a->is_array() || a->empty()) return nullptr;
  return &(*a)[0];
}

std::optional<std::string> StringField(const Json* j, absl::string_view key) {
  const Json* f = Field(j, key);
  if (f == nullptr || !f->is_string()) return std::nullopt;
  return f->get_ref<const std::string&>();
}

std::optional<int64_t> CountField(const Json* j, absl::string_view key) {
  const Json* f = Field(j, key);
  if (f == nullptr) return std::nullopt;
  if (f->is_number_unsigned()) {
    uint64_t u = f->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (f->is_number_integer()) {
    int64_t i = f->get<int64_t>();
    if (i < 0) return std::nullopt;
    return i;
  }
  if (f->is_number_float()) {
    double d = f->get<double>();
    if (!std::isfinite(d) || d < 0 || d > 9e15 || d != std::floor(d)) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::optional<Json> ParseUntrusted(absl::string_view text) {
  // allow_exceptions=false: malformed input yields a discarded value; deep
  // nesting is refused before parsing (a parser pays per level).
  if (!NestingWithin(text)) return std::nullopt;
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

}  // namespace aix::providers
