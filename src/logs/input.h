// Reading log streams: splitting bytes into lines with bounded length, and
// unwrapping the container runtime's envelope (CRI "<time> stdout F <line>"
// with partial "P" chunks joined, Docker json-file {"log":...}, and the
// "[pod/name/container] " prefix of `kubectl logs --prefix`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

namespace ig::logs {

// Splits a byte stream into lines. A line longer than `max_line` is cut at
// that length (and counted); the rest of it up to its newline is dropped, so
// memory stays bounded whatever the input.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line) : max_line_(max_line) {}
  // Feeds bytes; calls `on_line(std::string_view)` for each complete line.
  template <typename F>
  void feed(std::string_view bytes, F&& on_line);
  // Delivers a final line without a newline, if any.
  template <typename F>
  void finish(F&& on_line);
  uint64_t truncated() const { return truncated_; }

 private:
  size_t max_line_;
  std::string carry_;
  bool skipping_ = false;  // inside the dropped tail of an over-long line
  uint64_t truncated_ = 0;
};

class Unwrapper {
 public:
  explicit Unwrapper(size_t max_line);
  ~Unwrapper();
  // Returns false while a partial chunk is being joined (no line yet);
  // otherwise sets `payload` (valid until the next call).
  bool unwrap(std::string_view raw, std::string_view& payload);

 private:
  struct Json;
  size_t max_line_;
  std::string joined_;   // CRI P chunks / Docker lines without their newline
  std::string payload_;  // the last joined line
  bool joining_ = false;
  std::unique_ptr<Json> json_;
};

template <typename F>
void LineSplitter::feed(std::string_view bytes, F&& on_line) {
  while (!bytes.empty()) {
    const void* nl_ptr = std::memchr(bytes.data(), '\n', bytes.size());
    size_t nl = nl_ptr ? static_cast<size_t>(static_cast<const char*>(nl_ptr) - bytes.data()) : bytes.size();
    std::string_view part = bytes.substr(0, nl);
    if (!skipping_) {
      if (carry_.empty() && nl_ptr && part.size() <= max_line_) {
        std::string_view line = part;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        on_line(line);
      } else {
        size_t room = max_line_ - std::min(max_line_, carry_.size());
        if (part.size() > room) {
          carry_.append(part.substr(0, room));
          ++truncated_;
          on_line(std::string_view(carry_));
          carry_.clear();
          skipping_ = true;
        } else {
          carry_.append(part);
          if (nl_ptr) {
            std::string_view line = carry_;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            on_line(line);
            carry_.clear();
          }
        }
      }
    }
    if (!nl_ptr) return;
    skipping_ = false;
    bytes.remove_prefix(nl + 1);
  }
}

template <typename F>
void LineSplitter::finish(F&& on_line) {
  if (!carry_.empty() && !skipping_) on_line(std::string_view(carry_));
  carry_.clear();
  skipping_ = false;
}

}  // namespace ig::logs
