#include "daemon/runs/conversation.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/limits.h"

namespace aix::runs {
namespace {

bool Cut(const std::string& text) { return absl::EndsWith(text, kHistoryCutMark); }

absl::Status Unsendable(int64_t conversation, int turn, absl::string_view why, int keep) {
  return absl::FailedPreconditionError(absl::StrCat(
      "conversation ", conversation, " cannot be sent again as it was: turn ", turn, " ", why,
      keep > 0 ? absl::StrCat("; send only the turns after it: --last ", keep)
               : std::string("; start a new conversation (aix run, or /new in aix chat)")));
}

}  // namespace

absl::StatusOr<Earlier> EarlierTurns(int64_t conversation,
                                     const std::vector<history::RunRecord>& runs, int last) {
  Earlier out;
  out.conversation = conversation;
  size_t from = 0;
  if (last > 0 && runs.size() > static_cast<size_t>(last)) from = runs.size() - last;
  size_t bytes = 0;
  for (size_t i = from; i < runs.size(); ++i) {
    const history::RunRecord& r = runs[i];
    if (r.answer.empty()) continue;  // never answered: nothing to continue from
    const int after = static_cast<int>(runs.size() - i - 1);
    if (Cut(r.rendered) || Cut(r.answer)) {
      return Unsendable(conversation, r.turn, "was longer than the run history keeps", after);
    }
    if (!r.context_json.empty()) {
      nlohmann::json context = nlohmann::json::parse(r.context_json, nullptr, false);
      if (!context.is_array()) {
        return Unsendable(conversation, r.turn, "has a damaged record", after);
      }
      for (const nlohmann::json& m : context) {
        if (!m.is_object() || !m.value("role", nlohmann::json()).is_string() ||
            !m.value("content", nlohmann::json()).is_string()) {
          return Unsendable(conversation, r.turn, "has a damaged record", after);
        }
        std::string content = m["content"].get<std::string>();
        if (Cut(content)) {
          return Unsendable(conversation, r.turn, "was longer than the run history keeps", after);
        }
        bytes += content.size();
        out.turns.push_back({m["role"].get<std::string>(), std::move(content)});
      }
    }
    if (!r.rendered.empty()) out.turns.push_back({"user", r.rendered});
    out.turns.push_back({"assistant", r.answer});
    bytes += r.rendered.size() + r.answer.size();
    ++out.sent_turns;
    if (bytes > kMaxConversationBytes) return TooMuchText(conversation);
  }
  // Who answered last, and how it was asked.
  auto answered = std::find_if(runs.rbegin(), runs.rend(),
                               [](const history::RunRecord& r) { return r.outcome == "ok"; });
  const history::RunRecord* newest =
      answered != runs.rend() ? &*answered : runs.empty() ? nullptr : &runs.back();
  if (newest != nullptr) {
    out.provider = newest->provider;
    out.model = newest->model;
    out.system = newest->system;
    if (Cut(out.system)) {
      return Unsendable(conversation, newest->turn,
                        "has a system prompt longer than the run history keeps; pass --system",
                        0);
    }
  }
  return out;
}

absl::Status TooMuchText(int64_t conversation) {
  return absl::FailedPreconditionError(absl::StrCat(
      "conversation ", conversation, " has more than ", kMaxConversationBytes >> 20,
      " MiB of text, more than aix sends in one request; send only its last turns: --last N "
      "(or start a new conversation)"));
}

std::string TooLongHint(absl::string_view error, int sent_turns) {
  const std::string e = absl::AsciiStrToLower(error);
  const bool too_long =
      absl::StrContains(e, "context_length") || absl::StrContains(e, "context length") ||
      absl::StrContains(e, "context window") || absl::StrContains(e, "too long") ||
      absl::StrContains(e, "too many tokens") || absl::StrContains(e, "maximum context");
  if (!too_long) return "";
  return absl::StrCat(
      ". The conversation (", sent_turns,
      " earlier turns) is longer than the model takes: start a new one (aix run, or /new in aix "
      "chat), or send only the last turns: aix reply --last N");
}

}  // namespace aix::runs
