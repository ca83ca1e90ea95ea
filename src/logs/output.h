// Alerts and the end-of-run summary, as text for people and JSON lines for
// machines ({"type":"alert",...} then {"type":"summary",...}).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "logs/analyzer.h"

namespace ig::logs {

std::string format_time(int64_t ms);  // 2026-03-01T10:15:02Z (.123 when not on a second)

void write_alert_text(std::ostream& out, const Alert& a, const std::vector<std::string>& sources, bool color);
void write_alert_json(std::ostream& out, const Alert& a, const std::vector<std::string>& sources);
void write_summary_text(std::ostream& out, const Summary& s, const std::vector<std::string>& sources,
                        const std::vector<std::string>& formats);
void write_summary_json(std::ostream& out, const Summary& s, const std::vector<std::string>& sources,
                        const std::vector<std::string>& formats);
void write_detectors(std::ostream& out, const AnalyzerConfig& cfg, bool markdown);

}  // namespace ig::logs
