// aix's web page (aix ui) in a real browser: Debian's chromium, headless,
// driven by puppeteer-core (tests/endpoint/web_ui_check.cjs) against the
// real aixd and the fake provider; and `aix ui` handing its link to the
// browser the user has, and the gate as programs and neighbours meet it.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ContainsRegex;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr char kChromium[] = "/usr/bin/chromium";

class WebUiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-web-openrouter-4242").exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "summarize", "Summarize: {input}", "-d", "Short summaries", "-t", "text"})
                  .exit_code,
              0);
  }

  std::string Modules() {
    const char* modules = std::getenv("AIX_NODE_MODULES");
    EXPECT_TRUE(modules != nullptr && access((std::string(modules) + "/puppeteer-core").c_str(), R_OK) == 0)
        << "AIX_NODE_MODULES must name a node_modules with puppeteer-core (tools/test.sh installs "
           "tests/endpoint/package.json)";
    return modules == nullptr ? "" : modules;
  }

  // Curl asks the loopback port with `args`; the answer's status code.
  std::string Curl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, box_.env, "", 30).out;
  }

  Sandbox box_;
  FakeProvider fake_{box_.dir};
};

TEST_F(WebUiTest, ABrowserSignsInCreatesRunsStopsRepliesAndFindsItsWork) {
  ASSERT_EQ(access(kChromium, X_OK), 0) << "the browser tests need Debian's chromium (apt-get install chromium)";
  auto env = box_.env;
  env["NODE_PATH"] = Modules();
  env["AIX_BIN"] = AixPath();
  env["AIX_FAKE"] = fake_.base();
  env["CHROMIUM"] = kChromium;
  // Pictures of each page; tools/screenshots.sh puts them in docs/ui/.
  const char* outputs = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  env["AIX_SCREENSHOTS"] = std::getenv("AIX_SCREENSHOTS") != nullptr ? std::getenv("AIX_SCREENSHOTS")
                           : outputs != nullptr                       ? outputs
                                                                      : box_.dir;
  Result r = RunProcess({"/usr/bin/node", Runfile("tests/endpoint/web_ui_check.cjs")}, env, "", 240);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out << r.err;
  ASSERT_FALSE(j.contains("failure")) << j.value("failure", "") << "\n" << j.value("failed_at", Json()).dump(1);

  // Signed in by the link; the code is gone from the address bar, and the
  // cookie is out of scripts' and other sites' reach.
  EXPECT_EQ(j["sign_in_url_path"], "/ui/signin");
  EXPECT_THAT(j["after_sign_in"].get<std::string>(), AllOf(HasSubstr("/ui/"), Not(HasSubstr("code="))));
  EXPECT_EQ(j["cookie"], Json::parse(R"({"http_only": true, "same_site": "Strict", "path": "/ui"})"));
  EXPECT_THAT(j["library_names"], Contains("summarize"));
  // The same link again: refused, with the fix.
  EXPECT_EQ(j["second_use"]["status"], 403);
  EXPECT_THAT(j["second_use"]["text"].get<std::string>(), AllOf(HasSubstr("already used"), HasSubstr("aix ui")));
  // No cookie: the sign-in page, not the app.
  EXPECT_EQ(j["no_cookie"]["status"], 401);
  EXPECT_THAT(j["no_cookie"]["text"].get<std::string>(), HasSubstr("aix ui"));
  EXPECT_EQ(j["no_cookie"]["has_app"], false);

  // The Markdown renderer's fuzzing in the page: 5,000 random documents.
  EXPECT_EQ(j["markdown_fuzz"]["cases"], 5000);
  EXPECT_EQ(j["markdown_fuzz"]["errors"], 0);
  EXPECT_EQ(j["markdown_fuzz"]["bad_elements"], Json::array());
  EXPECT_EQ(j["markdown_fuzz"]["bad_links"], Json::array());

  // Created through the form; run, seen while it streamed; a reply carried
  // the earlier turns to the provider (1 message, then 3).
  EXPECT_EQ(j["created_template"], "Tell me about {topic}");
  EXPECT_GT(j["models_listed"].get<int>(), 0);
  EXPECT_EQ(j["partial_seen"], true);
  EXPECT_EQ(j["first_answer"], "Kites fly on wind. The end.");
  EXPECT_THAT(j["status_line"].get<std::string>(), HasSubstr("openrouter"));
  EXPECT_EQ(j["reply_answer"], "Echo: and in <b>storms</b>?");
  EXPECT_EQ(j["reply_requests"], Json::parse("[1, 3]"));
  // Markup in an answer is text: nothing ran, no element was made.
  EXPECT_THAT(j["hostile"]["text"].get<std::string>(), HasSubstr("<script>window.pwned=1</script>"));
  EXPECT_EQ(j["hostile"]["scripts"], 0);
  EXPECT_TRUE(j["hostile"]["pwned"].is_null());
  // Stop: the provider saw its stream abandoned.
  EXPECT_GE(j["stop"]["abandoned"].get<int>(), 1);
  EXPECT_THAT(j["stop"]["status"].get<std::string>(), HasSubstr("Stopped"));

  // History found the run by a word of its answer, marked; its
  // conversation has both turns.
  EXPECT_THAT(j["search"]["marks"], Contains("wind"));
  EXPECT_EQ(j["search"]["items"], 1);
  EXPECT_EQ(j["conversation_turns"], 2);

  // Usage: tokens by provider and by model, runs and failures (the stopped
  // run), time to first token.
  EXPECT_EQ(j["usage"]["provider_series"][0][0], "openrouter");
  EXPECT_GE(j["usage"]["provider_series"][0][1].get<int>(), 1);
  EXPECT_THAT(j["usage"]["model_series"], Contains("openrouter/meta-llama/llama-3.2-3b-instruct:free"));
  EXPECT_EQ(j["usage"]["runs_series"], Json::parse(R"([["succeeded", 1], ["failed", 1]])"));
  EXPECT_THAT(j["usage"]["ttft_series"], Contains("openrouter"));
  EXPECT_THAT(j["usage"]["totals"].get<std::string>(), HasSubstr("4 runs · 1 failed"));

  // Settings: keys masked; one stored through the page, masked too.
  const std::string settings = j["settings"]["text"];
  EXPECT_THAT(settings, AllOf(HasSubstr("tes…4242"), HasSubstr("tes…5678")));
  EXPECT_THAT(settings, Not(HasSubstr("test-key-web-openrouter-4242")));
  EXPECT_EQ(j["settings"]["has_full_key"], false);
  EXPECT_THAT(box_.Aix({"api-key", "openai", "--action", "get"}).out, HasSubstr("5678"))
      << "the key stored through the page is aixd's key for openai";

  // The edit error is aix edit's: file, line and column; nothing saved.
  EXPECT_THAT(j["edit_error"].get<std::string>(), ContainsRegex("kite-facts\\.yaml:[0-9]+:[0-9]+: not valid YAML"));
  EXPECT_THAT(j["after_delete"], Not(Contains("kite-facts")));
  EXPECT_NE(box_.Aix({"show", "kite-facts"}).exit_code, 0) << "deleted from the page, gone for aix";

  // The gate from outside the browser, with a valid cookie.
  EXPECT_EQ(j["forged_host"]["status"], 403);
  EXPECT_THAT(j["forged_host"]["body"].get<std::string>(), HasSubstr("rebinding"));
  EXPECT_EQ(j["cross_origin"]["status"], 403);
  EXPECT_EQ(j["same_origin"]["status"], 200);
  const Json& h = j["page_headers"];
  EXPECT_THAT(h["content-security-policy"].get<std::string>(),
              AllOf(HasSubstr("script-src 'self'"), HasSubstr("frame-ancestors 'none'"), Not(HasSubstr("unsafe"))));
  EXPECT_EQ(h["x-content-type-options"], "nosniff");
  EXPECT_EQ(h["referrer-policy"], "no-referrer");

  // Nothing the page did broke a rule of its own policy or threw.
  for (const auto& e : j["console_errors"]) {
    const std::string text = e;
    // The edit's refusal is a 400 the browser reports as a failed load.
    if (text.find("Failed to load resource") != std::string::npos) continue;
    ADD_FAILURE() << "browser console: " << text;
  }
}

TEST_F(WebUiTest, AixUiHandsTheLinkToTheUsersBrowserAndTheLinkWorksOnce) {
  // $BROWSER is the user's choice of browser; this one notes what it was given.
  const std::string opener = box_.dir + "/browser.sh";
  const std::string seen = box_.dir + "/opened.txt";
  std::ofstream(opener) << "#!/bin/sh\nprintf '%s' \"$1\" > '" << seen << "'\n";
  chmod(opener.c_str(), 0700);
  auto env = box_.env;
  env["BROWSER"] = opener;
  Result r = RunProcess({AixPath(), "ui"}, env, "", 30);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("opened http://127.0.0.1:"));
  EXPECT_EQ(r.out, "") << "the link is for the browser, not the terminal";
  const std::string url = Sandbox::ReadFile(seen);
  ASSERT_THAT(url, ContainsRegex("^http://127\\.0\\.0\\.1:[0-9]+/ui/signin\\?code=[A-Za-z0-9_-]{40,}$"));

  const std::string cookies = box_.dir + "/cookies";
  EXPECT_EQ(Curl({"-c", cookies, url}), "303");
  EXPECT_THAT(Sandbox::ReadFile(cookies), AllOf(HasSubstr("#HttpOnly_127.0.0.1"), HasSubstr("aix_session")));
  const std::string origin = url.substr(0, url.find("/ui/"));
  EXPECT_EQ(Curl({"-b", cookies, origin + "/ui/"}), "200");
  EXPECT_EQ(Curl({url}), "403") << "a code works once";
  EXPECT_EQ(Curl({origin + "/ui/"}), "401");
  EXPECT_EQ(Curl({"-b", cookies, "-H", "Host: attacker.example", origin + "/ui/"}), "403");

  // The port aixd picked stays while aixd runs: the next link is on it.
  Result again = box_.Aix({"ui", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  Json link = Json::parse(again.out);
  EXPECT_EQ(link["ui_origin"], origin);
  // Without a browser, the link is printed with what to do.
  env["BROWSER"] = box_.dir + "/no-such-browser";
  Result none = RunProcess({AixPath(), "ui"}, env, "", 30);
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_THAT(none.out, HasSubstr("/ui/signin?code="));
  EXPECT_THAT(none.err, HasSubstr("could not start a browser"));
}

TEST_F(WebUiTest, OnTheHttpListenPortProgramsUseTheTokenAndNeighboursAreRefused) {
  EXPECT_NE(box_.Aix({"config", "--set", "http_listen", "127.0.0.1:0"}).exit_code, 0)
      << "port 0 is not a setting";
  Result ui = box_.Aix({"ui", "--json"});
  ASSERT_EQ(ui.exit_code, 0) << ui.err;
  const std::string origin = Json::parse(ui.out)["ui_origin"];
  const std::string port = origin.substr(origin.rfind(':') + 1);
  // http_listen set to the same port: the page stays where it is, and the
  // OpenAI-compatible API shares it.
  ASSERT_EQ(box_.Aix({"config", "--set", "http_listen", "127.0.0.1:" + port}).exit_code, 0);
  Result link = box_.Aix({"ui", "--json"});
  EXPECT_EQ(Json::parse(link.out)["ui_origin"], origin);
  std::string token = box_.Aix({"endpoint", "token"}).out;
  token.erase(token.find_last_not_of('\n') + 1);
  const std::string auth = "Authorization: Bearer " + token;
  const std::string api = origin + "/ui/api/ListPrompts";
  EXPECT_EQ(Curl({"-X", "POST", "-H", auth, "-d", "{}", "-H", "Origin: " + origin, api}), "200");
  EXPECT_EQ(Curl({"-X", "POST", "-d", "{}", "-H", "Origin: " + origin, api}), "401");
  EXPECT_EQ(Curl({"-X", "POST", "-H", auth, "-d", "{}", api}), "403") << "no Origin on a POST";
  // A body that is not the method's request is refused, naming the field.
  Result refused = RunProcess({"/usr/bin/curl", "-sS", "-w", "\n%{http_code}", "-X", "POST", "-H", auth,
                               "-H", "Origin: " + origin, "-d", R"({"all": true, "tagz": "x"})", api},
                              box_.env, "", 30);
  EXPECT_THAT(refused.out, AllOf(HasSubstr("tagz"), HasSubstr("aix.v1.ListPromptsRequest"), EndsWith("\n400")));
  // Methods the page has no use for are not reachable at all.
  EXPECT_EQ(Curl({"-X", "POST", "-H", auth, "-d", "{}", "-H", "Origin: " + origin,
                  origin + "/ui/api/Shutdown"}),
            "404");
  EXPECT_EQ(box_.Aix({"daemon", "status"}).exit_code, 0);
}

}  // namespace
}  // namespace aix::testing
