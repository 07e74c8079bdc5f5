#include "common/redact.h"

#include <algorithm>

namespace aix {

void Redactor::Add(absl::string_view secret) {
  if (secret.size() < kMinSecret) return;
  for (const std::string& s : secrets_) {
    if (s == secret) return;
  }
  secrets_.emplace_back(secret);
  longest_ = std::max(longest_, secret.size());
  shortest_ = shortest_ == 0 ? secret.size() : std::min(shortest_, secret.size());
  if (secret.size() >= kFragment) {
    for (size_t i = 0; i + kFragment <= secret.size(); ++i) {
      grams_.emplace(secret.substr(i, kFragment));
    }
  }
}

std::string Redactor::Scrub(absl::string_view text) const {
  if (secrets_.empty() || text.size() < std::min(shortest_, kFragment)) return std::string(text);
  std::vector<char> covered(text.size(), 0);
  bool any = false;
  auto cover = [&](size_t at, size_t n) {
    std::fill(covered.begin() + static_cast<ptrdiff_t>(at),
              covered.begin() + static_cast<ptrdiff_t>(at + n), 1);
    any = true;
  };
  // Secrets shorter than a fragment: whole occurrences only.
  for (const std::string& s : secrets_) {
    if (s.size() >= kFragment) continue;
    for (size_t at = text.find(s); at != absl::string_view::npos; at = text.find(s, at + 1)) {
      cover(at, s.size());
    }
  }
  if (!grams_.empty() && text.size() >= kFragment) {
    std::string gram(kFragment, '\0');
    for (size_t i = 0; i + kFragment <= text.size(); ++i) {
      gram.assign(text.data() + i, kFragment);
      if (grams_.count(gram) != 0) cover(i, kFragment);
    }
  }
  if (!any) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (!covered[i]) {
      out.push_back(text[i++]);
      continue;
    }
    out.append(kMark.data(), kMark.size());
    while (i < text.size() && covered[i]) ++i;
  }
  return out;
}

namespace {

// HeldLength is the length of the longest end of `text` that is the
// beginning (not the whole) of one of `secrets`.
size_t HeldLength(absl::string_view text, const std::vector<std::string>& secrets) {
  size_t held = 0;
  for (const std::string& s : secrets) {
    const size_t most = std::min(text.size(), s.size() - 1);
    for (size_t k = most; k > held; --k) {
      if (text[text.size() - k] == s[0] && text.substr(text.size() - k) == absl::string_view(s).substr(0, k)) {
        held = k;
        break;
      }
    }
  }
  return held;
}

}  // namespace

std::string StreamRedactor::Feed(absl::string_view piece) {
  if (redactor_ == nullptr || redactor_->empty()) return std::string(piece);
  std::string text = std::move(held_);
  held_.clear();
  text.append(piece.data(), piece.size());
  for (const std::string& s : redactor_->secrets()) {
    for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at)) {
      text.replace(at, s.size(), Redactor::kMark.data(), Redactor::kMark.size());
      at += Redactor::kMark.size();
    }
  }
  const size_t held = HeldLength(text, redactor_->secrets());
  held_ = text.substr(text.size() - held);
  text.resize(text.size() - held);
  return text;
}

std::string StreamRedactor::Flush() {
  std::string out = std::move(held_);
  held_.clear();
  if (out.size() >= Redactor::kFragment) return std::string(Redactor::kMark);
  return out;
}

}  // namespace aix
