#include "daemon/web/assets.h"

#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace aix::web {
namespace {

TEST(AssetsTest, ThePageAndEveryFileItNamesAreServedWithTheirTypes) {
  const Asset* page = FindAsset("/ui/");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(FindAsset("/ui"), page);
  EXPECT_TRUE(absl::StartsWith(page->type, "text/html"));
  // Every script and style the page loads is one of aixd's own files.
  for (const char* name : {"app.js", "markdown.js", "charts.js", "app.css"}) {
    const std::string path = absl::StrCat("/ui/assets/", name);
    EXPECT_TRUE(absl::StrContains(page->data, path)) << path;
    const Asset* a = FindAsset(path);
    ASSERT_NE(a, nullptr) << path;
    EXPECT_GT(a->data.size(), 100u);
  }
  EXPECT_TRUE(absl::StartsWith(FindAsset("/ui/assets/app.js")->type, "text/javascript"));
  EXPECT_EQ(FindAsset("/ui/assets/nothing.js"), nullptr);
  EXPECT_EQ(FindAsset("/ui/assets/../BUILD.bazel"), nullptr);
}

TEST(AssetsTest, NoPageHasInlineScriptOrAnythingFromElsewhere) {
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    const EmbeddedFile& f = kEmbeddedFiles[i];
    if (!absl::EndsWith(f.path, ".html")) continue;
    const absl::string_view html = f.data;
    // A strict Content-Security-Policy would block an inline script; this
    // says so before a browser does.
    size_t at = 0;
    while ((at = html.find("<script", at)) != absl::string_view::npos) {
      const absl::string_view tag = html.substr(at, html.find('>', at) - at);
      EXPECT_TRUE(absl::StrContains(tag, "src=\"/ui/assets/")) << f.path << ": " << tag;
      ++at;
    }
    EXPECT_FALSE(std::regex_search(std::string(html), std::regex("\\son[a-z]+\\s*=")))
        << f.path << " has an inline event handler";
    EXPECT_FALSE(absl::StrContains(html, "http://")) << f.path;
    EXPECT_FALSE(absl::StrContains(html, "https://")) << f.path;
  }
}

}  // namespace
}  // namespace aix::web
