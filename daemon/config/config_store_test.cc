#include "daemon/config/config_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "common/files.h"

namespace aix::config {
namespace {

class ConfigStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-cfg-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/store";
    store_ = std::make_unique<ConfigStore>(dir_);
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + root_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  void WriteRaw(const std::string& text) {
    // A hand edit: a plain (non-atomic) rewrite, as an editor might do.
    ASSERT_TRUE(EnsurePrivateDir(dir_).ok());
    std::ofstream out(store_->path(), std::ios::trunc);
    out << text;
    out.close();
    ASSERT_TRUE(out.good()) << store_->path();
  }
  std::string Raw() { return *ReadFile(store_->path()); }

  std::string root_, dir_;
  std::unique_ptr<ConfigStore> store_;
};

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST_F(ConfigStoreTest, FirstUseWritesDefaultsWithPrivateModes) {
  auto v = store_->Get("default_provider");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->value, "openrouter");
  EXPECT_TRUE(v->is_default);
  EXPECT_EQ(ModeOf(dir_), 0700);
  EXPECT_EQ(ModeOf(store_->path()), 0600);
  Json on_disk = Json::parse(Raw());
  EXPECT_EQ(on_disk["max_tokens"], 1024);
  EXPECT_EQ(on_disk["storage_path"], dir_);
}

TEST_F(ConfigStoreTest, SetPersistsTypedValue) {
  ASSERT_TRUE(store_->Set("max_tokens", "2048").ok());
  ASSERT_TRUE(store_->Set("temperature", "0.25").ok());
  Json on_disk = Json::parse(Raw());
  EXPECT_EQ(on_disk["max_tokens"], 2048);
  EXPECT_EQ(on_disk["temperature"], 0.25);
  ConfigStore fresh(dir_);
  EXPECT_EQ(fresh.Get("max_tokens")->value, 2048);
}

TEST_F(ConfigStoreTest, BadValueWritesNothing) {
  ASSERT_TRUE(store_->Get("max_tokens").ok());
  std::string before = Raw();
  auto s = store_->Set("max_tokens", "lots");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Raw(), before);
  EXPECT_EQ(store_->Set("no_such_key", "1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Raw(), before);
}

TEST_F(ConfigStoreTest, OptionalSettingIsNotFoundUntilSetAndUnsetRemovesIt) {
  EXPECT_EQ(store_->Get("default_model").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->Set("default_model", "m1").ok());
  EXPECT_EQ(store_->Get("default_model")->value, "m1");
  ASSERT_TRUE(store_->Unset("default_model").ok());
  EXPECT_FALSE(Json::parse(Raw()).contains("default_model"));
}

TEST_F(ConfigStoreTest, UnsetRestoresDefault) {
  ASSERT_TRUE(store_->Set("editor", "vim").ok());
  auto v = store_->Unset("editor");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value, "nano");
  EXPECT_TRUE(v->is_default);
}

TEST_F(ConfigStoreTest, KeysAreStoredClearButShownMasked) {
  auto k = store_->SetKey("openai", "sk-test-fake-key-WXYZ");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->masked, "sk-\xE2\x80\xA6WXYZ");
  EXPECT_EQ(Json::parse(Raw())["api_keys"]["openai"], "sk-test-fake-key-WXYZ");
  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  bool seen = false;
  for (const SettingView& v : *list) {
    EXPECT_EQ(v.value.dump().find("fake-key"), std::string::npos) << v.key;
    if (v.key == "api_keys.openai") seen = v.secret && v.is_set;
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(store_->Get("api_keys.openai")->value, "sk-\xE2\x80\xA6WXYZ");
  EXPECT_EQ(*store_->ApiKey("openai"), "sk-test-fake-key-WXYZ");
}

TEST_F(ConfigStoreTest, SetThroughApiKeysSettingAndCustomNames) {
  // Only a provider that exists takes a key.
  EXPECT_EQ(store_->Set("api_keys.custom:ollama", "test-key-ollama").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(
      store_->AddCustomProvider("ollama", {{"base_url", "http://127.0.0.1:11434/v1"}}).ok());
  ASSERT_TRUE(store_->Set("api_keys.custom:ollama", "test-key-ollama").ok());
  EXPECT_EQ(Json::parse(Raw())["api_keys"]["custom:ollama"], "test-key-ollama");
  EXPECT_EQ(store_->Set("api_keys.bogus", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->DeleteKey("custom:ollama").ok());
  EXPECT_EQ(store_->DeleteKey("custom:ollama").code(), absl::StatusCode::kNotFound);
}

TEST_F(ConfigStoreTest, HandEditIsPickedUpWithoutRestart) {
  ASSERT_TRUE(store_->Get("editor").ok());
  Json doc = Json::parse(Raw());
  doc["editor"] = "emacs";
  WriteRaw(doc.dump(2));
  EXPECT_EQ(store_->Get("editor")->value, "emacs");
}

TEST_F(ConfigStoreTest, MalformedJsonNamesFileLineAndFixAndIsNeverOverwritten) {
  ASSERT_TRUE(store_->Get("editor").ok());
  const std::string broken = "{\n  \"editor\": \"vim\",\n  \"max_tokens\": ,\n}\n";
  WriteRaw(broken);
  auto v = store_->Get("editor");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);
  std::string msg(v.status().message());
  EXPECT_NE(msg.find(store_->path() + ":3:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mv " + store_->path()), std::string::npos) << msg;
  EXPECT_FALSE(store_->Set("editor", "vi").ok());
  EXPECT_FALSE(store_->Reset().ok());
  EXPECT_FALSE(store_->SetKey("openai", "test-key-123").ok());
  EXPECT_EQ(Raw(), broken);
}

TEST_F(ConfigStoreTest, WrongTypeNamesTheKeyAndItsLine) {
  WriteRaw("{\n  \"editor\": \"vim\",\n  \"max_tokens\": \"many\"\n}\n");
  auto v = store_->List();
  ASSERT_FALSE(v.ok());
  std::string msg(v.status().message());
  EXPECT_NE(msg.find(":3:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("max_tokens must be an integer greater than 0"), std::string::npos) << msg;
}

TEST_F(ConfigStoreTest, FixingTheFileRecovers) {
  WriteRaw("{ nope");
  EXPECT_FALSE(store_->Get("editor").ok());
  WriteRaw("{\"editor\": \"vi\"}");
  auto v = store_->Get("editor");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->value, "vi");
  // Missing settings fall back to defaults without rewriting the file.
  EXPECT_EQ(store_->Get("max_tokens")->value, 1024);
}

TEST_F(ConfigStoreTest, UnknownFieldsSurviveWrites) {
  WriteRaw("{\"future_setting\": {\"a\": 1}}");
  ASSERT_TRUE(store_->Set("editor", "vi").ok());
  EXPECT_EQ(Json::parse(Raw())["future_setting"]["a"], 1);
}

TEST_F(ConfigStoreTest, ResetRestoresDefaultsAndDropsKeys) {
  ASSERT_TRUE(store_->SetKey("openai", "test-key-123").ok());
  ASSERT_TRUE(store_->Set("max_tokens", "9").ok());
  ASSERT_TRUE(store_->Reset().ok());
  Json doc = Json::parse(Raw());
  EXPECT_EQ(doc["max_tokens"], 1024);
  EXPECT_TRUE(doc["api_keys"].empty());
}

TEST_F(ConfigStoreTest, ConcurrentWritersLoseNoUpdate) {
  constexpr int kThreads = 16;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(store_
                    ->AddCustomProvider("w" + std::to_string(i),
                                        {{"base_url", "http://127.0.0.1:9/v1"}})
                    .ok());
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([this, i] {
      auto r = store_->SetKey("custom:w" + std::to_string(i), "test-key-" + std::to_string(i));
      EXPECT_TRUE(r.ok()) << r.status();
    });
  }
  for (auto& t : threads) t.join();
  Json doc = Json::parse(Raw());
  EXPECT_EQ(doc["api_keys"].size(), static_cast<size_t>(kThreads));
}

TEST_F(ConfigStoreTest, LooseFileModeIsTightenedOnLoad) {
  ASSERT_TRUE(store_->Get("editor").ok());
  WriteRaw("{\"editor\": \"ed\"}");
  ASSERT_EQ(chmod(store_->path().c_str(), 0644), 0);
  ASSERT_TRUE(store_->Get("editor").ok());
  EXPECT_EQ(ModeOf(store_->path()), 0600);
}

}  // namespace
}  // namespace aix::config
