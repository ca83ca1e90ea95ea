// With IG_TIMINGS set, the seconds each phase of a command took go to stderr (for benchmarks).
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ostream>

namespace ig {

class PhaseTimings {
 public:
  explicit PhaseTimings(std::ostream& err) : err_(err), on_(std::getenv("IG_TIMINGS") != nullptr) {}
  ~PhaseTimings() { mark("report"); }
  void mark(const char* phase) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    err_ << "ingressguard: " << phase << " " << std::chrono::duration<double>(now - last_).count() << " s\n";
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {  // resident pages, second field
      unsigned long size = 0, resident = 0;
      if (std::fscanf(f, "%lu %lu", &size, &resident) == 2)
        err_ << "ingressguard: " << phase << " rss " << resident * 4096 / 1048576 << " MB\n";
      std::fclose(f);
    }
    last_ = now;
  }

 private:
  std::ostream& err_;
  bool on_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};


}  // namespace ig
