// chat_fields: what a chat request may carry beyond text — content parts
// (images), tool definitions and calls, structured output, sampling
// options — in OpenAI's chat-completions vocabulary, checked once for
// every way in (the HTTP endpoint, RunRequest over gRPC) before any
// provider sees it.
//
// Everything here is untrusted input from a local program. A check names
// the offending field in `param` (as OpenAI's error objects do) and says
// in its message what to send instead. Bounds are checked here, so that a
// dialect translating a checked request never meets an unbounded one.
#ifndef AIX_DAEMON_PROVIDERS_CHAT_FIELDS_H_
#define AIX_DAEMON_PROVIDERS_CHAT_FIELDS_H_

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace aix::providers {

using Json = nlohmann::json;

// Bounds on one request, above what real clients send (OpenAI allows 128
// tools; Anthropic 100 images of 5 MB).
inline constexpr size_t kMaxTools = 128;
inline constexpr size_t kMaxSchemaBytes = 256 << 10;  // one tool's parameters, or a response schema
inline constexpr size_t kMaxImages = 100;
inline constexpr size_t kMaxImageBytes = 8 << 20;  // decoded size of one data: URL image
inline constexpr size_t kMaxUrlBytes = 8 << 10;    // an https image URL

// kMaxToolCalls bounds the tool calls one answer may make (what a provider
// sends, not what a client asks).
inline constexpr size_t kMaxToolCalls = 1024;

// InvalidField is the InvalidArgument error for `field`, which it names in
// `param` (OpenAI's error objects carry it) with `why` as the message.
absl::Status InvalidField(std::string* param, absl::string_view field, absl::string_view why);

// OwnField is true for the fields aixd sets itself, which options may not
// carry: model, messages, stream, stream_options, max_tokens, temperature.
bool OwnField(absl::string_view name);

// CheckOptions checks request fields other than aixd's own (an object):
// n, stop, tools, tool_choice, parallel_tool_calls, response_format and
// the sampling numbers are checked for shape and bounds; any other field
// is taken as is (a provider-specific one, such as OpenRouter's
// `provider`).
absl::Status CheckOptions(const Json& options, std::string* param);

// CheckMessages checks a conversation in OpenAI's shape (an array of
// message objects; system and developer messages included): roles,
// content that is text or an array of text and image_url parts, an
// assistant's tool_calls, and each tool message answering a call made by
// the assistant message just before it.
absl::Status CheckMessages(const Json& messages, std::string* param);

// PlainMessage is true for a message that is a role and text content only
// (nothing a Turn needs its `message` for; a participant's `name` is more).
bool PlainMessage(const Json& message);

// MessageText is a checked message's text: its content string, or its
// text parts joined.
std::string MessageText(const Json& message);

// DataUrl is an image sent inline: data:<media_type>;base64,<data>.
struct DataUrl {
  std::string media_type;
  absl::string_view data;  // base64, a view into the URL
};

// ParseDataUrl reads a data: URL of a PNG, JPEG, GIF or WebP image;
// nullopt for any other URL.
std::optional<DataUrl> ParseDataUrl(absl::string_view url);

}  // namespace aix::providers

#endif  // AIX_DAEMON_PROVIDERS_CHAT_FIELDS_H_
