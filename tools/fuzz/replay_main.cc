// A main() for fuzz targets under `bazel test`: runs the target on every
// seed file given (paths relative to the runfiles root, files or
// directories), then on a fixed number of deterministic mutations of them.
// The real, coverage-guided fuzzing is tools/fuzz/run.sh (libFuzzer).
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Collect(const std::string& path, std::vector<std::string>* seeds) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    fprintf(stderr, "seed path %s missing\n", path.c_str());
    std::exit(1);
  }
  if (S_ISDIR(st.st_mode)) {
    DIR* d = opendir(path.c_str());
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') Collect(path + "/" + e->d_name, seeds);
    }
    closedir(d);
    return;
  }
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  seeds->push_back(ss.str());
}

void Run(const std::string& s) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

int main(int argc, char** argv) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string root = std::string(srcdir ? srcdir : ".") + "/aix/";
  std::vector<std::string> seeds = {"", "\n", "{", "}", "{{}}", "data:\n\n"};
  for (int i = 1; i < argc; ++i) Collect(root + argv[i], &seeds);
  for (const std::string& s : seeds) Run(s);
  std::mt19937 rng(20261127);
  constexpr int kMutations = 20000;
  for (int i = 0; i < kMutations; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    int edits = 1 + rng() % 8;
    for (int e = 0; e < edits; ++e) {
      size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0:  // insert a byte, biased to the syntax that matters
          s.insert(at, 1, "\n\r:{} d"[rng() % 7]);
          break;
        case 1:  // insert any byte
          s.insert(at, 1, static_cast<char>(rng()));
          break;
        case 2:  // delete
          if (at < s.size()) s.erase(at, 1 + rng() % 4);
          break;
        default:  // splice in part of another seed
          const std::string& o = seeds[rng() % seeds.size()];
          if (!o.empty()) s.insert(at, o.substr(rng() % o.size(), 1 + rng() % 32));
      }
    }
    Run(s);
  }
  printf("%zu seeds and %d mutations ran clean\n", seeds.size(), kMutations);
  return 0;
}
