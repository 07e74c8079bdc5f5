#include "daemon/web/assets.h"

#include <map>
#include <string>

#include "absl/strings/match.h"

namespace aix::web {
namespace {

const char* TypeOf(absl::string_view path) {
  if (absl::EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(path, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(path, ".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

const std::map<std::string, Asset, std::less<>>& Table() {
  static const auto* table = [] {
    auto* t = new std::map<std::string, Asset, std::less<>>();
    for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
      const EmbeddedFile& f = kEmbeddedFiles[i];
      (*t)[f.path] = Asset{f.data, TypeOf(f.path)};
    }
    return t;
  }();
  return *table;
}

}  // namespace

const Asset* FindAsset(absl::string_view path) {
  if (path == "/ui" || path == "/ui/") path = "/ui/assets/index.html";
  const auto& t = Table();
  auto it = t.find(path);
  return it == t.end() ? nullptr : &it->second;
}

}  // namespace aix::web
