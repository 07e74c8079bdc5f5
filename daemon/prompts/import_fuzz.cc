// Fuzz target for what `aix collection import` is handed: our bundles, the
// Python aix's bundles (.tar.gz with a manifest) and its collection .xml
// files. The bytes come from anyone (a download, a repository). Properties:
// nothing throws or crashes, whatever the archive or XML holds (links,
// devices, bombs, entities); a refusal says why. Names and templates are
// checked later, by ApplyImport, before anything is written.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/prompts/bundle.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto set = aix::prompts::ReadImport(input, "fuzz.bin");
  if (!set.ok()) {
    Check(!set.status().message().empty());
    return 0;
  }
  for (const aix::prompts::Prompt& p : set->prompts) {
    Check(p.template_text.size() <= aix::prompts::kMaxBundleBytes);
  }
  return 0;
}
