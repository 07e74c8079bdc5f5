// The Python aix's collection files (collections/NAME.xml, also inside its
// bundles): parsing them, and turning their templates into ours.
//
// Its format: <collection><metadata> name, description, system_prompt,
// author, tags/tag, created_at, updated_at </metadata><templates><template>
// <metadata> name, description, tags/tag, variables/variable, ...
// </metadata><content><![CDATA[...]]></content></template>...</templates>
// </collection>. Parsed with expat: no DTDs, no external entities, bounded
// size and depth.
#ifndef AIX_DAEMON_PROMPTS_PYTHON_IMPORT_H_
#define AIX_DAEMON_PROMPTS_PYTHON_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/prompts/collection_store.h"
#include "daemon/prompts/prompt_store.h"

namespace aix::prompts {

// kMaxPythonXmlBytes bounds one collection file.
inline constexpr size_t kMaxPythonXmlBytes = 8 << 20;

// ImportSet is a collection and its prompts, ready to be stored.
struct ImportSet {
  Collection collection;        // prompts: the names as converted
  std::vector<Prompt> prompts;  // templates converted (ConvertPythonTemplate)
  std::vector<std::string> report;  // what changed on the way, per prompt
};

// ParsePythonCollection reads one collection file. Errors name `source`
// and what is wrong (malformed XML with its line, a missing name, ...).
absl::StatusOr<ImportSet> ParsePythonCollection(absl::string_view xml,
                                                       const std::string& source);

// ConvertPythonTemplate turns a Python template into ours. The Python tool
// replaced `{anything}` given as a parameter and left other braces alone;
// ours names parameters with letters, digits and '_' and reports stray
// braces. So: a {name} that is not one of ours is renamed (spaces and
// dashes become '_'), stray braces are doubled, and `notes` says what
// changed ("parameter 'user name' is now user_name"). Commands ($(...),
// {exec:...}, {cmd:...}) are kept. The result always parses.
std::string ConvertPythonTemplate(absl::string_view text, std::vector<std::string>* notes);

}  // namespace aix::prompts

#endif  // AIX_DAEMON_PROMPTS_PYTHON_IMPORT_H_
