#include "common/paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace aix {

bool IsApiKeyVariable(absl::string_view name) { return absl::EndsWith(name, "_API_KEY"); }

EnvLookup ProcessEnv() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

absl::Status CheckSocketPath(const std::string& path) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "socket path '", path,
        "' is not absolute; set AIX_SOCKET to an absolute path"));
  }
  if (path.size() > kMaxSocketPathLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "socket path is ", path.size(), " bytes, over the Unix limit of ",
        kMaxSocketPathLength, ": ", path,
        "\nChoose a shorter one, e.g.: export AIX_SOCKET=/tmp/aix-",
        getuid(), "/aixd.sock"));
  }
  return absl::OkStatus();
}

// SessionRuntimeDir is /run/user/$UID when it is the user's private
// directory (pam_systemd makes it 0700 and the user's), else empty.
std::string SessionRuntimeDir(const std::string& root) {
  const std::string dir = absl::StrCat(root, "/", getuid());
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
      (st.st_mode & 077) != 0) {
    return "";
  }
  return dir;
}

absl::StatusOr<std::string> SocketPath(const EnvLookup& env, const std::string& runtime_root) {
  std::string path;
  if (auto explicit_path = env("AIX_SOCKET")) {
    path = *explicit_path;
  } else if (auto runtime = env("XDG_RUNTIME_DIR")) {
    path = absl::StrCat(*runtime, "/aix/aixd.sock");
  } else if (std::string session = SessionRuntimeDir(runtime_root); !session.empty()) {
    path = absl::StrCat(session, "/aix/aixd.sock");
  } else {
    path = absl::StrCat("/tmp/aix-", getuid(), "/aixd.sock");
  }
  absl::Status s = CheckSocketPath(path);
  if (!s.ok()) return s;
  return path;
}

absl::StatusOr<std::string> StorageDir(const EnvLookup& env) {
  if (auto p = env("AIX_STORAGE_PATH")) return *p;
  if (auto home = env("HOME")) return absl::StrCat(*home, "/.prompts");
  return absl::FailedPreconditionError(
      "neither AIX_STORAGE_PATH nor HOME is set; set one, e.g.: "
      "export AIX_STORAGE_PATH=$PWD/.prompts");
}

absl::StatusOr<std::string> StateDir(const EnvLookup& env) {
  if (auto p = env("XDG_STATE_HOME")) return absl::StrCat(*p, "/aix");
  if (auto home = env("HOME")) return absl::StrCat(*home, "/.local/state/aix");
  return absl::FailedPreconditionError(
      "neither XDG_STATE_HOME nor HOME is set; set HOME");
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace aix
