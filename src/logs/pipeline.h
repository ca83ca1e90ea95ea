// From bytes to the analyzer: lines, container envelopes, the format (given
// or detected per input from its first lines), nginx error-log lines in the
// same stream, and unparsed lines counted rather than fatal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "logs/analyzer.h"
#include "logs/format.h"
#include "logs/input.h"

namespace ig::logs {

class LogPipeline {
 public:
  // `format`: "auto" or a name LineFormat::named() accepts (checked by the caller).
  LogPipeline(Analyzer& analyzer, std::string format, size_t max_line = 64 * 1024);

  // Starts input number `source` (its index in the caller's list of names).
  void begin_input(uint32_t source);
  void feed(std::string_view bytes);
  // Decides the format now if lines are waiting for detection (a quiet --follow stream).
  void flush_detection();
  // The end of the input: its last line without a newline, and detection.
  void end_input();
  // The format used for the current (or last) input; empty before any line.
  const std::string& format_name() const { return format_name_; }

  static constexpr size_t kDetectionLines = 50;

 private:
  void on_line(std::string_view raw);
  void on_payload(std::string_view payload, uint64_t line);
  void decide();

  Analyzer& analyzer_;
  std::string requested_;
  size_t max_line_;
  LineSplitter splitter_;
  Unwrapper unwrapper_;
  std::optional<LineFormat> format_;
  std::string format_name_;
  std::vector<std::pair<uint64_t, std::string>> pending_;  // lines waiting for format detection
  uint32_t source_ = 0;
  uint64_t line_ = 0;
  uint64_t truncated_seen_ = 0;
  LogRecord rec_;
};

}  // namespace ig::logs
