// Test harness for integration tests: runs the real aix and aixd binaries
// in a private, short /tmp directory (Unix socket paths are limited to 107
// bytes, and Bazel's TEST_TMPDIR is often longer).
#ifndef AIX_TESTS_INTEGRATION_HARNESS_H_
#define AIX_TESTS_INTEGRATION_HARNESS_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace aix::testing {

// Result of one finished process.
struct Result {
  int exit_code = -1;  // 128+signal if killed by a signal
  std::string out;
  std::string err;
};

// Paths of the binaries under test (from Bazel runfiles).
std::string AixPath();
std::string AixdPath();
// Runfile is the path of a file of this workspace in the runfiles tree.
std::string Runfile(const std::string& rel);

// RunProcess runs argv with exactly `env`, feeding `input` on stdin, and
// kills it after `timeout_s` seconds.
Result RunProcess(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env,
                  const std::string& input = "", int timeout_s = 60);

// Spawn starts argv in the background with exactly `env`, stdin from
// /dev/null, stdout and stderr appended to the given files ("" keeps this
// process's). Returns the child's pid; reap it with Sandbox::WaitExit.
pid_t Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::string& stdout_path, const std::string& stderr_path);

// StatusKb reads a kB field of /proc/PID/status ("VmRSS", "VmHWM"); -1
// when it cannot.
long StatusKb(pid_t pid, const std::string& field);

// FreePort is a loopback TCP port that nobody used a moment ago.
int FreePort();

// Sanitized is true in the ASan/UBSan and TSan builds (AIX_SANITIZER).
bool Sanitized();
// Scaled is how long a repetition loop runs: `plain` in the plain build,
// `sanitized` under a sanitizer. Only for loops whose length is about a
// property the plain build measures (how many runs share one connection,
// how many kill -9s the store survives): under a sanitizer every process
// start costs some 20 times more, and a few rounds already exercise every
// line those loops reach.
int Scaled(int plain, int sanitized);

// Sandbox is one user's world: socket, storage, HOME, all in a fresh
// directory. Its destructor kills every daemon serving its socket and
// removes the directory.
class Sandbox {
 public:
  Sandbox();
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  std::string dir;      // the temporary root
  std::string socket;   // dir/run/aixd.sock
  std::string storage;  // dir/store (AIX_STORAGE_PATH)
  std::string home;     // dir/home
  std::map<std::string, std::string> env;  // environment for children

  std::string ConfigPath() const { return storage + "/config.json"; }
  std::string AutoStartLog() const { return home + "/.local/state/aix/aixd.log"; }

  // Aix runs the client with this sandbox's environment.
  Result Aix(const std::vector<std::string>& args, const std::string& input = "");

  // StartDaemon runs aixd in the foreground as our child (stderr to
  // dir/aixd.stderr) and waits until its socket accepts connections.
  pid_t StartDaemon(const std::vector<std::string>& extra_args = {});

  // WaitExit waits for a child started by StartDaemon; -1 on timeout.
  int WaitExit(pid_t pid, int timeout_s = 10);

  // WaitForSocket polls until the socket accepts connections.
  bool WaitForSocket(int timeout_s = 10) const;

  // WaitSocketGone polls until the socket refuses connections (a killed
  // daemon takes a few ms to close it).
  bool WaitSocketGone(int timeout_s = 10) const;

  // LockPid is the pid recorded in the daemon's lock file (0 if none).
  pid_t LockPid() const;

  // Daemons lists live aixd processes serving this sandbox's socket.
  std::vector<pid_t> Daemons() const;

  // ReadFile returns a file's contents ("" if missing).
  static std::string ReadFile(const std::string& path);
};

}  // namespace aix::testing

#endif  // AIX_TESTS_INTEGRATION_HARNESS_H_
