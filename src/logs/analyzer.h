// The detectors: each decoded line is classified once (which detectors'
// filters it passes), then fed to per-key leaky buckets (rate, not totals:
// an event leaks out after `leak`, so a busy client spreading 404s over hours
// never fills one), single-request triggers, and per-window traffic baselines.
// Windows run on the log's own timestamps. All per-key state is capped.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/severity.h"
#include "logs/record.h"
#include "logs/signatures.h"

namespace ig::logs {

enum class Detector : uint8_t {
  Probing,         // IG801
  SensitiveFiles,  // IG802
  Traversal,       // IG803
  ScannerAgent,    // IG804
  BruteForce,      // IG805
  Malformed,       // IG806
  RateLimited,     // IG807
  OpenProxy,       // IG808
  CveProbe,        // IG809
  Injection,       // IG810
  WebShell,        // IG811
  GlobalSpike,     // IG820
  ServiceSpike,    // IG821
  UpstreamErrors,  // IG822
};
inline constexpr size_t kDetectorCount = 14;
inline constexpr size_t kBucketDetectors = 11;  // Probing .. WebShell use leaky buckets or triggers

struct DetectorInfo {
  std::string_view id;
  std::string_view name;
  std::string_view title;
  Severity severity;
  std::string_view description;  // what is counted, grouped how
  std::string_view reference;
};
const std::array<DetectorInfo, kDetectorCount>& detector_catalog();
const DetectorInfo& info(Detector d);
// By ID ("IG801") or name ("http-probing").
const DetectorInfo* find_detector(std::string_view id_or_name, Detector* out = nullptr);

using DetectorMask = uint32_t;
constexpr DetectorMask bit(Detector d) { return 1u << static_cast<unsigned>(d); }

struct BucketParams {
  bool enabled = true;
  uint32_t capacity = 10;   // overflow on the (capacity+1)-th event in the bucket; 0 = trigger
  int64_t leak_ms = 10'000; // one event leaks out per this much log time
  int64_t mute_ms = 300'000;  // after an alert, the same key is quiet this long
  Severity severity = Severity::Medium;
  // auth-brute-force only: when most failures in a full bucket are 401s of ordinary calls (not a credential
  // endpoint), the alert needs the failures to be at least this share of the client's own requests over the
  // last two ratio windows. A busy NAT or proxy whose API clients hit expired tokens stays quiet. 0 = off.
  double min_failure_ratio = 0;
};

struct SpikeParams {
  bool enabled = true;
  int64_t window_ms = 60'000;
  double factor = 5.0;        // window count above factor x baseline
  uint64_t min_count = 200;   // and at least this many (requests, or 5xx answers)
  double min_ratio = 0.2;     // 5xx only: and at least this share of the window's requests
  uint32_t warmup = 5;        // windows seen before the baseline is trusted
  double alpha = 0.2;         // EWMA weight of the newest window
  Severity severity = Severity::Medium;
};

struct AnalyzerConfig {
  std::array<BucketParams, kBucketDetectors> buckets{};
  SpikeParams global_spike, service_spike, upstream_errors;
  int64_t ratio_window_ms = 300'000;  // a client's traffic is counted in windows this long (failure ratio)
  size_t max_keys = 10'000;      // per detector: clients (or client+service) tracked at once
  size_t max_services = 5'000;   // services with a traffic baseline
  size_t max_clients_summary = 10'000;  // distinct clients counted exactly for the summary
  size_t evidence_lines = 3;
  size_t evidence_bytes = 300;
  static AnalyzerConfig defaults();
};

// Reads thresholds from a YAML file (see docs/logs.md); errors say file:line:col.
Result<AnalyzerConfig> load_analyzer_config(const std::string& path);
Result<AnalyzerConfig> parse_analyzer_config(std::string_view text, const std::string& name);
// "500ms", "10s", "5m", "1h" -> milliseconds; nullopt when malformed or outside 1 ms .. 7 days.
std::optional<int64_t> parse_duration_ms(std::string_view text);

struct Evidence {
  uint32_t source = 0;  // index into the analysed inputs' names
  uint64_t line = 0;
  std::string text;     // truncated, control bytes escaped, secret-looking query values redacted
};

struct Alert {
  Detector detector;
  Severity severity;
  std::string client;   // empty for global and per-service detectors
  std::string service;  // ingress-nginx upstream, Traefik service, or Host; empty when unknown
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  uint64_t count = 0;
  std::string detail;   // e.g. the CVE or scanner named, the baseline
  std::vector<Evidence> evidence;
};

struct CountedName {
  std::string name;
  uint64_t requests = 0;
  uint64_t errors_5xx = 0;
};

struct Summary {
  uint64_t lines = 0;
  uint64_t requests = 0;          // access-log requests decoded
  uint64_t error_log_events = 0;  // nginx error-log lines
  uint64_t unparsed = 0;          // lines no format decoded
  uint64_t partial = 0;           // lines decoded only up to the status
  uint64_t truncated = 0;         // lines cut at the length limit
  std::vector<Evidence> unparsed_samples;  // the first few
  int64_t first_ms = 0, last_ms = 0;
  std::array<uint64_t, 1000> statuses{};
  std::array<uint64_t, kDetectorCount> alerts{};
  std::vector<CountedName> top_clients;   // filled by Analyzer::finish()
  std::vector<CountedName> top_services;
  bool clients_approximate = false;       // more distinct clients than counted exactly
  bool services_approximate = false;
  uint64_t distinct_clients = 0;
  uint64_t state_evictions = 0;           // detector keys dropped at the cap while still holding events
  uint64_t held_back = 0;  // full auth-failure buckets not raised: ordinary-call 401s, a small share of the client's traffic
};

class Analyzer {
 public:
  using AlertSink = std::function<void(const Alert&)>;
  Analyzer(AnalyzerConfig config, AlertSink sink);
  ~Analyzer();

  // Which detectors' filters this line passes (the per-line classifier).
  DetectorMask classify(const LogRecord& rec);
  // One decoded line; `raw` is what evidence shows. `signatures`: the line's
  // signature matches when already computed (on another thread), else nullptr.
  void observe(const LogRecord& rec, bool partial, uint32_t source, uint64_t line, std::string_view raw,
               const MatchResult* signatures = nullptr);
  // A line no format decoded (counted, a few kept as samples; fed to the
  // malformed-request detector only when it carries a client address).
  void unparsed(uint32_t source, uint64_t line, std::string_view raw);
  void count_truncated(uint64_t n);
  // End of input: fills the summary's top lists.
  void finish();
  const Summary& summary() const;
  // Keys currently held by one detector (for tests of the caps).
  size_t tracked_keys(Detector d) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The stateless half of classification: the signatures a line's target,
// user agent and referer match. Safe to run on another thread with its own matcher.
void match_signatures(SignatureMatcher& matcher, const LogRecord& rec, MatchResult& out);

// The evidence form of a line: truncated to `max_bytes`, control bytes as
// \xHH, values of query parameters with secret-looking names replaced by "REDACTED".
std::string evidence_text(std::string_view raw, size_t max_bytes);

}  // namespace ig::logs
