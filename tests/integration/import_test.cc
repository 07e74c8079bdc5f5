// The Python aix's library and collection files: migration of a whole
// Python ~/.prompts (built here from its documented format), import of
// bundles and .xml files, export, import-repo from a file:// repository,
// and trust for commands that arrived by import.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

// A collection as the Python aix wrote it (collection.py): CDATA content,
// tags, variables, a system prompt stored as a JSON message.
constexpr char kDevXml[] = R"(<?xml version="1.0" encoding="utf-8"?>
<collection>
  <metadata>
    <name>dev</name>
    <description>Developer prompts</description>
    <system_prompt>{"role": "system", "content": "You review code carefully."}</system_prompt>
    <tags>
      <tag>code</tag>
    </tags>
    <author>ada</author>
    <created_at>2025-03-01T09:00:00.000000</created_at>
    <updated_at>2025-03-02T09:00:00.000000</updated_at>
  </metadata>
  <templates>
    <template>
      <metadata>
        <name>review</name>
        <description>Review a change</description>
        <created_at>2025-03-01T09:00:00.000000</created_at>
        <updated_at>2025-03-01T09:00:00.000000</updated_at>
        <tags>
          <tag>code</tag>
        </tags>
        <variables>
          <variable>code</variable>
          <variable>user name</variable>
        </variables>
      </metadata>
      <content><![CDATA[Review this for {user name}:
{code}
Answer as JSON: {"verdict": "..."}]]></content>
    </template>
    <template>
      <metadata>
        <name>where</name>
        <description>Uses a command</description>
      </metadata>
      <content><![CDATA[Host: $(echo build-host) and {exec:echo {thing}}]]></content>
    </template>
  </templates>
</collection>
)";

class ImportTest : public ::testing::Test {
 protected:
  ImportTest() : fake_(box_.dir) {}
  void WritePythonLibrary() {
    mkdir(box_.storage.c_str(), 0700);
    mkdir((box_.storage + "/collections").c_str(), 0700);
    std::ofstream(box_.storage + "/collections/dev.xml") << kDevXml;
    Json config = {
        {"storage_path", box_.storage},
        {"editor", "nano"},
        {"default_provider", "openrouter"},
        {"max_tokens", "2048"},
        {"temperature", "0.5"},
        {"auto_upgrade", false},
        {"commands_enabled", "true"},
        {"disabled_commands", Json::array()},
        {"custom_providers",
         {{"openrouter",
           {{"base_url", ""}, {"default_model", nullptr}, {"headers", Json::object()},
            {"auth_type", "bearer"}, {"api_key", "test-key-py-or-1111"}}},
          {"gw",
           {{"base_url", fake_.base() + "/v1"}, {"default_model", "gw-model"},
            {"headers", {{"X-Team", "blue"}}}, {"auth_type", "bearer"},
            {"api_key", "test-key-py-gw-2222"}}},
          {"xk",
           {{"base_url", fake_.base() + "/v1"}, {"default_model", nullptr},
            {"headers", Json::object()}, {"auth_type", "x-api-key"},
            {"api_key", "test-key-py-xk-3333"}}}}},
    };
    original_config_ = config.dump(2);
    std::ofstream(box_.ConfigPath()) << original_config_;
    chmod(box_.ConfigPath().c_str(), 0600);
  }
  std::string SentPrompt() {
    return fake_.Requests().back()["body"]["messages"].back()["content"].get<std::string>();
  }
  Sandbox box_;
  FakeProvider fake_;
  std::string original_config_;
};

TEST_F(ImportTest, PythonLibraryIsDetectedMigratedAndRunsTheSame) {
  WritePythonLibrary();
  Result before = box_.Aix({"config", "--list"});
  EXPECT_EQ(before.exit_code, 6);
  EXPECT_THAT(before.err, HasSubstr("written by the Python aix"));
  EXPECT_THAT(before.err, HasSubstr("aix migrate"));
  // Listing needs no config: it says, once, that the library is here.
  Result list = box_.Aix({"list"});
  EXPECT_THAT(list.err, HasSubstr("found the Python aix's collections"));
  EXPECT_THAT(box_.Aix({"list"}).err, Not(HasSubstr("found the Python aix's collections")));

  Result dry = box_.Aix({"migrate", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("Would migrate: config.json, 1 collection(s) (dev), 2 prompt(s)"));
  EXPECT_THAT(dry.out, HasSubstr("max_tokens: \"2048\" (text) is now 2048"));
  EXPECT_THAT(dry.out, HasSubstr("parameter 'user name' is now user_name"));
  EXPECT_THAT(dry.out, HasSubstr("x-api-key"));
  EXPECT_EQ(Sandbox::ReadFile(box_.ConfigPath()), original_config_) << "a dry run wrote";

  Result m = box_.Aix({"migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(Sandbox::ReadFile(box_.ConfigPath() + ".python"), original_config_);
  EXPECT_EQ(Sandbox::ReadFile(box_.storage + "/collections/dev.xml"), kDevXml)
      << "the Python files are left untouched";
  Json doc = Json::parse(Sandbox::ReadFile(box_.ConfigPath()));
  EXPECT_EQ(doc["max_tokens"], 2048);
  EXPECT_EQ(doc["temperature"], 0.5);
  EXPECT_EQ(doc["commands_enabled"], true);
  EXPECT_EQ(doc["api_keys"]["openrouter"], "test-key-py-or-1111");
  EXPECT_EQ(doc["api_keys"]["custom:gw"], "test-key-py-gw-2222");
  EXPECT_EQ(doc["custom_providers"]["gw"]["model"], "gw-model");
  EXPECT_EQ(doc["custom_providers"]["xk"]["headers"]["x-api-key"], "test-key-py-xk-3333");
  EXPECT_FALSE(doc["custom_providers"].contains("openrouter"));

  // Its prompts run with the same rendered text the Python tool sent.
  ASSERT_EQ(box_.Aix({"config", "openrouter_base_url", fake_.base() + "/api/v1"}).exit_code, 0);
  Result r = box_.Aix({"run", "review", "-p", "code=x = 1", "-p", "user_name=Bo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SentPrompt(), "Review this for Bo:\nx = 1\nAnswer as JSON: {\"verdict\": \"...\"}");
  Json messages = fake_.Requests().back()["body"]["messages"];
  EXPECT_EQ(messages[0]["content"], "You review code carefully.");
  // The user's own prompts: their commands run without asking.
  Result w = box_.Aix({"run", "where", "-p", "thing=ok"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(SentPrompt(), "Host: build-host and ok");
  // Through the custom provider, with its key.
  ASSERT_EQ(box_.Aix({"run", "where", "-p", "thing=x", "--provider", "gw"}).exit_code, 0);
  EXPECT_EQ(fake_.Requests().back()["headers"]["authorization"], "Bearer test-key-py-gw-2222");
  EXPECT_EQ(fake_.Requests().back()["body"]["model"], "gw-model");
  // Migrated once: aix migrate again finds nothing new to do for config.
  Result again = box_.Aix({"migrate", "--dry-run"});
  EXPECT_THAT(again.out, Not(HasSubstr("config.json,")));
}

TEST_F(ImportTest, ImportedCommandsWaitForTrust) {
  std::string file = box_.dir + "/dev.xml";
  std::ofstream(file) << kDevXml;
  ASSERT_EQ(box_.Aix({"config", "openrouter_base_url", fake_.base() + "/api/v1"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-trust-4444").exit_code, 0);
  Result imp = box_.Aix({"collection", "import", file});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_THAT(imp.out, HasSubstr("Imported collection dev (2 prompts) from file dev.xml"));
  Result refused = box_.Aix({"run", "where", "-p", "thing=x"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("aix trust where"));
  EXPECT_THAT(refused.err, HasSubstr("echo build-host"));
  EXPECT_TRUE(fake_.Requests().empty());
  // Prompts without commands are not held back.
  ASSERT_EQ(box_.Aix({"run", "review", "-p", "code=1", "-p", "user_name=A"}).exit_code, 0);
  Result trust = box_.Aix({"trust", "where"});
  ASSERT_EQ(trust.exit_code, 0) << trust.err;
  Result ok = box_.Aix({"run", "where", "-p", "thing=x"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(SentPrompt(), "Host: build-host and x");
  // Changed commands need trust again.
  std::string changed = kDevXml;
  changed.replace(changed.find("echo build-host"), 15, "echo other-host");
  std::ofstream(file, std::ios::trunc) << changed;
  ASSERT_EQ(box_.Aix({"collection", "import", file, "--overwrite"}).exit_code, 0);
  EXPECT_EQ(box_.Aix({"run", "where", "-p", "thing=x"}).exit_code, 2);
}

// An imported prompt that names its own provider chooses where the user's
// input goes: it waits for trust too, unless the run chooses for itself.
TEST_F(ImportTest, AnImportedPromptsOwnProviderWaitsForTrust) {
  ASSERT_EQ(box_.Aix({"config", "openrouter_base_url", fake_.base() + "/api/v1"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"config", "openai_base_url", fake_.base() + "/v1"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-trust-or-5555").exit_code, 0);
  ASSERT_EQ(box_.Aix({"api-key", "openai"}, "test-key-trust-oa-6666").exit_code, 0);
  ASSERT_EQ(box_.Aix({"create", "leak", "Summarize {input}", "--provider", "openai",
                      "--max-tokens", "4000000"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"collection", "create", "theirs", "-p", "leak"}).exit_code, 0);
  std::string out = box_.dir + "/out";
  ASSERT_EQ(box_.Aix({"collection", "export", "theirs", "-o", out}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"collection", "delete", "theirs", "--force"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"delete", "leak", "--force"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"collection", "import", out + "/theirs-bundle.tar.gz"}).exit_code, 0);

  Result refused = box_.Aix({"run", "leak"}, "my secret notes");
  EXPECT_EQ(refused.exit_code, 6) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("chooses where your input goes: openai"));
  EXPECT_THAT(refused.err, HasSubstr("aix trust leak"));
  EXPECT_TRUE(fake_.Requests().empty()) << "nothing may be sent before trust";
  // The run may choose for itself.
  ASSERT_EQ(box_.Aix({"run", "leak", "--provider", "openrouter"}, "mine").exit_code, 0);
  EXPECT_EQ(fake_.Requests().back()["path"], "/api/v1/chat/completions");
  // Trusted: the prompt's provider is used.
  Result trusted = box_.Aix({"trust", "leak"});
  ASSERT_EQ(trusted.exit_code, 0) << trusted.err;
  EXPECT_THAT(trusted.out, HasSubstr("sends its input to openai"));
  Result ok = box_.Aix({"run", "leak"}, "now fine");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(fake_.Requests().back()["path"], "/v1/chat/completions");
}

// A collection of thousands of prompts: aixd killed in the middle of its
// import leaves nothing behind (the next daemon rolls it back); imported
// whole, it is all there and the client waited for it.
TEST_F(ImportTest, ALargeImportIsAllOrNothingEvenWhenAixdIsKilled) {
  const int kPrompts = 8000;
  std::string xml = "<?xml version=\"1.0\"?>\n<collection><metadata><name>big</name></metadata><templates>\n";
  for (int i = 0; i < kPrompts; ++i) {
    xml += "<template><metadata><name>p" + std::to_string(i) +
           "</name></metadata><content><![CDATA[Summarize {input} as item " + std::to_string(i) +
           ".]]></content></template>\n";
  }
  xml += "</templates></collection>\n";
  const std::string file = box_.dir + "/big.xml";
  std::ofstream(file) << xml;
  ASSERT_EQ(box_.Aix({"list"}).exit_code, 0);
  const std::string prompts = box_.storage + "/prompts";
  auto count = [&prompts] {
    Result r = RunProcess({"/bin/sh", "-c", "ls '" + prompts + "' 2>/dev/null | grep -c 'yaml$'"}, {});
    return std::atoi(r.out.c_str());
  };
  pid_t import = Spawn({AixPath(), "collection", "import", file}, box_.env, "", box_.dir + "/import.err");
  for (int i = 0; i < 600 && count() < 200; ++i) usleep(10000);
  const std::vector<pid_t> daemons = box_.Daemons();
  ASSERT_EQ(daemons.size(), 1u);
  const int written = count();
  ASSERT_GT(written, 0) << "the import never started writing";
  kill(daemons[0], SIGKILL);
  box_.WaitExit(import, 30);
  ASSERT_TRUE(box_.WaitSocketGone());
  // The next daemon undoes it before anyone looks.
  Result list = box_.Aix({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(count(), 0) << written << " files were written before the kill";
  EXPECT_THAT(box_.Aix({"collection", "list"}).out, Not(HasSubstr("big")));
  EXPECT_THAT(Sandbox::ReadFile(box_.AutoStartLog()), HasSubstr("rolled back an import"));
  // Whole, this time.
  Result whole = RunProcess({AixPath(), "collection", "import", file}, box_.env, "", 600);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_THAT(whole.out, HasSubstr("Imported collection big (8000 prompts)"));
  EXPECT_EQ(count(), kPrompts);
}

// A bundle whose manifest has a field of the wrong type is refused by name
// (it answered "Unexpected error in RPC handling").
TEST_F(ImportTest, AManifestOfTheWrongTypeIsNamed) {
  const std::string dir = box_.dir + "/bad";
  mkdir(dir.c_str(), 0700);
  std::ofstream(dir + "/manifest.json") << R"({"format": 7})";
  ASSERT_EQ(RunProcess({"/bin/sh", "-c", "cd '" + dir + "' && tar czf ../bad-bundle.tar.gz manifest.json"},
                       box_.env).exit_code, 0);
  Result r = box_.Aix({"collection", "import", box_.dir + "/bad-bundle.tar.gz"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("manifest.json's format is number, not text"));
  EXPECT_THAT(r.err, Not(HasSubstr("Unexpected error")));
}

TEST_F(ImportTest, ExportImportRoundTripAndRefusalsChangeNothing) {
  ASSERT_EQ(box_.Aix({"create", "greet", "Hello {who}", "-d", "Greeting"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"collection", "create", "mine", "-p", "greet", "-s", "Be kind."}).exit_code,
            0);
  std::string out = box_.dir + "/out";
  Result e = box_.Aix({"collection", "export", "mine", "-o", out});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  std::string bundle = out + "/mine-bundle.tar.gz";
  EXPECT_THAT(e.out, HasSubstr(bundle));
  // Into a second, empty library.
  Sandbox other;
  Result imp = other.Aix({"collection", "import", bundle});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  Json c = Json::parse(other.Aix({"collection", "info", "mine", "--json"}).out);
  EXPECT_EQ(c["system_prompt"], "Be kind.");
  EXPECT_EQ(Json::parse(other.Aix({"show", "greet", "--json"}).out)["template"], "Hello {who}");
  // Again without --overwrite: refused, nothing changed.
  ASSERT_EQ(other.Aix({"create", "greet2", "x"}).exit_code, 0);
  Result twice = other.Aix({"collection", "import", bundle});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("--overwrite"));
  // Not a bundle, and too large: named refusals.
  std::ofstream(box_.dir + "/junk.tar.gz") << "\x1f\x8bjunk";
  Result junk = box_.Aix({"collection", "import", box_.dir + "/junk.tar.gz"});
  EXPECT_EQ(junk.exit_code, 2);
  EXPECT_THAT(junk.err, HasSubstr("junk.tar.gz"));
  {
    std::ofstream big(box_.dir + "/big.xml");
    big << std::string(17 << 20, 'x');
  }
  Result huge = box_.Aix({"collection", "import", box_.dir + "/big.xml"});
  EXPECT_EQ(huge.exit_code, 2);
  EXPECT_THAT(huge.err, HasSubstr("at most 16 MiB"));
}

TEST_F(ImportTest, ImportRepoFromAFileUrl) {
  std::string repo = box_.dir + "/repo";
  mkdir(repo.c_str(), 0700);
  mkdir((repo + "/collections").c_str(), 0700);
  std::ofstream(repo + "/collections/dev.xml") << kDevXml;
  symlink("/etc/passwd", (repo + "/collections/evil.xml").c_str());
  std::string git = "cd '" + repo + "' && git init -q && git add -A && git -c user.name=t "
                    "-c user.email=t@example.invalid commit -qm init";
  ASSERT_EQ(RunProcess({"/bin/sh", "-c", git}, box_.env).exit_code, 0);
  Result r = box_.Aix({"collection", "import-repo", "file://" + repo});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Imported collection dev (2 prompts)"));
  EXPECT_THAT(r.err, HasSubstr("skipped collections/evil.xml: not a regular file"));
  Json p = Json::parse(box_.Aix({"show", "where", "--json"}).out);
  EXPECT_THAT(p["origin"].get<std::string>(), HasSubstr("repo file://"));
  Result none = box_.Aix({"collection", "import-repo", "file://" + repo, "-c", "nope"});
  EXPECT_EQ(none.exit_code, 4);
  Result bad = box_.Aix({"collection", "import-repo", "file://" + box_.dir + "/missing"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_THAT(bad.err, HasSubstr("could not clone"));
}

TEST_F(ImportTest, ImportRepoRefusesACollectionsDirectoryThatIsALink) {
  // collections/ points out of the clone, at a directory with a valid file.
  std::string outside = box_.dir + "/outside";
  mkdir(outside.c_str(), 0700);
  std::ofstream(outside + "/dev.xml") << kDevXml;
  std::string repo = box_.dir + "/linkrepo";
  mkdir(repo.c_str(), 0700);
  ASSERT_EQ(symlink(outside.c_str(), (repo + "/collections").c_str()), 0);
  std::ofstream(repo + "/README") << "hi";
  std::string git = "cd '" + repo + "' && git init -q && git add -A && git -c user.name=t "
                    "-c user.email=t@example.invalid commit -qm init";
  ASSERT_EQ(RunProcess({"/bin/sh", "-c", git}, box_.env).exit_code, 0);
  Result r = box_.Aix({"collection", "import-repo", "file://" + repo});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("collections/ in file://" + repo + " is a symbolic link"));
  EXPECT_THAT(box_.Aix({"collection", "list"}).out, Not(HasSubstr("dev")));
  EXPECT_NE(box_.Aix({"show", "where"}).exit_code, 0);
}

}  // namespace
}  // namespace aix::testing
