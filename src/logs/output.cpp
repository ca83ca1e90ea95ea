#include "logs/output.h"

#include <fmt/format.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace ig::logs {

namespace {

std::string source_name(const std::vector<std::string>& sources, uint32_t i) {
  return i < sources.size() ? sources[i] : std::string("?");
}

// Log fields are attacker-controlled (Host, X-Forwarded-For, User-Agent, paths): every
// one is escaped on its way to a terminal, so no escape sequence can rewrite an alert.
std::string shown(std::string_view s) { return terminal_text(s); }

std::string duration_text(int64_t ms) {
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "0%" : fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

}  // namespace

std::string format_time(int64_t ms) {
  if (ms == 0) return "-";
  time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int frac = static_cast<int>(ms - static_cast<int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string s = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (frac != 0) s += fmt::format(".{:03}", frac);
  return s + "Z";
}

void write_alert_text(std::ostream& out, const Alert& a, const std::vector<std::string>& sources, bool color) {
  const DetectorInfo& d = info(a.detector);
  std::string sev = fmt::format("[{}]", to_string(a.severity));
  if (color) sev = fmt::format("{}{}{}", terminal_color(a.severity), sev, kTerminalReset);
  out << sev << ' ' << d.id << ' ' << d.name << ": " << d.title << '\n';
  out << "    ";
  if (!a.client.empty()) out << "client " << shown(a.client) << "  ";
  if (!a.service.empty()) out << "service " << shown(a.service) << "  ";
  out << a.count << (a.count == 1 ? " event " : " events ") << format_time(a.start_ms);
  if (a.end_ms != a.start_ms) out << " .. " << format_time(a.end_ms);
  out << '\n';
  if (!a.detail.empty()) out << "    " << shown(a.detail) << '\n';
  for (const auto& e : a.evidence)
    out << "    " << shown(source_name(sources, e.source)) << ':' << e.line << ": " << shown(e.text) << '\n';
}

void write_alert_json(std::ostream& out, const Alert& a, const std::vector<std::string>& sources) {
  const DetectorInfo& d = info(a.detector);
  nlohmann::ordered_json j;
  j["type"] = "alert";
  j["detector"] = d.id;
  j["name"] = d.name;
  j["severity"] = to_string(a.severity);
  j["title"] = d.title;
  j["client"] = a.client;
  j["service"] = a.service;
  j["window"] = {{"start", format_time(a.start_ms)}, {"end", format_time(a.end_ms)}};
  j["count"] = a.count;
  if (!a.detail.empty()) j["detail"] = a.detail;
  auto ev = nlohmann::ordered_json::array();
  for (const auto& e : a.evidence)
    ev.push_back({{"source", source_name(sources, e.source)}, {"line", e.line}, {"text", e.text}});
  j["evidence"] = std::move(ev);
  out << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

void write_summary_text(std::ostream& out, const Summary& s, const std::vector<std::string>& sources,
                        const std::vector<std::string>& formats) {
  out << "\nSummary\n";
  for (size_t i = 0; i < sources.size(); ++i)
    out << "  input " << shown(sources[i]) << " (" << (i < formats.size() ? formats[i] : "?") << ")\n";
  out << fmt::format("  {} lines: {} requests, {} error-log events, {} unparsed, {} partial, {} cut at the length limit\n",
                     s.lines, s.requests, s.error_log_events, s.unparsed, s.partial, s.truncated);
  if (s.first_ms != 0) out << "  time " << format_time(s.first_ms) << " .. " << format_time(s.last_ms) << '\n';
  std::array<uint64_t, 6> classes{};
  for (size_t code = 0; code < s.statuses.size(); ++code) classes[std::min<size_t>(code / 100, 5)] += s.statuses[code];
  out << "  statuses:";
  for (size_t c = 1; c <= 5; ++c)
    if (classes[c]) out << fmt::format(" {}xx {} ({})", c, classes[c], percent(classes[c], s.requests));
  if (classes[0]) out << fmt::format(" none {}", classes[0]);
  out << '\n';
  if (!s.top_clients.empty()) {
    out << "  top clients" << (s.clients_approximate ? " (approximate: more than the counted maximum)" : "") << ":\n";
    for (const auto& c : s.top_clients)
      out << fmt::format("    {:<40} {:>10} requests  5xx {}\n", shown(c.name), c.requests, percent(c.errors_5xx, c.requests));
  }
  if (!s.top_services.empty()) {
    out << "  top services" << (s.services_approximate ? " (approximate)" : "") << ":\n";
    for (const auto& c : s.top_services)
      out << fmt::format("    {:<40} {:>10} requests  5xx {}\n", shown(c.name), c.requests, percent(c.errors_5xx, c.requests));
  }
  uint64_t total = 0;
  for (auto n : s.alerts) total += n;
  out << "  alerts: " << total << '\n';
  for (size_t i = 0; i < s.alerts.size(); ++i)
    if (s.alerts[i]) {
      const auto& d = info(static_cast<Detector>(i));
      out << fmt::format("    {} {:<22} {}\n", d.id, d.name, s.alerts[i]);
    }
  if (s.held_back)
    out << "  held back: " << s.held_back
        << " times a client's 401s on ordinary calls filled the brute-force bucket at a small share of its "
           "own requests\n";
  if (s.state_evictions)
    out << "  detector state at its cap: " << s.state_evictions
        << " keys with events in flight were dropped (raise limits.max-keys)\n";
  for (const auto& e : s.unparsed_samples)
    out << "  unparsed " << shown(source_name(sources, e.source)) << ':' << e.line << ": " << shown(e.text) << '\n';
}

void write_summary_json(std::ostream& out, const Summary& s, const std::vector<std::string>& sources,
                        const std::vector<std::string>& formats) {
  nlohmann::ordered_json j;
  j["type"] = "summary";
  auto inputs = nlohmann::ordered_json::array();
  for (size_t i = 0; i < sources.size(); ++i)
    inputs.push_back({{"source", sources[i]}, {"format", i < formats.size() ? formats[i] : "?"}});
  j["inputs"] = std::move(inputs);
  j["lines"] = s.lines;
  j["requests"] = s.requests;
  j["error_log_events"] = s.error_log_events;
  j["unparsed"] = s.unparsed;
  j["partial"] = s.partial;
  j["truncated"] = s.truncated;
  j["time"] = {{"start", format_time(s.first_ms)}, {"end", format_time(s.last_ms)}};
  nlohmann::ordered_json st = nlohmann::ordered_json::object();
  for (size_t code = 0; code < s.statuses.size(); ++code)
    if (s.statuses[code]) st[std::to_string(code)] = s.statuses[code];
  j["statuses"] = std::move(st);
  auto list = [](const std::vector<CountedName>& v) {
    auto a = nlohmann::ordered_json::array();
    for (const auto& c : v) a.push_back({{"name", c.name}, {"requests", c.requests}, {"errors_5xx", c.errors_5xx}});
    return a;
  };
  j["top_clients"] = list(s.top_clients);
  j["clients_approximate"] = s.clients_approximate;
  j["top_services"] = list(s.top_services);
  j["services_approximate"] = s.services_approximate;
  nlohmann::ordered_json al = nlohmann::ordered_json::object();
  for (size_t i = 0; i < s.alerts.size(); ++i)
    if (s.alerts[i]) al[std::string(info(static_cast<Detector>(i)).id)] = s.alerts[i];
  j["alerts"] = std::move(al);
  j["state_evictions"] = s.state_evictions;
  j["held_back"] = s.held_back;
  auto samples = nlohmann::ordered_json::array();
  for (const auto& e : s.unparsed_samples)
    samples.push_back({{"source", source_name(sources, e.source)}, {"line", e.line}, {"text", e.text}});
  j["unparsed_samples"] = std::move(samples);
  out << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

void write_detectors(std::ostream& out, const AnalyzerConfig& cfg, bool markdown) {
  const auto& cat = detector_catalog();
  if (markdown) {
    out << "| ID | name | severity | counts | default threshold | reference |\n|---|---|---|---|---|---|\n";
  }
  for (size_t i = 0; i < cat.size(); ++i) {
    const auto& d = cat[i];
    std::string threshold;
    if (i < kBucketDetectors) {
      const auto& b = cfg.buckets[i];
      threshold = b.capacity == 0 ? fmt::format("every request; then quiet {}", duration_text(b.mute_ms))
                                  : fmt::format("{} events, one leaks per {}; then quiet {}", b.capacity + 1,
                                                duration_text(b.leak_ms), duration_text(b.mute_ms));
      if (b.min_failure_ratio > 0)
        threshold += fmt::format("; ordinary-call 401s only at >= {:.0f}% of the client's requests in the last {}",
                                 b.min_failure_ratio * 100, duration_text(2 * cfg.ratio_window_ms));
    } else {
      const SpikeParams& p = i == static_cast<size_t>(Detector::GlobalSpike)    ? cfg.global_spike
                             : i == static_cast<size_t>(Detector::ServiceSpike) ? cfg.service_spike
                                                                                : cfg.upstream_errors;
      threshold = fmt::format("per {}: > {}x baseline and >= {}{}; after {} windows", duration_text(p.window_ms),
                              p.factor, p.min_count,
                              i == static_cast<size_t>(Detector::UpstreamErrors)
                                  ? fmt::format(" and >= {:.0f}% of requests", p.min_ratio * 100)
                                  : "",
                              p.warmup);
    }
    if (markdown) {
      out << "| " << d.id << " | " << d.name << " | " << to_string(d.severity) << " | " << d.description << " | "
          << threshold << " | " << d.reference << " |\n";
    } else {
      out << d.id << "  " << d.name << " (" << to_string(d.severity) << "): " << d.title << "\n    counts: "
          << d.description << "\n    alerts at: " << threshold << '\n';
    }
  }
}

std::string render_metrics(const MetricsSnapshot& m, int64_t now_ms) {
  std::string out;
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP ingressguard_logs_{} {}\n# TYPE ingressguard_logs_{} {}\n", name, help, name, type);
  };
  auto value = [&](std::string_view name, auto v) { out += fmt::format("ingressguard_logs_{} {}\n", name, v); };
  metric("lines_total", "counter", "Lines read.");
  value("lines_total", m.lines);
  metric("requests_total", "counter", "Access-log requests decoded.");
  value("requests_total", m.requests);
  metric("error_log_events_total", "counter", "nginx error-log events decoded.");
  value("error_log_events_total", m.error_log_events);
  metric("unparsed_lines_total", "counter", "Lines no log format decoded.");
  value("unparsed_lines_total", m.unparsed);
  metric("alerts_total", "counter", "Alerts raised, by detector and severity.");
  static constexpr std::array<Severity, 5> kSeverities = {Severity::Info, Severity::Low, Severity::Medium,
                                                          Severity::High, Severity::Critical};
  for (size_t d = 0; d < kDetectorCount; ++d) {
    const DetectorInfo& di = info(static_cast<Detector>(d));
    for (Severity sev : kSeverities) {
      uint64_t n = m.alerts[d][static_cast<size_t>(sev)];
      if (n == 0 && sev != di.severity) continue;  // every detector shown once at its own severity, even at 0
      out += fmt::format("ingressguard_logs_alerts_total{{detector=\"{}\",name=\"{}\",severity=\"{}\"}} {}\n", di.id,
                         di.name, to_string(sev), n);
    }
  }
  metric("state_evictions_total", "counter", "Detector keys dropped at the state cap while holding events.");
  value("state_evictions_total", m.state_evictions);
  metric("held_back_total", "counter",
         "Full brute-force buckets not raised: 401s of ordinary calls, a small share of the client's requests.");
  value("held_back_total", m.held_back);
  metric("lag_bytes", "gauge", "Bytes of the followed file not read yet.");
  value("lag_bytes", m.lag_bytes);
  metric("lag_seconds", "gauge", "Seconds between now and the newest log timestamp read (-1 before the first).");
  value("lag_seconds", m.newest_log_ms == 0 ? -1.0 : static_cast<double>(now_ms - m.newest_log_ms) / 1000.0);
  if (m.blocking) {
    metric("blocked_addresses", "gauge", "Addresses in the deny list now.");
    value("blocked_addresses", m.block.active);
    metric("block_decisions_total", "counter", "Addresses added to the deny list or given a later expiry.");
    value("block_decisions_total", m.block.decisions);
    metric("block_refused_total", "counter", "Alerts at the blocking severity whose client is never blocked.");
    value("block_refused_total", m.block.refused);
    metric("block_evictions_total", "counter", "Deny-list entries dropped at the cap before their expiry.");
    value("block_evictions_total", m.block.evicted);
    metric("blocklist_write_errors_total", "counter", "Deny-list writes that failed.");
    value("blocklist_write_errors_total", m.block.write_errors);
    metric("on_change_runs_total", "counter", "Runs of the --on-change command, by result.");
    out += fmt::format("ingressguard_logs_on_change_runs_total{{result=\"ok\"}} {}\n", m.block.reloads);
    out += fmt::format("ingressguard_logs_on_change_runs_total{{result=\"error\"}} {}\n", m.block.reload_errors);
  }
  return out;
}

}  // namespace ig::logs
