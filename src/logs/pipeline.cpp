#include "logs/pipeline.h"

namespace ig::logs {

LogPipeline::LogPipeline(Analyzer& analyzer, std::string format, size_t max_line)
    : analyzer_(analyzer), requested_(std::move(format)), max_line_(max_line), splitter_(max_line),
      unwrapper_(max_line) {}

void LogPipeline::begin_input(uint32_t source) {
  source_ = source;
  line_ = 0;
  splitter_ = LineSplitter(max_line_);
  truncated_seen_ = 0;
  pending_.clear();
  if (requested_ == "auto") {
    format_.reset();
    format_name_.clear();
  } else if (!format_) {
    auto f = LineFormat::named(requested_);
    if (f) {
      format_name_ = f->name();
      format_.emplace(std::move(*f));
    }
  }
}

void LogPipeline::feed(std::string_view bytes) {
  splitter_.feed(bytes, [this](std::string_view raw) { on_line(raw); });
  if (splitter_.truncated() != truncated_seen_) {
    analyzer_.count_truncated(splitter_.truncated() - truncated_seen_);
    truncated_seen_ = splitter_.truncated();
  }
}

void LogPipeline::end_input() {
  splitter_.finish([this](std::string_view raw) { on_line(raw); });
  flush_detection();
}

void LogPipeline::flush_detection() {
  if (!format_ && !pending_.empty()) decide();
}

void LogPipeline::on_line(std::string_view raw) {
  ++line_;
  std::string_view payload;
  if (!unwrapper_.unwrap(raw, payload)) return;
  if (payload.empty()) return;
  if (!format_) {
    pending_.emplace_back(line_, std::string(payload));
    if (pending_.size() >= kDetectionLines) decide();
    return;
  }
  on_payload(payload, line_);
}

void LogPipeline::decide() {
  std::vector<std::string> sample;
  sample.reserve(pending_.size());
  for (auto& [n, text] : pending_) sample.push_back(text);
  auto f = LineFormat::named(detect_format(sample));
  format_name_ = f->name();
  format_.emplace(std::move(*f));
  auto lines = std::move(pending_);
  pending_.clear();
  for (auto& [n, text] : lines) on_payload(text, n);
}

void LogPipeline::on_payload(std::string_view payload, uint64_t line) {
  ParseOutcome o = format_->parse(payload, rec_);
  if (o != ParseOutcome::None) {
    analyzer_.observe(rec_, o == ParseOutcome::Partial, source_, line, payload);
  } else if (parse_nginx_error_line(payload, rec_)) {
    analyzer_.observe(rec_, false, source_, line, payload);
  } else {
    analyzer_.unparsed(source_, line, payload);
  }
}

}  // namespace ig::logs
