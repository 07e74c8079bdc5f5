// Prompt templates: text with {name} parameters and commands.
//
// Syntax:
//   {name}          the parameter `name` (letters, digits and '_', not
//                   starting with a digit).
//   {{ and }}       literal braces.
//   $(CMD)          a command, as the Python aix wrote them: CMD runs to the
//   {exec:CMD}      first ')' (for $(...)) or the closing '}' and may hold
//   {cmd:CMD}       {name} parameters, which are filled in before it runs.
//   $$(             a literal "$(".
// Any other brace is an error, reported with its line and column, so a
// forgotten escape in, say, a JSON example is caught when the prompt is
// saved rather than silently sent.
//
// Commands are found here but never run here: the client runs them (in the
// user's directory, as the user) and the daemon renders their output into
// the prompt (see docs/ARCHITECTURE.md, "Template commands").
#ifndef AIX_COMMON_TEMPLATE_H_
#define AIX_COMMON_TEMPLATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aix::prompts {

class Template {
 public:
  using Params = std::map<std::string, std::string>;

  // Parse checks the syntax. InvalidArgument names the first bad brace.
  static absl::StatusOr<Template> Parse(absl::string_view text);

  // variables lists each parameter name once, in order of first use,
  // those inside commands included.
  const std::vector<std::string>& variables() const { return variables_; }

  // command_count is how many commands the template holds.
  size_t command_count() const { return commands_.size(); }

  // CommandSources lists each command as written, e.g. "git log -n {n}".
  std::vector<std::string> CommandSources() const;

  // RenderCommands fills the parameters into each command, in template
  // order: the command lines to run. Errors as Render.
  absl::StatusOr<std::vector<std::string>> RenderCommands(const Params& params) const;

  // Render substitutes `params`. InvalidArgument listing every missing
  // parameter if any is absent. Parameters the template does not use are
  // appended to `unused` (if not null), so callers can warn about them.
  // `command_outputs` (one per command, in order) take the commands'
  // places; without them a command is left as written, its parameters
  // filled in (as the Python aix did when commands were off).
  absl::StatusOr<std::string> Render(const Params& params,
                                     std::vector<std::string>* unused = nullptr,
                                     const std::vector<std::string>* command_outputs = nullptr) const;

 private:
  struct Piece {
    enum Kind { kLiteral, kVariable, kCommand } kind;
    std::string text;  // literal text, the variable's name, or for a command its opener
    int command = -1;  // index into commands_
  };
  struct Command {
    std::string open, close;   // "$(" ")", "{exec:" "}", "{cmd:" "}"
    std::vector<Piece> body;   // literals and variables
    std::string source;        // the body as written
  };
  static std::string Fill(const std::vector<Piece>& pieces, const Params& params);

  std::vector<Piece> pieces_;
  std::vector<Command> commands_;
  std::vector<std::string> variables_;
};

}  // namespace aix::prompts

#endif  // AIX_COMMON_TEMPLATE_H_
