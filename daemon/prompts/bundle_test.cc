#include "daemon/prompts/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/files.h"

namespace aix::prompts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Entry {
  Entry(std::string p, std::string c, mode_t t = AE_IFREG, std::string l = "")
      : path(std::move(p)), content(std::move(c)), type(t), link(std::move(l)) {}
  std::string path;
  std::string content;
  mode_t type;
  std::string link;
};

// Tar makes a .tar.gz with whatever entries a hostile bundle might hold.
std::string Tar(const std::vector<Entry>& entries) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  archive_write_open2(
      a, &out, nullptr,
      [](struct archive*, void* d, const void* b, size_t n) -> la_ssize_t {
        static_cast<std::string*>(d)->append(static_cast<const char*>(b), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr, nullptr);
  for (const Entry& e : entries) {
    struct archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.path.c_str());
    archive_entry_set_filetype(ae, e.type);
    archive_entry_set_perm(ae, 0644);
    if (!e.link.empty()) archive_entry_set_symlink(ae, e.link.c_str());
    archive_entry_set_size(ae, e.type == AE_IFREG ? static_cast<la_int64_t>(e.content.size()) : 0);
    archive_write_header(a, ae);
    if (e.type == AE_IFREG) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

class BundleTest : public ::testing::Test {
 protected:
  BundleTest()
      : dir_(::testing::TempDir() + "/bundle-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()),
        prompts_(dir_ + "/prompts"),
        collections_(dir_ + "/collections") {}
  std::string dir_;
  PromptStore prompts_;
  CollectionStore collections_;
};

TEST_F(BundleTest, OurBundleRoundTripsAndImportsUntrusted) {
  Prompt p;
  p.name = "status";
  p.template_text = "State: $(git status --short)";
  p.origin = "mine";
  p.trusted_commands = CommandsDigest(p.template_text);
  Collection c;
  c.name = "ops";
  c.system = "Be terse.";
  c.prompts = {"status"};
  auto bundle = WriteBundle(c, {p});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  auto set = ReadImport(*bundle, "ops-bundle.tar.gz");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->collection.system, "Be terse.");
  ASSERT_EQ(set->prompts.size(), 1u);
  EXPECT_FALSE(set->prompts[0].trusted_commands) << "trust must not travel in a bundle";
  ASSERT_TRUE(ApplyImport(*set, "bundle ops-bundle.tar.gz", false, &prompts_, &collections_).ok());
  auto stored = prompts_.Get("status");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->origin, "bundle ops-bundle.tar.gz");
  EXPECT_FALSE(CommandsTrusted(*stored));
  EXPECT_THAT(collections_.Get("ops")->prompts, ElementsAre("status"));
}

TEST_F(BundleTest, HostileBundlesAreRefusedNamingTheEntry) {
  std::string manifest = R"({"format": "aix-collection-bundle", "version": 1})";
  struct Case {
    std::vector<Entry> entries;
    std::string why;
  } cases[] = {
      {{{"manifest.json", manifest}, {"../../.bashrc", "x"}}, "'../../.bashrc' climbs out"},
      {{{"manifest.json", manifest}, {"/etc/passwd", "x"}}, "absolute"},
      {{{"manifest.json", manifest}, {"prompts/a.yaml", "", AE_IFLNK, "/etc/shadow"}},
       "'prompts/a.yaml' is a link"},
      {{{"manifest.json", manifest}, {"fifo", "", AE_IFIFO, ""}}, "not a regular file"},
      {{{"manifest.json", manifest}, {"big", std::string(kMaxBundleEntryBytes + 1, 'a')}},
       "'big' is over 8 MiB"},
      {{{"notes.txt", "hi"}}, "no manifest.json"},
      {{{"manifest.json", manifest}}, "no collection.yaml"},
      {{{"manifest.json", R"({"collection_name": "py"})"}}, "lacks py.xml"},
      {{{"manifest.json", R"({"format": 7})"}}, "manifest.json's format is number, not text"},
  };
  for (const Case& c : cases) {
    auto set = ReadImport(Tar(c.entries), "evil.tar.gz");
    ASSERT_FALSE(set.ok()) << c.why;
    EXPECT_THAT(set.status().message(), HasSubstr(c.why));
  }
  // A compression bomb: 64 MiB of zeros in one entry is capped while read.
  EXPECT_FALSE(ReadImport(Tar({{"manifest.json", manifest},
                               {"zeros", std::string(kMaxBundleEntryBytes * 2, '\0')}}),
                          "bomb.tar.gz")
                   .ok());
  std::string garbage = "\x1f\x8b not really gzip";
  EXPECT_THAT(ReadImport(garbage, "g.tar.gz").status().message(), HasSubstr("g.tar.gz"));
}

TEST_F(BundleTest, PythonBundleAndConflictsChangeNothing) {
  std::string xml =
      "<collection><metadata><name>py</name></metadata><templates><template><metadata><name>a"
      "</name></metadata><content><![CDATA[Hi {who}]]></content></template></templates>"
      "</collection>";
  auto set = ReadImport(Tar({{"manifest.json", R"({"collection_name": "py"})"}, {"py.xml", xml}}),
                        "py-bundle.tar.gz");
  ASSERT_TRUE(set.ok()) << set.status();
  Prompt mine;
  mine.name = "a";
  mine.template_text = "Mine {x}";
  ASSERT_TRUE(prompts_.Create(mine).ok());
  absl::Status s = ApplyImport(*set, "bundle", false, &prompts_, &collections_);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr("prompt a already exists"));
  EXPECT_EQ(prompts_.Get("a")->template_text, "Mine {x}");
  EXPECT_FALSE(collections_.Get("py").ok()) << "a refused import wrote its collection";
  ASSERT_TRUE(ApplyImport(*set, "bundle", true, &prompts_, &collections_).ok());
  EXPECT_EQ(prompts_.Get("a")->template_text, "Hi {who}");
}

}  // namespace
}  // namespace aix::prompts
