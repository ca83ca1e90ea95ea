#include "logs/pipeline.h"

#include <array>

namespace ig::logs {

namespace {

struct Span {
  uint32_t off = 0;
  uint32_t len = 0;
};

constexpr size_t kBatchRecords = 4096;
constexpr size_t kMaxQueued = 4;  // batches waiting: bounds memory at a few MB

}  // namespace

// A decoded line whose text fields are spans of the batch's buffer.
struct Packed {
  EventKind kind;
  uint8_t outcome;  // 0 full, 1 partial, 2 unparsed
  int status;
  int upstream_status;
  int64_t time_ms;
  int64_t bytes;
  uint32_t source;
  uint64_t line;
  Span raw;
  std::array<Span, 11> text;  // kTextFields, in order
  MatchResult signatures;
};

// The record's text fields, packed and unpacked in this order.
constexpr std::array<std::string_view LogRecord::*, 11> kTextFields = {
    &LogRecord::client,   &LogRecord::user,       &LogRecord::request, &LogRecord::method,
    &LogRecord::target,   &LogRecord::protocol,   &LogRecord::referer, &LogRecord::user_agent,
    &LogRecord::service,  &LogRecord::host,       &LogRecord::message};

struct LogPipeline::Batch {
  std::string buf;
  std::vector<Packed> records;
  uint64_t truncated = 0;
};

// Unwrapped lines waiting to be decoded, with the format of their input.
struct LogPipeline::RawBatch {
  struct Line {
    uint32_t off, len;
    uint32_t source;
    uint64_t line;
  };
  std::string format;
  std::string buf;
  std::vector<Line> lines;
  uint64_t truncated = 0;
};

namespace {

// Copies the line into the batch and records each field as a span of it (or
// of a copy, for fields that live in a decoder's buffer: JSON unescaping).
void pack(LogPipeline::Batch& b, const LogRecord& r, ParseOutcome outcome, std::string_view payload, uint32_t source,
          uint64_t line, SignatureMatcher& matcher) {
  Packed p{};
  p.source = source;
  p.line = line;
  p.raw = Span{static_cast<uint32_t>(b.buf.size()), static_cast<uint32_t>(payload.size())};
  b.buf.append(payload);
  if (outcome == ParseOutcome::None) {
    p.outcome = 2;
    b.records.push_back(p);
    return;
  }
  p.outcome = outcome == ParseOutcome::Partial ? 1 : 0;
  auto put = [&](std::string_view f) -> Span {
    if (f.empty()) return {};
    if (f.data() >= payload.data() && f.data() + f.size() <= payload.data() + payload.size())
      return Span{p.raw.off + static_cast<uint32_t>(f.data() - payload.data()), static_cast<uint32_t>(f.size())};
    Span s{static_cast<uint32_t>(b.buf.size()), static_cast<uint32_t>(f.size())};
    b.buf.append(f);
    return s;
  };
  p.kind = r.kind;
  p.status = r.status;
  p.upstream_status = r.upstream_status;
  p.time_ms = r.time_ms;
  p.bytes = r.bytes;
  for (size_t i = 0; i < kTextFields.size(); ++i) p.text[i] = put(r.*kTextFields[i]);
  match_signatures(matcher, r, p.signatures);
  b.records.push_back(p);
}

}  // namespace

LogPipeline::LogPipeline(Analyzer& analyzer, std::string format, size_t max_line, int threads)
    : analyzer_(analyzer), requested_(std::move(format)), max_line_(max_line), splitter_(max_line),
      unwrapper_(max_line) {
  if (threads >= 2) {
    threaded_ = true;
    raw_ = std::make_unique<RawBatch>();
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
}

LogPipeline::~LogPipeline() {
  if (!threaded_) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void LogPipeline::begin_input(uint32_t source) {
  if (threaded_) submit();  // a batch holds lines of one input (and one format)
  source_ = source;
  line_ = 0;
  splitter_ = LineSplitter(max_line_);
  truncated_seen_ = 0;
  pending_.clear();
  if (requested_ == "auto") {
    format_.reset();
    format_name_.clear();
    format_spec_.clear();
  } else if (!format_) {
    auto f = LineFormat::named(requested_);
    if (f) {
      format_name_ = f->name();
      format_spec_ = requested_;  // "nginx:<log_format>": the workers compile it again from this
      format_.emplace(std::move(*f));
    }
  }
}

void LogPipeline::feed(std::string_view bytes) {
  splitter_.feed(bytes, [this](std::string_view raw) { on_line(raw); });
  if (splitter_.truncated() != truncated_seen_) {
    uint64_t n = splitter_.truncated() - truncated_seen_;
    if (threaded_) raw_->truncated += n;
    else analyzer_.count_truncated(n);
    truncated_seen_ = splitter_.truncated();
  }
}

void LogPipeline::end_input() {
  splitter_.finish([this](std::string_view raw) { on_line(raw); });
  flush_detection();
}

void LogPipeline::flush_detection() {
  if (!format_ && !pending_.empty()) decide();
  drain();
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
  format_spec_ = f->name();  // a preset: its name
  format_.emplace(std::move(*f));
  auto lines = std::move(pending_);
  pending_.clear();
  for (auto& [n, text] : lines) on_payload(text, n);
}

void LogPipeline::on_payload(std::string_view payload, uint64_t line) {
  if (threaded_) {
    RawBatch& b = *raw_;
    if (b.lines.empty()) b.format = format_spec_;
    b.lines.push_back({static_cast<uint32_t>(b.buf.size()), static_cast<uint32_t>(payload.size()), source_, line});
    b.buf.append(payload);
    if (b.lines.size() >= kBatchRecords || b.buf.size() >= (2u << 20)) submit();
    return;
  }
  ParseOutcome o = format_->parse(payload, rec_);
  if (o != ParseOutcome::None) analyzer_.observe(rec_, o == ParseOutcome::Partial, source_, line, payload);
  else if (parse_nginx_error_line(payload, rec_)) analyzer_.observe(rec_, false, source_, line, payload);
  else analyzer_.unparsed(source_, line, payload);
}

// Hands the batch being filled to the workers; while too many are in flight,
// analyses the decoded ones (which frees room).
void LogPipeline::submit() {
  if (raw_->lines.empty() && raw_->truncated == 0) return;
  if (raw_->format.empty()) raw_->format = format_spec_;
  std::unique_lock lock(mu_);
  for (;;) {
    analyse_ready(lock);
    if (submitted_ - next_ < kMaxQueued) break;
    done_cv_.wait(lock);
  }
  todo_.emplace_back(submitted_++, std::move(raw_));
  if (!spare_raw_.empty()) {
    raw_ = std::move(spare_raw_.back());
    spare_raw_.pop_back();
  }
  lock.unlock();
  work_cv_.notify_one();
  if (!raw_) raw_ = std::make_unique<RawBatch>();
}

// Analyses the decoded batches that are next in input order (called with the lock held; drops it meanwhile).
void LogPipeline::analyse_ready(std::unique_lock<std::mutex>& lock) {
  for (;;) {
    auto it = done_.find(next_);
    if (it == done_.end()) return;
    std::unique_ptr<Batch> b = std::move(it->second);
    done_.erase(it);
    lock.unlock();
    analyse(*b);
    b->buf.clear();
    b->records.clear();
    b->truncated = 0;
    lock.lock();
    spare_done_.push_back(std::move(b));
    ++next_;
  }
}

void LogPipeline::drain() {
  if (!threaded_) return;
  submit();
  std::unique_lock lock(mu_);
  for (;;) {
    analyse_ready(lock);
    if (next_ == submitted_) return;
    done_cv_.wait(lock);
  }
}

void LogPipeline::analyse(const Batch& b) {
  LogRecord r;
  auto view = [&](Span s) { return std::string_view(b.buf.data() + s.off, s.len); };
  for (const Packed& p : b.records) {
    if (p.outcome == 2) {
      analyzer_.unparsed(p.source, p.line, view(p.raw));
      continue;
    }
    r.kind = p.kind;
    r.status = p.status;
    r.upstream_status = p.upstream_status;
    r.time_ms = p.time_ms;
    r.bytes = p.bytes;
    for (size_t i = 0; i < kTextFields.size(); ++i) r.*kTextFields[i] = view(p.text[i]);
    analyzer_.observe(r, p.outcome == 1, p.source, p.line, view(p.raw), &p.signatures);
  }
  if (b.truncated) analyzer_.count_truncated(b.truncated);
}

// A decoding worker: its own formats (they keep per-line caches) and signature scratch space.
void LogPipeline::work() {
  SignatureMatcher matcher;
  std::map<std::string, LineFormat> formats;
  LogRecord rec;
  for (;;) {
    std::pair<uint64_t, std::unique_ptr<RawBatch>> job;
    std::unique_ptr<Batch> out;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || !todo_.empty(); });
      if (todo_.empty()) return;
      job = std::move(todo_.front());
      todo_.pop_front();
      if (!spare_done_.empty()) {
        out = std::move(spare_done_.back());
        spare_done_.pop_back();
      }
    }
    if (!out) out = std::make_unique<Batch>();
    RawBatch& raw = *job.second;
    out->truncated = raw.truncated;
    out->records.reserve(raw.lines.size());
    out->buf.reserve(raw.buf.size() + raw.buf.size() / 4);
    LineFormat* fmt = nullptr;
    if (!raw.lines.empty()) {
      auto it = formats.find(raw.format);
      if (it == formats.end()) {
        auto f = LineFormat::named(raw.format);
        if (f) it = formats.emplace(raw.format, std::move(*f)).first;
      }
      if (it != formats.end()) fmt = &it->second;
    }
    for (const auto& l : raw.lines) {
      std::string_view payload(raw.buf.data() + l.off, l.len);
      ParseOutcome o = fmt ? fmt->parse(payload, rec) : ParseOutcome::None;
      if (o == ParseOutcome::None && parse_nginx_error_line(payload, rec)) o = ParseOutcome::Full;
      pack(*out, rec, o, payload, l.source, l.line, matcher);
    }
    raw.buf.clear();
    raw.lines.clear();
    raw.truncated = 0;
    raw.format.clear();
    {
      std::lock_guard lock(mu_);
      done_.emplace(job.first, std::move(out));
      spare_raw_.push_back(std::move(job.second));
    }
    done_cv_.notify_all();
  }
}

}  // namespace ig::logs
