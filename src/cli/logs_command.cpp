#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "core/cidr.h"
#include "core/text.h"
#include "core/unique_fd.h"
#include "logs/analyzer.h"
#include "logs/blocklist.h"
#include "logs/metrics_endpoint.h"
#include "logs/output.h"
#include "logs/pipeline.h"

namespace ig {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

// SIGINT/SIGTERM end a --follow run with its summary; read() is interrupted
// (no SA_RESTART) so a quiet stdin does not hold the exit.
class StopSignals {
 public:
  StopSignals() {
    g_stop.store(false);
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The deny list and decisions feed from the command line; an error names the option.
Result<logs::BlocklistOptions> block_options(const LogsOptions& opts) {
  logs::BlocklistOptions b;
  b.path = opts.blocklist;
  b.decisions = opts.decisions;
  b.max_entries = opts.block_max;
  b.min_severity = parse_severity(opts.block_on).value_or(Severity::High);
  auto d = logs::parse_duration_ms(opts.block_for);
  if (!d || *d < 1000) return Error{"--block-for wants a duration from 1s to 7 days such as 30m or 4h, got \"" + opts.block_for + "\"", {}};
  b.duration_ms = *d;
  for (const std::string& n : opts.never_block) {
    auto r = parse_cidr(n);
    if (!r) return Error{"--never-block wants an address or CIDR, got \"" + n + "\"", {}};
    b.never.push_back(*r);
  }
  std::istringstream words(opts.on_change);
  for (std::string w; words >> w;) b.on_change.push_back(w);
  if (!b.on_change.empty() && b.path.empty()) return Error{"--on-change runs after the deny list changes: give --blocklist", {}};
  return b;
}

// Empties a followed file whose every byte has been read (its size is still `offset`). A writer that opened it
// with O_APPEND (nginx) goes on at its new end. Lines written between the size check and the truncation, a
// window of one system call, are lost; false when the file grew meanwhile or cannot be written.
bool truncate_when_read(const std::string& path, off_t offset) {
  UniqueFd w(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  struct stat st {};
  if (w.get() < 0 || fstat(w.get(), &st) != 0 || st.st_size != offset) return false;
  return ::ftruncate(w.get(), 0) == 0;
}

Result<logs::AnalyzerConfig> load_config(const LogsOptions& opts) {
  if (opts.config) return logs::load_analyzer_config(*opts.config);
  return logs::AnalyzerConfig::defaults();
}

}  // namespace

int run_list_detectors(const LogsOptions& opts, bool markdown, std::ostream& out, std::ostream& err) {
  auto cfg = load_config(opts);
  if (!cfg) {
    err << "ingressguard: " << cfg.error().message << '\n';
    return static_cast<int>(ExitCode::Error);
  }
  logs::write_detectors(out, *cfg, markdown);
  return 0;
}

// Above this share of undecoded lines, a run is an error (exit 2), not a clean result.
constexpr uint64_t kMaxUnparsedPercent = 50;

int run_logs(const LogsOptions& opts, std::ostream& out, std::ostream& err) {
  auto cfg = load_config(opts);
  if (!cfg) {
    err << "ingressguard: " << cfg.error().message << '\n';
    return static_cast<int>(ExitCode::Error);
  }
  if (opts.log_format != "auto") {
    auto f = logs::LineFormat::named(opts.log_format);
    if (!f) {
      std::string where = opts.log_format.substr(0, 6) == "nginx:" && f.error().mark.col
                              ? " (at column " + std::to_string(f.error().mark.col) + " of the format string)"
                              : "";
      err << "ingressguard: --log-format: " << f.error().message << where << '\n';
      return static_cast<int>(ExitCode::Error);
    }
  }
  std::vector<std::string> sources = opts.paths.empty() ? std::vector<std::string>{"-"} : opts.paths;
  if (opts.follow && sources.size() != 1) {
    err << "ingressguard: --follow reads exactly one file (or - for stdin)\n";
    return static_cast<int>(ExitCode::Error);
  }
  bool json = opts.format == "json";
  bool failed = false;
  std::vector<std::string> names;  // as shown in evidence: "stdin" for -
  for (const auto& s : sources) names.push_back(s == "-" ? "stdin" : s);
  std::vector<std::string> formats(sources.size());
  if (opts.truncate_at_mb > 0 && (!opts.follow || sources.front() == "-")) {
    err << "ingressguard: --truncate-at empties a file that --follow reads: add --follow and a file\n";
    return static_cast<int>(ExitCode::Error);
  }
  if (!opts.listen.empty() && !opts.follow) {
    err << "ingressguard: --listen serves metrics while --follow runs: add --follow\n";
    return static_cast<int>(ExitCode::Error);
  }
  std::unique_ptr<logs::Blocklist> block;
  if (!opts.blocklist.empty() || !opts.decisions.empty()) {
    auto bo = block_options(opts);
    auto b = bo ? logs::Blocklist::open(std::move(*bo), now_ms() / 1000) : Result<std::unique_ptr<logs::Blocklist>>(bo.error());
    if (!b) {
      err << "ingressguard: " << b.error().message << '\n';
      return static_cast<int>(ExitCode::Error);
    }
    block = std::move(*b);
  }
  logs::MetricsSnapshot counted;  // the analysis thread's; copied to `published` for /metrics
  counted.blocking = block != nullptr;
  logs::Analyzer analyzer(*cfg, [&](const logs::Alert& a) {
    if (opts.fail_on && a.severity >= *opts.fail_on) failed = true;
    ++counted.alerts[static_cast<size_t>(a.detector)][static_cast<size_t>(a.severity)];
    if (block) block->consider(a, now_ms() / 1000);
    if (json) logs::write_alert_json(out, a, names);
    else logs::write_alert_text(out, a, names, opts.color);
    out.flush();
  });
  std::mutex published_mu;
  logs::MetricsSnapshot published = counted;
  std::unique_ptr<logs::MetricsEndpoint> endpoint;
  if (!opts.listen.empty()) {
    auto e = logs::MetricsEndpoint::start(opts.listen, [&] {
      std::lock_guard lock(published_mu);
      return logs::render_metrics(published, now_ms());
    });
    if (!e) {
      err << "ingressguard: " << e.error().message << '\n';
      return static_cast<int>(ExitCode::Error);
    }
    endpoint = std::move(*e);
    err << "ingressguard: metrics on http://" << endpoint->address() << "/metrics\n";
  }
  std::string last_block_error;
  // After each batch: the deny list written (and the reload run) when it changed; the metrics published.
  auto act = [&](uint64_t lag_bytes) {
    if (block) {
      std::string error;
      block->expire(now_ms() / 1000);
      block->commit(now_ms() / 1000, error);
      if (!error.empty() && error != last_block_error) err << "ingressguard: " << error << '\n';
      last_block_error = error;
    }
    if (!endpoint) return;
    const logs::Summary& s = analyzer.summary();
    std::lock_guard lock(published_mu);
    published = counted;
    published.lines = s.lines;
    published.requests = s.requests;
    published.unparsed = s.unparsed;
    published.error_log_events = s.error_log_events;
    published.held_back = s.held_back;
    published.state_evictions = s.state_evictions;
    published.newest_log_ms = s.last_ms;
    published.lag_bytes = lag_bytes;
    if (block) published.block = block->stats();
  };
  int threads = opts.threads > 0 ? opts.threads : (std::thread::hardware_concurrency() >= 2 ? 2 : 1);
  logs::LogPipeline pipeline(analyzer, opts.log_format, 64 * 1024, threads);
  StopSignals signals;
  bool read_error = false;
  std::vector<char> buf(1 << 20);

  for (uint32_t i = 0; i < sources.size() && !g_stop.load(); ++i) {
    const std::string& path = sources[i];
    UniqueFd fd(path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      err << "ingressguard: " << terminal_text(path) << ": " << std::strerror(errno) << '\n';
      read_error = true;
      continue;
    }
    struct stat st {};
    if (fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
      err << "ingressguard: " << path << ": is a directory (give the log files)\n";
      read_error = true;
      continue;
    }
    pipeline.begin_input(i);
    off_t offset = 0;
    ino_t inode = st.st_ino;
    // Reads what the file holds now, to its current end. False on a read error or a stop signal.
    auto read_to_end = [&]() {
      for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n > 0) {
          offset += n;
          pipeline.feed(std::string_view(buf.data(), static_cast<size_t>(n)));
          // A short read on a pipe means the writer is caught up (kubectl logs -f): alert now, not a batch later.
          if (!S_ISREG(st.st_mode) && static_cast<size_t>(n) < buf.size()) pipeline.flush_detection();
          if (block || endpoint) {
            struct stat now {};
            bool sized = S_ISREG(st.st_mode) && fstat(fd.get(), &now) == 0 && now.st_size > offset;
            act(sized ? static_cast<uint64_t>(now.st_size - offset) : 0);
          }
          continue;
        }
        if (n < 0 && errno == EINTR) {
          if (g_stop.load()) return false;
          continue;
        }
        if (n < 0) {
          err << "ingressguard: " << terminal_text(path) << ": " << std::strerror(errno) << '\n';
          read_error = true;
          return false;
        }
        return true;  // end of the data for now
      }
    };
    while (read_to_end()) {
      if (!opts.follow || path == "-" || g_stop.load()) break;
      pipeline.flush_detection();  // alerts are written (and flushed) by the analysis thread
      act(0);
      if (opts.truncate_at_mb > 0 && static_cast<uint64_t>(offset) >= opts.truncate_at_mb << 20 &&
          truncate_when_read(path, offset)) {
        // A log on a shared volume that nothing else rotates: emptied once read (its writer appends at 0).
        ::lseek(fd.get(), 0, SEEK_SET);
        pipeline.end_input();
        pipeline.begin_input(i);
        offset = 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(opts.poll_ms));
      if (g_stop.load()) break;
      struct stat now {};
      if (::stat(path.c_str(), &now) != 0) continue;  // moved away, not yet recreated: the old file is still read
      if (now.st_ino != inode) {
        // Rotated: a new file at the path. The old one may have grown since the last read (lines written
        // before the rename, and by writers that still hold it open): read it to its end first.
        if (!read_to_end()) break;
        int nfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (nfd < 0) continue;
        fd.reset(nfd);
        fstat(nfd, &now);
        pipeline.end_input();  // line numbers start again in the new file
        pipeline.begin_input(i);
        inode = now.st_ino;
        offset = 0;
      } else if (now.st_size < offset) {
        // Truncated in place (copytruncate): read again from its start.
        ::lseek(fd.get(), 0, SEEK_SET);
        pipeline.end_input();
        pipeline.begin_input(i);
        offset = 0;
      }
    }
    pipeline.end_input();
    formats[i] = pipeline.format_name().empty() ? "no lines" : pipeline.format_name();
  }
  pipeline.drain();
  act(0);
  analyzer.finish();
  if (opts.summary) {
    if (json) logs::write_summary_json(out, analyzer.summary(), names, formats);
    else logs::write_summary_text(out, analyzer.summary(), names, formats);
  }
  out.flush();
  if (read_error) return static_cast<int>(ExitCode::Error);
  // A format that decodes (almost) nothing is not a clean log: most likely the wrong --log-format.
  const logs::Summary& sum = analyzer.summary();
  if (sum.lines > 0 && sum.unparsed * 100 > sum.lines * kMaxUnparsedPercent) {
    err << "ingressguard: " << sum.unparsed << " of " << sum.lines << " lines (" << (sum.unparsed * 100 / sum.lines)
        << "%) were not decoded with the log format ("
        << (opts.log_format == "auto" ? "auto: " + formats.front() : opts.log_format)
        << "): check --log-format; the first of them:\n";
    for (const logs::Evidence& e : sum.unparsed_samples)
      err << "  " << names[e.source] << ":" << e.line << ": " << e.text << "\n";
    return static_cast<int>(ExitCode::Error);
  }
  return failed ? static_cast<int>(ExitCode::Findings) : static_cast<int>(ExitCode::Clean);
}

}  // namespace ig
