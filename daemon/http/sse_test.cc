#include "daemon/http/sse.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace aix::http {
namespace {

using ::testing::HasSubstr;

std::string Transcript(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string path = std::string(srcdir ? srcdir : ".") + "/aix/tests/testdata/sse/" + name;
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<SseEvent> ParseAll(absl::string_view text) {
  SseParser p;
  std::vector<SseEvent> out;
  EXPECT_TRUE(p.Feed(text, &out).ok());
  return out;
}

// Every split of the input into two chunks, and byte-at-a-time, must give
// the same events as one chunk: the network decides the chunking.
void ExpectChunkingInvariant(const std::string& text) {
  std::vector<SseEvent> whole = ParseAll(text);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    SseParser p;
    std::vector<SseEvent> out;
    ASSERT_TRUE(p.Feed(absl::string_view(text).substr(0, cut), &out).ok());
    ASSERT_TRUE(p.Feed(absl::string_view(text).substr(cut), &out).ok());
    ASSERT_EQ(out, whole) << "split at " << cut;
  }
  SseParser p;
  std::vector<SseEvent> out;
  for (char c : text) ASSERT_TRUE(p.Feed(absl::string_view(&c, 1), &out).ok());
  EXPECT_EQ(out, whole);
}

TEST(SseParser, OpenRouterStreamSkipsProcessingComments) {
  std::string t = Transcript("openrouter_stream.sse");
  SseParser p;
  std::vector<SseEvent> events;
  ASSERT_TRUE(p.Feed(t, &events).ok());
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(p.comments(), 2u);
  EXPECT_EQ(events[0].type, "message");
  EXPECT_THAT(events[0].data, HasSubstr("\"content\":\"Hel\""));
  EXPECT_EQ(events[4].data, "[DONE]");
  EXPECT_FALSE(p.pending());
  ExpectChunkingInvariant(t);
}

TEST(SseParser, OpenAiStreamWithCrlfLineEnds) {
  std::string t = Transcript("openai_stream_crlf.sse");
  auto events = ParseAll(t);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_THAT(events[1].data, HasSubstr("Bonjour"));
  EXPECT_EQ(events[1].data.find('\r'), std::string::npos);
  EXPECT_THAT(events[3].data, HasSubstr("\"total_tokens\":6"));
  ExpectChunkingInvariant(t);
}

TEST(SseParser, OpenRouterMidStreamErrorArrivesAsAnEvent) {
  auto events = ParseAll(Transcript("openrouter_midstream_error.sse"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_THAT(events[1].data, HasSubstr("\"finish_reason\":\"error\""));
}

TEST(SseParser, AnthropicNamedEvents) {
  std::string t = Transcript("anthropic_stream.sse");
  auto events = ParseAll(t);
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e.type);
  EXPECT_THAT(types, ::testing::ElementsAre("message_start", "content_block_start", "ping",
                                            "content_block_delta", "content_block_delta",
                                            "content_block_stop", "message_delta",
                                            "message_stop"));
  EXPECT_THAT(events[3].data, HasSubstr("\"text\":\"Hi\""));
  ExpectChunkingInvariant(t);
  auto error = ParseAll(Transcript("anthropic_error.sse"));
  ASSERT_EQ(error.size(), 2u);
  EXPECT_EQ(error[1].type, "error");
  EXPECT_THAT(error[1].data, HasSubstr("overloaded_error"));
}

TEST(SseParser, FieldRules) {
  // Multi-line data joins with \n; one leading space is dropped, not two;
  // a field without a colon has an empty value; unknown fields are ignored;
  // the event type resets after dispatch; an event with no data is dropped.
  auto events = ParseAll(
      "data: a\ndata:  b\ndata\nretry: 5\nfoo: bar\nid: 7\n\n"
      "event: x\n\n"
      "data: c\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "a\n b\n");
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[1].type, "message");
  EXPECT_EQ(events[1].data, "c");
  EXPECT_EQ(events[1].id, "7");
}

TEST(SseParser, ByteOrderMarkIsIgnoredEvenWhenSplit) {
  SseParser p;
  std::vector<SseEvent> out;
  ASSERT_TRUE(p.Feed("\xEF", &out).ok());
  ASSERT_TRUE(p.Feed("\xBB", &out).ok());
  ASSERT_TRUE(p.Feed("\xBF" "data: x\n\n", &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "x");
}

TEST(SseParser, UnfinishedEventIsPendingNotDispatched) {
  SseParser p;
  std::vector<SseEvent> out;
  ASSERT_TRUE(p.Feed("data: partial", &out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(p.pending());
}

TEST(SseParser, OversizedEventIsRefused) {
  SseParser p(/*max_event_bytes=*/16);
  std::vector<SseEvent> out;
  absl::Status s = p.Feed("data: 0123456789\ndata: 0123456789\n", &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  SseParser q(16);
  EXPECT_EQ(q.Feed(std::string(40, 'x'), &out).code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace aix::http
