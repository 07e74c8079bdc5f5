#include "client/cli/run_request.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aix {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RunRequestTest, OnlyWhatWasGivenIsSet) {
  RunArgs a;
  a.prompt = "greet";
  auto req = RunRequestFor(a);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->prompt(), "greet");
  EXPECT_FALSE(req->has_max_tokens());
  EXPECT_FALSE(req->has_temperature());
  EXPECT_FALSE(req->has_max_retries());
  EXPECT_FALSE(req->has_system());
  EXPECT_EQ(req->mode(), v1::RunRequest::EXECUTE);
  EXPECT_TRUE(req->params().empty());
}

TEST(RunRequestTest, OptionsParamsAndFallbacksMapToTheRequest) {
  RunArgs a;
  a.prompt = "greet";
  a.params = {"who=Ada", "empty=", "eq=a=b"};
  a.literal_params = {{"recorded", "@not-a-file"}};
  a.provider = "anthropic";
  a.model = "claude-3-haiku-20240307";
  a.system = "be brief";
  a.max_tokens = 50;
  a.temperature = 0;  // zero is a value, not "unset"
  a.max_retries = 0;
  a.fallback = {"openai, openrouter/meta-llama/llama-3.2-3b-instruct:free", " custom:local "};
  a.no_history = true;
  a.no_stream = true;
  auto req = RunRequestFor(a);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->params().at("who"), "Ada");
  EXPECT_EQ(req->params().at("empty"), "");
  EXPECT_EQ(req->params().at("eq"), "a=b");
  EXPECT_EQ(req->params().at("recorded"), "@not-a-file");
  EXPECT_EQ(req->provider(), "anthropic");
  EXPECT_EQ(req->model(), "claude-3-haiku-20240307");
  EXPECT_EQ(req->system(), "be brief");
  EXPECT_EQ(req->max_tokens(), 50);
  ASSERT_TRUE(req->has_temperature());
  EXPECT_EQ(req->temperature(), 0);
  ASSERT_TRUE(req->has_max_retries());
  EXPECT_EQ(req->max_retries(), 0);
  EXPECT_THAT(req->fallback(), ElementsAre("openai", "openrouter/meta-llama/llama-3.2-3b-instruct:free",
                                           "custom:local"));
  EXPECT_TRUE(req->no_history());
  EXPECT_TRUE(req->no_stream());
}

TEST(RunRequestTest, DryRunWinsOverNoExecute) {
  RunArgs a;
  a.no_execute = true;
  EXPECT_EQ(RunRequestFor(a)->mode(), v1::RunRequest::RENDER_ONLY);
  a.dry_run = true;
  EXPECT_EQ(RunRequestFor(a)->mode(), v1::RunRequest::DRY_RUN);
}

TEST(RunRequestTest, AParamFromAFileIsReadHere) {
  char path[] = "/tmp/aix-param-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "line one\nline two\n";
  RunArgs a;
  a.params = {std::string("text=@") + path};
  auto req = RunRequestFor(a);
  unlink(path);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->params().at("text"), "line one\nline two\n");
}

TEST(RunRequestTest, BadParamsNameTheProblemAndTheFix) {
  RunArgs a;
  a.params = {"novalue"};
  auto r = RunRequestFor(a);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("--param 'novalue' is not key=value"));
  EXPECT_THAT(r.status().message(), HasSubstr("e.g. --param topic=rust"));
  a.params = {"=x"};
  EXPECT_FALSE(RunRequestFor(a).ok());
  a.params = {"f=@/nonexistent/aix-test-file"};
  r = RunRequestFor(a);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("cannot read the file for --param f"));
  a.params = {std::string("bad=\xff")};
  r = RunRequestFor(a);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("--param bad"));
}

}  // namespace
}  // namespace aix
