#include "daemon/prompts/python_import.h"

#include <expat.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "common/template.h"
#include "common/text.h"

namespace aix::prompts {
namespace {

constexpr int kMaxDepth = 32;
constexpr size_t kMaxElements = 200000;

// A small element tree: enough for this format.
struct Element {
  std::string name;
  std::string text;  // character data directly inside, CDATA included
  std::vector<std::unique_ptr<Element>> children;

  const Element* Child(absl::string_view n) const {
    for (const auto& c : children) {
      if (c->name == n) return c.get();
    }
    return nullptr;
  }
  std::string ChildText(absl::string_view n) const {
    const Element* c = Child(n);
    return c == nullptr ? "" : c->text;
  }
  std::vector<std::string> List(absl::string_view outer, absl::string_view inner) const {
    std::vector<std::string> out;
    if (const Element* o = Child(outer)) {
      for (const auto& c : o->children) {
        std::string t(absl::StripAsciiWhitespace(c->text));
        if (c->name == inner && !t.empty()) out.push_back(t);
      }
    }
    return out;
  }
};

struct ParseState {
  std::unique_ptr<Element> root;
  std::vector<Element*> stack;
  size_t elements = 0;
  std::string error;
  XML_Parser parser = nullptr;
};

void OnStart(void* data, const XML_Char* name, const XML_Char**) {
  auto* st = static_cast<ParseState*>(data);
  if (++st->elements > kMaxElements || st->stack.size() >= kMaxDepth) {
    st->error = "too many or too deeply nested elements";
    XML_StopParser(st->parser, XML_FALSE);
    return;
  }
  auto e = std::make_unique<Element>();
  e->name = name;
  Element* raw = e.get();
  if (st->stack.empty()) {
    st->root = std::move(e);
  } else {
    st->stack.back()->children.push_back(std::move(e));
  }
  st->stack.push_back(raw);
}

void OnEnd(void* data, const XML_Char*) {
  auto* st = static_cast<ParseState*>(data);
  if (!st->stack.empty()) st->stack.pop_back();
}

void OnText(void* data, const XML_Char* s, int len) {
  auto* st = static_cast<ParseState*>(data);
  if (!st->stack.empty()) st->stack.back()->text.append(s, static_cast<size_t>(len));
}

// A DOCTYPE could declare entities (the "billion laughs"): refuse any.
void OnDoctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  auto* st = static_cast<ParseState*>(data);
  st->error = "a DOCTYPE declaration is not allowed";
  XML_StopParser(st->parser, XML_FALSE);
}

absl::StatusOr<std::unique_ptr<Element>> ParseXml(absl::string_view xml, const std::string& source) {
  if (xml.size() > kMaxPythonXmlBytes) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": over ", kMaxPythonXmlBytes >> 20,
                                                   " MiB, too large for a collection file"));
  }
  ParseState st;
  std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> parser(XML_ParserCreate("UTF-8"),
                                                                 XML_ParserFree);
  if (!parser) return absl::ResourceExhaustedError("out of memory for the XML parser");
  st.parser = parser.get();
  XML_SetUserData(parser.get(), &st);
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  XML_SetStartDoctypeDeclHandler(parser.get(), OnDoctype);
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) ==
      XML_STATUS_ERROR) {
    std::string why = st.error.empty() ? XML_ErrorString(XML_GetErrorCode(parser.get()))
                                       : st.error;
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", XML_GetCurrentLineNumber(parser.get()), ": not a valid collection file: ",
        why));
  }
  if (!st.root) return absl::InvalidArgumentError(absl::StrCat(source, ": empty XML"));
  return std::move(st.root);
}

bool IsNameChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// SafeName turns a Python parameter or prompt name into one of ours.
std::string SafeName(absl::string_view in, bool parameter) {
  std::string out;
  for (char c : absl::StripAsciiWhitespace(in)) {
    bool ok = IsNameChar(c) || (!parameter && (c == '.' || c == '-'));
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || (parameter && absl::ascii_isdigit(static_cast<unsigned char>(out[0])))) {
    out.insert(out.begin(), '_');
  }
  return out.substr(0, 64);
}

}  // namespace

std::string ConvertPythonTemplate(absl::string_view text, std::vector<std::string>* notes) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    // Commands are kept as they are: to the first ')' or '}'.
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '(') {
      size_t close = text.find(')', i);
      if (close != absl::string_view::npos && close > i + 2) {
        absl::StrAppend(&out, text.substr(i, close - i + 1));
        i = close;
        continue;
      }
      out += "$$";  // an unclosed "$(" is text
      continue;
    }
    if (c == '{' && (text.substr(i + 1, 5) == "exec:" || text.substr(i + 1, 4) == "cmd:")) {
      // A command may hold {name} parameters: find its own closing brace.
      int depth = 0;
      size_t close = absl::string_view::npos;
      for (size_t j = i; j < text.size(); ++j) {
        if (text[j] == '{') ++depth;
        if (text[j] == '}' && --depth == 0) {
          close = j;
          break;
        }
      }
      if (close != absl::string_view::npos && depth == 0) {
        absl::StrAppend(&out, "{",
                        ConvertPythonTemplate(text.substr(i + 1, close - i - 1), notes), "}");
        i = close;
        continue;
      }
    }
    if (c == '{') {
      size_t close = text.find('}', i + 1);
      size_t open = text.find('{', i + 1);
      if (close != absl::string_view::npos && (open == absl::string_view::npos || open > close) &&
          close > i + 1) {
        absl::string_view inner = text.substr(i + 1, close - i - 1);
        if (absl::StartsWith(inner, "exec:") || absl::StartsWith(inner, "cmd:")) {
          absl::StrAppend(&out, "{", inner, "}");
          i = close;
          continue;
        }
        // Python replaced only names it was given: a JSON example or other
        // code in braces was sent as written, so it stays text here.
        bool plausible = false;
        for (char k : inner) {
          if (absl::ascii_isalnum(static_cast<unsigned char>(k))) plausible = true;
          if (!IsNameChar(k) && k != ' ' && k != '-' && k != '.') {
            plausible = false;
            break;
          }
        }
        if (!plausible) {
          absl::StrAppend(&out, "{{", inner, "}}");
          i = close;
          continue;
        }
        std::string name = SafeName(inner, /*parameter=*/true);
        if (name != inner && notes != nullptr) {
          notes->push_back(absl::StrCat("parameter '", inner, "' is now ", name,
                                        " (pass --param ", name, "=...)"));
        }
        absl::StrAppend(&out, "{", name, "}");
        i = close;
        continue;
      }
      out += "{{";
      if (notes != nullptr && (notes->empty() || notes->back() != "a literal '{' is now written {{")) {
        notes->push_back("a literal '{' is now written {{");
      }
      continue;
    }
    if (c == '}') {
      out += "}}";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

absl::StatusOr<ImportSet> ParsePythonCollection(absl::string_view xml,
                                                       const std::string& source) {
  if (FirstInvalidUtf8(xml) != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": not UTF-8"));
  }
  AIX_ASSIGN_OR_RETURN(std::unique_ptr<Element> root, ParseXml(xml, source));
  if (root->name != "collection") {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": the root element is <", root->name, ">, not <collection>: not a collection file"));
  }
  const Element* meta = root->Child("metadata");
  if (meta == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no <metadata> in <collection>"));
  }
  ImportSet out;
  Collection& c = out.collection;
  std::string raw_name(absl::StripAsciiWhitespace(meta->ChildText("name")));
  if (raw_name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": the collection has no <name>"));
  }
  c.name = SafeName(raw_name, /*parameter=*/false);
  if (c.name != raw_name) {
    out.report.push_back(absl::StrCat("collection '", raw_name, "' is now ", c.name));
  }
  c.description = std::string(absl::StripAsciiWhitespace(meta->ChildText("description")));
  c.author = std::string(absl::StripAsciiWhitespace(meta->ChildText("author")));
  c.tags = meta->List("tags", "tag");
  std::string system(absl::StripAsciiWhitespace(meta->ChildText("system_prompt")));
  if (!system.empty()) {
    // The Python tool stored {"role": "system", "content": ...} as text.
    std::string content = system;
    if (absl::StartsWith(system, "{")) {
      size_t k = system.find("\"content\"");
      if (k != std::string::npos) {
        size_t q1 = system.find('"', system.find(':', k) + 1);
        size_t q2 = q1 == std::string::npos ? q1 : system.rfind('"');
        if (q1 != std::string::npos && q2 > q1) content = system.substr(q1 + 1, q2 - q1 - 1);
      }
    }
    c.system = content;
  }
  if (const Element* templates = root->Child("templates")) {
    for (const auto& t : templates->children) {
      if (t->name != "template") continue;
      const Element* tm = t->Child("metadata");
      std::string raw(absl::StripAsciiWhitespace(tm == nullptr ? "" : tm->ChildText("name")));
      if (raw.empty()) {
        out.report.push_back("a template without a <name> was left out");
        continue;
      }
      Prompt p;
      p.name = SafeName(raw, /*parameter=*/false);
      std::vector<std::string> notes;
      if (p.name != raw) notes.push_back(absl::StrCat("name '", raw, "' is now ", p.name));
      p.description = std::string(absl::StripAsciiWhitespace(tm->ChildText("description")));
      p.tags = tm->List("tags", "tag");
      p.template_text = ConvertPythonTemplate(t->ChildText("content"), &notes);
      if (const Element* gens = tm->Child("placeholder_generators"); gens != nullptr &&
                                                                      !gens->children.empty()) {
        // Scripts run at render time: a second way to run code, not carried.
        notes.push_back(absl::StrCat(gens->children.size(),
                                     " placeholder generator script(s) were not imported; "
                                     "use a template command ($(cmd)) for a computed value"));
      }
      if (!Template::Parse(p.template_text).ok()) {
        out.report.push_back(absl::StrCat(p.name, ": left out, its template could not be read"));
        continue;
      }
      for (const std::string& n : notes) out.report.push_back(absl::StrCat(p.name, ": ", n));
      c.prompts.push_back(p.name);
      out.prompts.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace aix::prompts
