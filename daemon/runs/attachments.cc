#include "daemon/runs/attachments.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/text.h"
#include "daemon/providers/chat_fields.h"

namespace aix::runs {
namespace {

bool IsImage(const std::string& type) {
  return type == "image/png" || type == "image/jpeg" || type == "image/gif" || type == "image/webp";
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) return "";
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), size));
}

}  // namespace

absl::StatusOr<nlohmann::json> AttachmentParts(const Attachments& attachments) {
  nlohmann::json parts = nlohmann::json::array();
  if (static_cast<size_t>(attachments.size()) > providers::kMaxImages) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a run takes at most ", providers::kMaxImages, " attachments; this one has ", attachments.size()));
  }
  for (const v1::Attachment& a : attachments) {
    const std::string name = PrintableExcerpt(a.name(), 120);
    if (IsImage(a.media_type())) {
      if (a.data().size() > providers::kMaxImageBytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            "attachment ", name, " is ", a.data().size() >> 20, " MiB; an image may be at most ",
            providers::kMaxImageBytes >> 20, " MiB (scale it down first)"));
      }
      parts.push_back({{"type", "image_url"},
                       {"image_url", {{"url", absl::StrCat("data:", a.media_type(), ";base64,",
                                                           absl::Base64Escape(a.data()))}}}});
    } else if (a.media_type() == "text/plain") {
      if (FirstInvalidUtf8(a.data()) != absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("attachment ", name, " says it is text but is not valid UTF-8"));
      }
      parts.push_back({{"type", "text"}, {"text", absl::StrCat("\n\n--- ", name, " ---\n", a.data())}});
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "attachment ", name, " is of type '", PrintableExcerpt(a.media_type(), 60),
          "'; aixd takes PNG, JPEG, GIF and WebP images and UTF-8 text (text/plain)"));
    }
  }
  return parts;
}

nlohmann::json AttachmentRecords(const Attachments& attachments) {
  nlohmann::json out = nlohmann::json::array();
  for (const v1::Attachment& a : attachments) {
    out.push_back({{"name", ToValidUtf8(a.name())},
                   {"media_type", ToValidUtf8(a.media_type())},
                   {"bytes", static_cast<int64_t>(a.data().size())},
                   {"sha256", Sha256Hex(a.data())}});
  }
  return out;
}

}  // namespace aix::runs
