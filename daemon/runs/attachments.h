// Attachments: files sent with a prompt (RunRequest.attachments, `aix run
// -a FILE`). Each becomes a further part of the user message after the
// prompt's text: an image as an image part (a data: URL), a text file as a
// text part under a line naming it. The history keeps each by name, type,
// size and SHA-256, never its bytes.
#ifndef AIX_DAEMON_RUNS_ATTACHMENTS_H_
#define AIX_DAEMON_RUNS_ATTACHMENTS_H_

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "aix/v1/runs.pb.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace aix::runs {

using Attachments = google::protobuf::RepeatedPtrField<v1::Attachment>;

// AttachmentParts checks the attachments (type, size, count) and returns
// their content parts, in OpenAI's chat-completions shape. InvalidArgument
// names the attachment and what to send instead.
absl::StatusOr<nlohmann::json> AttachmentParts(const Attachments& attachments);

// AttachmentRecords is what the history keeps of them: [{name,
// media_type, bytes, sha256}].
nlohmann::json AttachmentRecords(const Attachments& attachments);

}  // namespace aix::runs

#endif  // AIX_DAEMON_RUNS_ATTACHMENTS_H_
