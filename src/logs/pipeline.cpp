#include "logs/pipeline.h"

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
  Span raw, client, user, request, method, target, protocol, referer, user_agent, service, host, message;
  MatchResult signatures;
};

struct LogPipeline::Batch {
  std::string buf;
  std::vector<Packed> records;
  uint64_t truncated = 0;
};

LogPipeline::LogPipeline(Analyzer& analyzer, std::string format, size_t max_line, int threads)
    : analyzer_(analyzer), requested_(std::move(format)), max_line_(max_line), splitter_(max_line),
      unwrapper_(max_line) {
  if (threads >= 2) {
    threaded_ = true;
    matcher_ = std::make_unique<SignatureMatcher>();
    batch_ = std::make_unique<Batch>();
    consumer_ = std::thread([this] { consume(); });
  }
}

LogPipeline::~LogPipeline() {
  if (!threaded_) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  consumer_.join();
}

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
    uint64_t n = splitter_.truncated() - truncated_seen_;
    if (threaded_) batch_->truncated += n;
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
  if (threaded_) hand_over();
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
  bool decoded = o != ParseOutcome::None;
  if (!decoded && parse_nginx_error_line(payload, rec_)) {
    decoded = true;
    o = ParseOutcome::Full;
  }
  if (threaded_) return pack(decoded ? o : ParseOutcome::None, payload, line);
  if (decoded) analyzer_.observe(rec_, o == ParseOutcome::Partial, source_, line, payload);
  else analyzer_.unparsed(source_, line, payload);
}

// Copies the line into the batch and records each field as a span of it (or
// of a copy, for fields that live in a decoder's buffer: JSON unescaping,
// joined container chunks).
void LogPipeline::pack(ParseOutcome outcome, std::string_view payload, uint64_t line) {
  Batch& b = *batch_;
  Packed p{};
  p.source = source_;
  p.line = line;
  p.raw = Span{static_cast<uint32_t>(b.buf.size()), static_cast<uint32_t>(payload.size())};
  b.buf.append(payload);
  if (outcome == ParseOutcome::None) {
    p.outcome = 2;
  } else {
    p.outcome = outcome == ParseOutcome::Partial ? 1 : 0;
    auto put = [&](std::string_view f) -> Span {
      if (f.empty()) return {};
      if (f.data() >= payload.data() && f.data() + f.size() <= payload.data() + payload.size())
        return Span{p.raw.off + static_cast<uint32_t>(f.data() - payload.data()), static_cast<uint32_t>(f.size())};
      Span s{static_cast<uint32_t>(b.buf.size()), static_cast<uint32_t>(f.size())};
      b.buf.append(f);
      return s;
    };
    const LogRecord& r = rec_;
    p.kind = r.kind;
    p.status = r.status;
    p.upstream_status = r.upstream_status;
    p.time_ms = r.time_ms;
    p.bytes = r.bytes;
    p.client = put(r.client);
    p.user = put(r.user);
    p.request = put(r.request);
    p.method = put(r.method);
    p.target = put(r.target);
    p.protocol = put(r.protocol);
    p.referer = put(r.referer);
    p.user_agent = put(r.user_agent);
    p.service = put(r.service);
    p.host = put(r.host);
    p.message = put(r.message);
    match_signatures(*matcher_, r, p.signatures);
  }
  b.records.push_back(p);
  if (b.records.size() >= kBatchRecords || b.buf.size() >= (4u << 20)) hand_over();
}

void LogPipeline::hand_over() {
  if (batch_->records.empty() && batch_->truncated == 0) return;
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() < kMaxQueued; });
  queue_.push_back(std::move(batch_));
  lock.unlock();
  cv_.notify_all();
  batch_ = std::make_unique<Batch>();
}

void LogPipeline::drain() {
  if (!threaded_) return;
  hand_over();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void LogPipeline::consume() {
  LogRecord r;
  for (;;) {
    std::unique_ptr<Batch> b;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      b = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    cv_.notify_all();  // room in the queue
    const std::string& buf = b->buf;
    auto view = [&](Span s) { return std::string_view(buf.data() + s.off, s.len); };
    for (const Packed& p : b->records) {
      if (p.outcome == 2) {
        analyzer_.unparsed(p.source, p.line, view(p.raw));
        continue;
      }
      r.kind = p.kind;
      r.status = p.status;
      r.upstream_status = p.upstream_status;
      r.time_ms = p.time_ms;
      r.bytes = p.bytes;
      r.client = view(p.client);
      r.user = view(p.user);
      r.request = view(p.request);
      r.method = view(p.method);
      r.target = view(p.target);
      r.protocol = view(p.protocol);
      r.referer = view(p.referer);
      r.user_agent = view(p.user_agent);
      r.service = view(p.service);
      r.host = view(p.host);
      r.message = view(p.message);
      analyzer_.observe(r, p.outcome == 1, p.source, p.line, view(p.raw), &p.signatures);
    }
    if (b->truncated) analyzer_.count_truncated(b->truncated);
    {
      std::lock_guard lock(mu_);
      busy_ = false;
    }
    cv_.notify_all();
  }
}

}  // namespace ig::logs
