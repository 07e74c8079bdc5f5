// Validation of custom providers, and the models listing.
#include <curl/curl.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "daemon/providers/provider.h"

namespace aix::providers {
namespace {

bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// ParseUrl checks `url` with libcurl's URL parser and returns its scheme.
absl::StatusOr<std::string> UrlScheme(const std::string& url) {
  CURLU* u = curl_url();
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  std::string scheme;
  if (rc == CURLUE_OK) {
    char* part = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) scheme = part;
    curl_free(part);
    if (curl_url_get(u, CURLUPART_HOST, &part, 0) != CURLUE_OK) rc = CURLUE_NO_HOST;
    curl_free(part);
  }
  curl_url_cleanup(u);
  if (rc != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", url, "' is not a valid URL (", curl_url_strerror(rc),
        "); e.g. http://127.0.0.1:11434/v1"));
  }
  return scheme;
}

}  // namespace

std::string AuthTypeName(Auth auth) {
  return auth == Auth::kBearer ? "bearer" : auth == Auth::kApiKeyHeader ? "api-key" : "none";
}

absl::StatusOr<Json> ValidateCustomProvider(const CustomProvider& p) {
  bool name_ok = !p.name.empty() && p.name.size() <= 64;
  for (char c : p.name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      name_ok = false;
    }
  }
  if (!name_ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid provider name '", p.name,
        "': use letters, digits, '.', '_' and '-', at most 64 characters"));
  }
  if (p.name == "openrouter" || p.name == "openai" || p.name == "anthropic") {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", p.name, "' is a built-in provider; choose another name for a custom one"));
  }
  auto scheme = UrlScheme(p.base_url);
  if (!scheme.ok()) return scheme.status();
  if (*scheme != "http" && *scheme != "https") {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", p.base_url, "' uses ", *scheme, "://; a provider URL must be http:// or https://"));
  }
  std::string auth = p.auth_type.empty() ? "bearer" : p.auth_type;
  if (auth != "bearer" && auth != "api-key" && auth != "none") {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown auth type '", auth, "'; use bearer, api-key or none"));
  }
  Json headers = Json::object();
  for (const auto& [k, v] : p.headers) {
    if (!IsToken(k)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "header name '", k, "' is not valid: use letters, digits and -, as in X-Team:blue"));
    }
    if (v.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("the value of header ", k,
                                                     " contains a line break"));
    }
    headers[k] = v;
  }
  Json def = {{"base_url", p.base_url}, {"auth_type", auth}, {"headers", headers}};
  if (!p.model.empty()) def["model"] = p.model;
  return def;
}

http::HttpRequest BuildModelsRequest(const Endpoint& e, const std::string& key) {
  http::HttpRequest r;
  r.method = "GET";
  r.url = e.base_url + "/models";
  r.headers = e.headers;
  if (!key.empty()) {
    if (e.auth == Auth::kBearer) {
      r.headers.push_back("Authorization: Bearer " + key);
    } else if (e.auth == Auth::kApiKeyHeader) {
      r.headers.push_back((e.wire == Wire::kAnthropic ? "x-api-key: " : "api-key: ") + key);
    }
  }
  r.timeout = absl::Seconds(30);
  return r;
}

absl::StatusOr<std::vector<std::string>> ParseModels(absl::string_view body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("data") || !j["data"].is_array()) {
    return absl::AbortedError("the provider's model list is not in the expected form");
  }
  std::vector<std::string> out;
  for (const Json& m : j["data"]) {
    if (m.is_object() && m.contains("id") && m["id"].is_string()) out.push_back(m["id"]);
  }
  return out;
}

}  // namespace aix::providers
