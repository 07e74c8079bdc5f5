// RunCount counts the runs in progress and, when a burst of them is over,
// gives the memory they used back to the system.
//
// Why: a thousand concurrent runs grow glibc's heaps (one arena per busy
// thread) by tens of MB, and glibc keeps freed memory for reuse, so a
// daemon that lives for weeks would sit at its peak forever. Trimming once
// the last run of a burst ends costs a few milliseconds, only then.
#ifndef AIX_DAEMON_SERVICES_RUN_COUNT_H_
#define AIX_DAEMON_SERVICES_RUN_COUNT_H_

#include <malloc.h>

#include <atomic>

namespace aix {

class RunCount {
 public:
  // A burst is at least this many runs in progress at once.
  static constexpr int kBurst = 8;

  void Enter() {
    const int now = active_.fetch_add(1) + 1;
    int peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
  }

  void Leave() {
    if (active_.fetch_sub(1) == 1 && peak_.exchange(0) >= kBurst) malloc_trim(0);
  }

  int active() const { return active_.load(); }

 private:
  std::atomic<int> active_{0};
  std::atomic<int> peak_{0};  // most runs at once since the count was last 0
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_RUN_COUNT_H_
