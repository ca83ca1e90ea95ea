// From bytes to the analyzer: lines, container envelopes, the format (given
// or detected per input from its first lines), nginx error-log lines in the
// same stream, and unparsed lines counted rather than fatal.
//
// With two threads, the caller's thread reads, unwraps, decodes and matches
// signatures (the stateless work) and hands batches of packed records to a
// second thread that runs the stateful detectors; alerts are raised on that
// second thread, in input order.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "logs/analyzer.h"
#include "logs/format.h"
#include "logs/input.h"

namespace ig::logs {

class LogPipeline {
 public:
  // `format`: "auto" or a name LineFormat::named() accepts (checked by the
  // caller). `threads`: 1 (everything on the caller's thread) or 2.
  LogPipeline(Analyzer& analyzer, std::string format, size_t max_line = 64 * 1024, int threads = 1);
  ~LogPipeline();
  LogPipeline(const LogPipeline&) = delete;
  LogPipeline& operator=(const LogPipeline&) = delete;

  // Starts input number `source` (its index in the caller's list of names).
  void begin_input(uint32_t source);
  void feed(std::string_view bytes);
  // A quiet moment (--follow): decides a pending format and hands over
  // what is decoded, so alerts are not held back.
  void flush_detection();
  // The end of the input: its last line without a newline, and detection.
  void end_input();
  // Waits until every line fed so far has been analysed (two threads).
  void drain();
  // The format used for the current (or last) input; empty before any line.
  const std::string& format_name() const { return format_name_; }

  static constexpr size_t kDetectionLines = 50;

  struct Batch;

 private:
  void on_line(std::string_view raw);
  void on_payload(std::string_view payload, uint64_t line);
  void decide();
  void pack(ParseOutcome outcome, std::string_view payload, uint64_t line);
  void hand_over();
  void consume();

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

  // Two-thread mode.
  bool threaded_ = false;
  std::unique_ptr<SignatureMatcher> matcher_;  // the producer's
  std::unique_ptr<Batch> batch_;               // being filled
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Batch>> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread consumer_;
};

}  // namespace ig::logs
