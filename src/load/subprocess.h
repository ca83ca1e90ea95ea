// Running a helper program (kubectl, helm) with its output captured: stdout up to a size, stderr up to
// 64 KiB, standard input /dev/null, killed when it runs past its deadline or writes too much.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ig {

struct RunResult {
  bool started = false;  // false: the program could not be executed (not on PATH)
  int status = -1;       // as waitpid reports it
  bool timed_out = false, too_large = false;
  bool stopped = false;  // the output's reader asked to stop (the program was killed)
  std::string out, err;
  bool ok() const;  // started, finished in time and size, exit status 0
};

RunResult run_captured(const std::vector<std::string>& argv, uint64_t max_out, int timeout_seconds);

// The same, with stdout handed to `on_out` as it arrives (not kept); `on_out` returns false to stop.
RunResult run_streaming(const std::vector<std::string>& argv, int timeout_seconds,
                        const std::function<bool(std::string_view)>& on_out);

}  // namespace ig
