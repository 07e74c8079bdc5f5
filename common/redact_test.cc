#include "common/redact.h"

#include <gtest/gtest.h>

#include <string>

namespace aix {
namespace {

constexpr char kKey[] = "fake-test-key-0123456789-ABCDEFGHIJ";

Redactor WithKey() {
  Redactor r;
  r.Add(kKey);
  return r;
}

bool Leaks(const std::string& text, absl::string_view secret, size_t fragment) {
  for (size_t i = 0; i + fragment <= secret.size(); ++i) {
    if (text.find(std::string(secret.substr(i, fragment))) != std::string::npos) return true;
  }
  return false;
}

TEST(Redactor, MasksEveryWholeOccurrence) {
  Redactor r = WithKey();
  std::string in = std::string("Bearer ") + kKey + " was refused; " + kKey;
  std::string out = r.Scrub(in);
  EXPECT_EQ(out, "Bearer [key redacted] was refused; [key redacted]");
}

TEST(Redactor, MasksAKeyCutShortOrBrokenUp) {
  Redactor r = WithKey();
  std::string key = kKey;
  // Truncated at the end of an excerpt, its middle alone, its end alone.
  for (const std::string& piece : {key.substr(0, 20), key.substr(7, 14), key.substr(key.size() - 13)}) {
    std::string out = r.Scrub("got " + piece + " here");
    EXPECT_FALSE(Leaks(out, key, 12)) << out;
    EXPECT_NE(out.find("[key redacted]"), std::string::npos) << out;
    EXPECT_EQ(out.substr(0, 4), "got ");
  }
}

TEST(Redactor, LeavesOrdinaryTextAlone) {
  Redactor r = WithKey();
  const std::string text = "The quick brown fox; fake-test is not a key, nor 0123456789.";
  EXPECT_EQ(r.Scrub(text), text);
  Redactor none;
  EXPECT_EQ(none.Scrub(text), text);
}

TEST(Redactor, ShortValuesAreNotSecrets) {
  Redactor r;
  r.Add("ollama");
  EXPECT_TRUE(r.empty());
  r.Add("eightch!");
  EXPECT_EQ(r.Scrub("x eightch! y"), "x [key redacted] y");
}

TEST(StreamRedactor, AKeySplitAcrossPiecesNeverGoesOut) {
  Redactor r = WithKey();
  const std::string key = kKey;
  const std::string whole = "answer: " + key + " and more text " + key;
  // Every way of cutting the stream in two, and one byte at a time.
  for (size_t cut = 0; cut <= whole.size(); ++cut) {
    StreamRedactor s(&r);
    std::string out = s.Feed(whole.substr(0, cut));
    out += s.Feed(whole.substr(cut));
    out += s.Flush();
    EXPECT_EQ(out, "answer: [key redacted] and more text [key redacted]") << cut;
  }
  StreamRedactor s(&r);
  std::string out;
  for (char c : whole) out += s.Feed(std::string(1, c));
  out += s.Flush();
  EXPECT_EQ(out, "answer: [key redacted] and more text [key redacted]");
}

TEST(StreamRedactor, HoldsBackOnlyWhatCouldStartAKey) {
  Redactor r = WithKey();
  StreamRedactor s(&r);
  EXPECT_EQ(s.Feed("Hello world"), "Hello world");
  EXPECT_EQ(s.Feed("a fake"), "a ");  // "fake" may begin the key
  EXPECT_EQ(s.Feed(" news"), "fake news");
  EXPECT_EQ(s.Flush(), "");
}

TEST(StreamRedactor, AStreamEndingInsideAKeyMasksItsBeginning) {
  Redactor r = WithKey();
  StreamRedactor s(&r);
  const std::string key = kKey;
  EXPECT_EQ(s.Feed("leak: " + key.substr(0, 20)), "leak: ");
  EXPECT_EQ(s.Flush(), "[key redacted]");
  StreamRedactor t(&r);
  EXPECT_EQ(t.Feed("ends in fak"), "ends in ");
  EXPECT_EQ(t.Flush(), "fak");
}

}  // namespace
}  // namespace aix
