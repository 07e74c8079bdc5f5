// The web page's files, compiled into aixd (//tools/embed): every asset the
// page uses is served by aixd itself, so the page works offline and cannot
// be changed behind aixd's back.
#ifndef AIX_DAEMON_WEB_ASSETS_H_
#define AIX_DAEMON_WEB_ASSETS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace aix::web {

struct EmbeddedFile {
  const char* path;        // the URL path: /ui/assets/app.js
  absl::string_view data;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

// Asset is a file to serve, with its Content-Type.
struct Asset {
  absl::string_view data;
  const char* type = nullptr;
};

// FindAsset is the file served at `path` (the page itself at /ui and /ui/),
// or null.
const Asset* FindAsset(absl::string_view path);

}  // namespace aix::web

#endif  // AIX_DAEMON_WEB_ASSETS_H_
