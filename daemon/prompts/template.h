// Prompt templates: text with {name} placeholders.
//
// Syntax: `{name}` is replaced by the parameter `name` (letters, digits and
// '_', not starting with a digit). `{{` and `}}` stand for literal braces.
// Any other brace is an error, reported with its line and column, so a
// forgotten escape in, say, a JSON example is caught when the prompt is
// saved rather than silently sent.
#ifndef AIX_DAEMON_PROMPTS_TEMPLATE_H_
#define AIX_DAEMON_PROMPTS_TEMPLATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aix::prompts {

class Template {
 public:
  // Parse checks the syntax. InvalidArgument names the first bad brace.
  static absl::StatusOr<Template> Parse(absl::string_view text);

  // variables lists each placeholder name once, in order of first use.
  const std::vector<std::string>& variables() const { return variables_; }

  // Render substitutes `params`. InvalidArgument listing every missing
  // parameter if any is absent. Parameters the template does not use are
  // appended to `unused` (if not null), so callers can warn about them.
  absl::StatusOr<std::string> Render(const std::map<std::string, std::string>& params,
                                     std::vector<std::string>* unused = nullptr) const;

 private:
  struct Piece {
    bool is_variable;
    std::string text;  // literal text, or the variable's name
  };
  std::vector<Piece> pieces_;
  std::vector<std::string> variables_;
};

}  // namespace aix::prompts

#endif  // AIX_DAEMON_PROMPTS_TEMPLATE_H_
