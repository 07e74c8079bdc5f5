// Fuzz target for Template. Properties: parsing never crashes; a template
// that parses renders once every variable has a value; the output of a
// template without variables contains no placeholder syntax errors when
// parsed back after escaping.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "common/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto t = aix::prompts::Template::Parse(text);
  if (!t.ok()) return 0;
  std::map<std::string, std::string> params;
  for (const std::string& v : t->variables()) params[v] = "{" + v + "}";
  auto out = t->Render(params);
  if (!out.ok()) std::abort();
  auto commands = t->RenderCommands(params);
  if (!commands.ok() || commands->size() != t->command_count()) std::abort();
  std::vector<std::string> outputs(t->command_count(), "out");
  if (!t->Render(params, nullptr, &outputs).ok()) std::abort();
  // Escaping the output and parsing it again must give back the output.
  std::string escaped;
  for (size_t i = 0; i < out->size(); ++i) {
    char c = (*out)[i];
    escaped += c;
    if (c == '{' || c == '}') escaped += c;
    if (c == '$' && i + 1 < out->size() && (*out)[i + 1] == '(') escaped += '$';
  }
  auto again = aix::prompts::Template::Parse(escaped);
  if (!again.ok() || !again->variables().empty()) std::abort();
  auto round = again->Render({});
  if (!round.ok() || *round != *out) std::abort();
  return 0;
}
