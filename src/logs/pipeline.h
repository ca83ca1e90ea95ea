// From bytes to the analyzer: lines, container envelopes, the format (given
// or detected per input from its first lines), nginx error-log lines in the
// same stream, and unparsed lines counted rather than fatal.
//
// With more than one thread, the caller's thread splits and unwraps lines
// into batches; worker threads decode them and match signatures (the
// stateless work, most of the cost) in parallel; the caller's thread feeds
// the decoded batches to the stateful detectors in input order, so alerts are
// raised on the caller's thread, in order.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
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
  // caller). `threads`: 1 (everything on the caller's thread), or the number
  // of decoding workers beside the caller's thread.
  LogPipeline(Analyzer& analyzer, std::string format, size_t max_line = 64 * 1024, int threads = 1);
  ~LogPipeline();
  LogPipeline(const LogPipeline&) = delete;
  LogPipeline& operator=(const LogPipeline&) = delete;

  // Starts input number `source` (its index in the caller's list of names).
  void begin_input(uint32_t source);
  void feed(std::string_view bytes);
  // A quiet moment (a live stream caught up, --follow waiting): decides a
  // pending format and analyses everything fed so far, so alerts are not held back.
  void flush_detection();
  // The end of the input: its last line without a newline, and detection.
  void end_input();
  // Waits until every line fed so far has been analysed (worker threads).
  void drain();
  // The format used for the current (or last) input; empty before any line.
  const std::string& format_name() const { return format_name_; }

  static constexpr size_t kDetectionLines = 50;

  struct Batch;
  struct RawBatch;

 private:
  void on_line(std::string_view raw);
  void on_payload(std::string_view payload, uint64_t line);
  void decide();
  void submit();
  void analyse_ready(std::unique_lock<std::mutex>& lock);
  void analyse(const Batch& b);
  void work();

  Analyzer& analyzer_;
  std::string requested_;
  size_t max_line_;
  LineSplitter splitter_;
  Unwrapper unwrapper_;
  std::optional<LineFormat> format_;
  std::string format_name_;
  std::string format_spec_;  // what LineFormat::named() builds the format from, on the workers
  std::vector<std::pair<uint64_t, std::string>> pending_;  // lines waiting for format detection
  uint32_t source_ = 0;
  uint64_t line_ = 0;
  uint64_t truncated_seen_ = 0;
  LogRecord rec_;

  // With worker threads.
  bool threaded_ = false;
  std::unique_ptr<RawBatch> raw_;  // being filled
  uint64_t submitted_ = 0;         // batches handed to the workers
  uint64_t next_ = 0;              // the next batch to analyse, in input order
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::pair<uint64_t, std::unique_ptr<RawBatch>>> todo_;
  std::map<uint64_t, std::unique_ptr<Batch>> done_;
  // Spent batches, kept with their capacity: new pages cost page faults.
  std::vector<std::unique_ptr<RawBatch>> spare_raw_;
  std::vector<std::unique_ptr<Batch>> spare_done_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace ig::logs
