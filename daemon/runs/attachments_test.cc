// Files sent with a prompt: their parts, their bounds, their record.
#include "daemon/runs/attachments.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace aix::runs {
namespace {

using ::testing::HasSubstr;

Attachments Of(const std::string& name, const std::string& type, const std::string& data) {
  Attachments a;
  v1::Attachment* one = a.Add();
  one->set_name(name);
  one->set_media_type(type);
  one->set_data(data);
  return a;
}

TEST(Attachments, ImagesAndTextBecomeParts) {
  auto image = AttachmentParts(Of("a.png", "image/png", "abc"));
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ((*image)[0]["image_url"]["url"], "data:image/png;base64,YWJj");
  auto text = AttachmentParts(Of("notes.txt", "text/plain", "grey cat"));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ((*text)[0]["text"], "\n\n--- notes.txt ---\ngrey cat");
}

TEST(Attachments, RefusesWhatNoProviderTakesNamingIt) {
  auto big = AttachmentParts(Of("huge.png", "image/png", std::string((8 << 20) + 1, 'x')));
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(big.status().message()), HasSubstr("huge.png"));
  auto latin1 = AttachmentParts(Of("l.txt", "text/plain", "caf\xe9"));
  EXPECT_THAT(std::string(latin1.status().message()), HasSubstr("not valid UTF-8"));
  auto pdf = AttachmentParts(Of("doc.pdf", "application/pdf", "%PDF"));
  EXPECT_THAT(std::string(pdf.status().message()), HasSubstr("application/pdf"));
  Attachments many;
  for (int i = 0; i < 101; ++i) *many.Add() = Of("x.txt", "text/plain", "x")[0];
  EXPECT_THAT(std::string(AttachmentParts(many).status().message()), HasSubstr("at most 100"));
}

TEST(Attachments, TheRecordKeepsADigestNotTheBytes) {
  nlohmann::json r = AttachmentRecords(Of("a.txt", "text/plain", "abc"));
  EXPECT_EQ(r[0]["bytes"], 3);
  EXPECT_EQ(r[0]["sha256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(r[0].dump().find("\"abc\""), std::string::npos);
}

}  // namespace
}  // namespace aix::runs
