// A child process for integration tests (the real binary, or nginx for the
// prober): started with its output in files, signalled, waited for with a
// bound, and killed by the destructor if still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ig::testing {

class ChildProcess {
 public:
  // argv[0] is the program path. Standard input is /dev/null.
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path, const std::string& stderr_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // The exit status (or 128 + signal) once it exits; nullopt if still running after `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Polls a file until a line containing `needle` appears (returned) or the timeout passes.
std::optional<std::string> wait_for_line(const std::string& path, const std::string& needle,
                                         std::chrono::milliseconds timeout);

// Runs a shell command line (popen) and returns its exit code (-1 when it did not exit) and standard output.
struct ShellResult {
  int code = -1;
  std::string out;
};
ShellResult run_shell(const std::string& command);

std::string read_file(const std::string& path);
// A directory made for a test (/tmp/PREFIX-XXXXXX), removed with everything in it by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "ig-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (for a server the test starts).
uint16_t free_port();
void write_file(const std::string& path, const std::string& content);  // atomically: write then rename

}  // namespace ig::testing
