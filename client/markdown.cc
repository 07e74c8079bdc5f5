#include "client/markdown.h"

#include <cmark-gfm.h>

#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace aix {
namespace {

constexpr char kBold[] = "\x1b[1m", kNotBold[] = "\x1b[22m";
constexpr char kItalic[] = "\x1b[3m", kNotItalic[] = "\x1b[23m";
constexpr char kUnderline[] = "\x1b[4m", kNotUnderline[] = "\x1b[24m";
constexpr char kCode[] = "\x1b[36m", kDim[] = "\x1b[2m", kPlain[] = "\x1b[0m";
constexpr char kDefaultColour[] = "\x1b[39m";

// Printable keeps text from writing to the terminal itself: C0 controls
// (but tab and newline) and DEL become U+FFFD.
std::string Printable(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) {
      out += "\xef\xbf\xbd";
    } else {
      out += c;
    }
  }
  return out;
}

// Writer puts text on lines that start with the prefixes of the blocks they
// are in (quote bars, list indentation).
class Writer {
 public:
  void Push(std::string prefix, std::string first_line = "") {
    prefixes_.push_back({std::move(prefix), std::move(first_line)});
  }
  void Pop() {
    if (!prefixes_.empty()) prefixes_.pop_back();
  }
  // Text writes `text`, styles included, starting each line with the
  // prefixes.
  void Text(absl::string_view text) {
    for (char c : text) {
      if (line_start_ && c != '\n') StartLine();
      out_ += c;
      line_start_ = c == '\n';
    }
  }
  void Style(const char* code) {
    if (line_start_) StartLine();
    out_ += code;
  }
  void EndLine() {
    if (!line_start_) Text("\n");
  }
  // Gap sets a block apart from the one before (a prefixed blank line).
  void Gap() {
    EndLine();
    if (out_.empty()) return;
    for (const auto& p : prefixes_) out_ += std::string(absl::StripTrailingAsciiWhitespace(p.prefix));
    out_ += "\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  struct Prefix {
    std::string prefix;
    std::string first_line;  // replaces `prefix` on the block's first line
  };
  void StartLine() {
    for (Prefix& p : prefixes_) {
      if (!p.first_line.empty()) {
        out_ += p.first_line;
        p.first_line.clear();
      } else {
        out_ += p.prefix;
      }
    }
    line_start_ = false;
  }

  std::vector<Prefix> prefixes_;
  std::string out_;
  bool line_start_ = true;
};

std::string Literal(cmark_node* node) {
  const char* s = cmark_node_get_literal(node);
  return Printable(s == nullptr ? "" : s);
}

// Tight is true inside an item of a tight list (no gaps between its
// paragraphs).
bool Tight(cmark_node* node) {
  for (cmark_node* n = cmark_node_parent(node); n != nullptr; n = cmark_node_parent(n)) {
    if (cmark_node_get_type(n) == CMARK_NODE_LIST) return cmark_node_get_list_tight(n) != 0;
  }
  return false;
}

// ItemMarker is "• " or "3. " for a list item.
std::string ItemMarker(cmark_node* item) {
  cmark_node* list = cmark_node_parent(item);
  if (list == nullptr || cmark_node_get_list_type(list) != CMARK_ORDERED_LIST) return "• ";
  int n = cmark_node_get_list_start(list);
  for (cmark_node* s = cmark_node_previous(item); s != nullptr; s = cmark_node_previous(s)) ++n;
  return absl::StrCat(n, ". ");
}

// Apart is true for a block that follows another in its container: a blank
// line goes between them (not in a tight list, whose items' paragraphs stay
// together).
bool Apart(cmark_node* node) {
  if (cmark_node_previous(node) == nullptr) return false;
  cmark_node* parent = cmark_node_parent(node);
  return parent == nullptr || cmark_node_get_type(parent) != CMARK_NODE_ITEM || !Tight(node);
}

void Enter(cmark_node* node, Writer* w) {
  if ((cmark_node_get_type(node) & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK &&
      cmark_node_get_type(node) != CMARK_NODE_ITEM && Apart(node)) {
    w->Gap();
  }
  switch (cmark_node_get_type(node)) {
    case CMARK_NODE_PARAGRAPH:
      break;
    case CMARK_NODE_HEADING:
      w->Style(kBold);
      if (cmark_node_get_heading_level(node) == 1) w->Style(kUnderline);
      break;
    case CMARK_NODE_BLOCK_QUOTE:
      w->Push(std::string(kDim) + "│" + kPlain + " ");
      break;
    case CMARK_NODE_LIST:
      w->EndLine();
      break;
    case CMARK_NODE_ITEM: {
      w->EndLine();
      std::string marker = ItemMarker(node);
      w->Push(std::string(marker.size() > 2 ? marker.size() : 2, ' '), marker);
      break;
    }
    case CMARK_NODE_CODE_BLOCK: {
      w->EndLine();
      w->Push("    ");
      std::string code = Literal(node);
      if (!code.empty() && code.back() == '\n') code.pop_back();
      w->Style(kCode);
      w->Text(code);
      w->Style(kDefaultColour);
      w->EndLine();
      w->Pop();
      break;
    }
    case CMARK_NODE_HTML_BLOCK:
      w->Text(Literal(node));
      break;
    case CMARK_NODE_THEMATIC_BREAK:
      w->Style(kDim);
      w->Text("────────────────────────────────────────");
      w->Style(kPlain);
      w->EndLine();
      break;
    case CMARK_NODE_TEXT:
    case CMARK_NODE_HTML_INLINE:
      w->Text(Literal(node));
      break;
    case CMARK_NODE_CODE:
      w->Style(kCode);
      w->Text(Literal(node));
      w->Style(kDefaultColour);
      break;
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
      w->Text("\n");
      break;
    case CMARK_NODE_EMPH:
      w->Style(kItalic);
      break;
    case CMARK_NODE_STRONG:
      w->Style(kBold);
      break;
    case CMARK_NODE_IMAGE:
      w->Text("[image: ");
      break;
    default:
      break;
  }
}

void Exit(cmark_node* node, Writer* w) {
  switch (cmark_node_get_type(node)) {
    case CMARK_NODE_HEADING:
      w->Style(kNotUnderline);
      w->Style(kNotBold);
      w->EndLine();
      break;
    case CMARK_NODE_PARAGRAPH:
      w->EndLine();
      break;
    case CMARK_NODE_BLOCK_QUOTE:
    case CMARK_NODE_ITEM:
      w->EndLine();
      w->Pop();
      break;
    case CMARK_NODE_EMPH:
      w->Style(kNotItalic);
      break;
    case CMARK_NODE_STRONG:
      w->Style(kNotBold);
      break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE: {
      const char* url = cmark_node_get_url(node);
      if (cmark_node_get_type(node) == CMARK_NODE_IMAGE) w->Text("]");
      if (url != nullptr && *url != '\0') {
        w->Style(kDim);
        w->Text(absl::StrCat(" (", Printable(url), ")"));
        w->Style(kPlain);
      }
      break;
    }
    default:
      break;
  }
}

// FenceOf returns the fence a line opens ("```", "~~~~"), or "".
std::string FenceOf(absl::string_view line) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return "";
  const char c = line[i];
  size_t n = 0;
  while (i + n < line.size() && line[i + n] == c) ++n;
  if (n < 3) return "";
  // A backtick fence's info string holds no backtick.
  if (c == '`' && line.substr(i + n).find('`') != absl::string_view::npos) return "";
  return std::string(n, c);
}

// Closes is true when `line` closes `fence`: as many or more of its
// characters, then only spaces.
bool Closes(absl::string_view line, const std::string& fence) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  size_t n = 0;
  while (i + n < line.size() && line[i + n] == fence[0]) ++n;
  return n >= fence.size() && absl::StripAsciiWhitespace(line.substr(i + n)).empty();
}

}  // namespace

std::string RenderMarkdown(absl::string_view markdown) {
  std::unique_ptr<cmark_node, void (*)(cmark_node*)> doc(
      cmark_parse_document(markdown.data(), markdown.size(), CMARK_OPT_DEFAULT),
      &cmark_node_free);
  if (doc == nullptr) return Printable(markdown);
  Writer w;
  std::unique_ptr<cmark_iter, void (*)(cmark_iter*)> it(cmark_iter_new(doc.get()), &cmark_iter_free);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
    cmark_node* node = cmark_iter_get_node(it.get());
    if (ev == CMARK_EVENT_ENTER) {
      Enter(node, &w);
    } else if (ev == CMARK_EVENT_EXIT) {
      Exit(node, &w);
    }
  }
  w.EndLine();
  return w.Take();
}

std::string MarkdownStream::Feed(absl::string_view text) {
  std::string out;
  partial_.append(text.data(), text.size());
  size_t start = 0;
  for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    Line(partial_.substr(start, nl + 1 - start), &out);
  }
  partial_.erase(0, start);
  // A line that never ends is shown as it stands once it is too long.
  if (partial_.size() > kMaxHeldBytes) {
    Line(std::move(partial_) + "\n", &out);
    partial_.clear();
  }
  return out;
}

std::string MarkdownStream::Flush() {
  std::string out;
  if (!partial_.empty()) Line(std::move(partial_) + "\n", &out);
  partial_.clear();
  Emit(&out);
  fence_.clear();
  return out;
}

void MarkdownStream::Line(std::string line, std::string* out) {
  absl::string_view text(line);
  if (!fence_.empty()) {
    block_ += line;
    if (Closes(text, fence_)) {
      fence_.clear();
      Emit(out);
    }
  } else if (std::string fence = FenceOf(text); !fence.empty()) {
    Emit(out);
    block_ = line;
    fence_ = fence;
  } else if (absl::StripAsciiWhitespace(text).empty()) {
    Emit(out);
  } else {
    block_ += line;
  }
  if (block_.size() > kMaxHeldBytes) Emit(out);
}

void MarkdownStream::Emit(std::string* out) {
  if (absl::StripAsciiWhitespace(block_).empty()) {
    block_.clear();
    return;
  }
  // A code block cut by the bound is closed for the renderer, and opened
  // again for the lines that follow.
  std::string block = std::move(block_);
  block_.clear();
  if (!fence_.empty()) {
    block += fence_ + "\n";
    block_ = fence_ + "\n";
  }
  if (emitted_) *out += "\n";
  *out += RenderMarkdown(block);
  emitted_ = true;
}

}  // namespace aix
