#include "daemon/endpoint/routes.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace aix::endpoint {

void Routes::Add(std::string method, std::string path, MakeExchange make) {
  routes_.push_back(Route{std::move(method), std::move(path), std::move(make)});
}

void Routes::AddUnder(std::string method, std::string prefix, MakeExchange make) {
  routes_.push_back(Route{std::move(method), std::move(prefix), std::move(make), true});
}

absl::StatusOr<const MakeExchange*> Routes::Find(absl::string_view method,
                                                 absl::string_view path) const {
  const Route* same_path = nullptr;
  for (const Route& r : routes_) {
    const bool matches = r.under ? path.size() > r.path.size() && absl::StartsWith(path, r.path)
                                 : r.path == path;
    if (!matches) continue;
    if (r.method == method) return &r.make;
    same_path = &r;
  }
  if (same_path != nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("use ", same_path->method, " for ", same_path->path));
  }
  std::vector<std::string> served;
  served.reserve(routes_.size());
  for (const Route& r : routes_) {
    served.push_back(absl::StrCat(r.method, " ", r.path, r.under ? "{id}" : ""));
  }
  // The path is the peer's: only its start is echoed.
  return absl::NotFoundError(absl::StrCat("no such endpoint: ", method.substr(0, 16), " ",
                                          path.substr(0, 200), "; aixd serves ",
                                          absl::StrJoin(served, " and ")));
}

}  // namespace aix::endpoint
