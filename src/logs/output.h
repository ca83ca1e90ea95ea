// Alerts and the end-of-run summary, as text for people and JSON lines for
// machines ({"type":"alert",...} then {"type":"summary",...}).
#pragma once

#include <array>
#include <ostream>
#include <string>
#include <vector>

#include "logs/analyzer.h"
#include "logs/blocklist.h"

namespace ig::logs {

std::string format_time(int64_t ms);  // 2026-03-01T10:15:02Z (.123 when not on a second)

void write_alert_text(std::ostream& out, const Alert& a, const std::vector<std::string>& sources, bool color);
void write_alert_json(std::ostream& out, const Alert& a, const std::vector<std::string>& sources);
void write_summary_text(std::ostream& out, const Summary& s, const std::vector<std::string>& sources,
                        const std::vector<std::string>& formats);
void write_summary_json(std::ostream& out, const Summary& s, const std::vector<std::string>& sources,
                        const std::vector<std::string>& formats);
void write_detectors(std::ostream& out, const AnalyzerConfig& cfg, bool markdown);

// What a long-running `logs --follow` exposes on /metrics (copied from the analysis thread at each batch).
struct MetricsSnapshot {
  uint64_t lines = 0, requests = 0, unparsed = 0, error_log_events = 0;
  uint64_t state_evictions = 0, held_back = 0;
  std::array<std::array<uint64_t, 5>, kDetectorCount> alerts{};  // [detector][severity]
  uint64_t lag_bytes = 0;     // bytes of the file not read yet
  int64_t newest_log_ms = 0;  // the newest timestamp read (0: none yet)
  bool blocking = false;
  BlockStats block;
};
// Prometheus text exposition format 0.0.4; label sets are fixed (detectors, severities), never from the log.
std::string render_metrics(const MetricsSnapshot& m, int64_t now_ms);

}  // namespace ig::logs
