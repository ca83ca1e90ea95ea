// Access-log line formats. Every text format is an nginx `log_format` string
// compiled into a field extractor (the ingress-nginx default, nginx combined,
// Traefik CLF, Envoy and HAProxy presets are such strings over nginx-style
// variables); JSON formats (Traefik, Envoy Gateway, nginx escape=json) are read
// with simdjson by key. nginx error-log lines are recognised in the same
// stream, since the ingress-nginx controller writes both to stdout.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "logs/record.h"

namespace ig::logs {

enum class ParseOutcome {
  Full,     // every field of the format matched
  Partial,  // the line stopped matching after the status (e.g. a shorter variant); fields so far are set
  None,     // not a line of this format
};

class LineFormat {
 public:
  // Presets: ingress-nginx, combined, traefik-clf, traefik-json, envoy, envoy-json, haproxy, json.
  static Result<LineFormat> named(std::string_view name);
  // An nginx log_format string: literals and $variables (${name} too). Unknown
  // variables are matched and ignored. Errors carry the 1-based column.
  static Result<LineFormat> compile_nginx(std::string_view format, std::string name = "nginx");
  // The preset names accepted by named(), in auto-detection order.
  static const std::vector<std::string_view>& preset_names();

  LineFormat(LineFormat&&) noexcept;
  LineFormat& operator=(LineFormat&&) noexcept;
  ~LineFormat();

  const std::string& name() const { return name_; }
  // Decodes one line (without its newline) into `out` (reset first).
  ParseOutcome parse(std::string_view line, LogRecord& out);

  struct Segment;
  struct JsonState;

 private:
  LineFormat();
  std::string name_;
  std::vector<Segment> segments_;
  std::unique_ptr<JsonState> json_;  // set for JSON formats
  bool syslog_prefix_ = false;       // HAProxy: strip "Mon dd hh:mm:ss host proc[pid]: "
  // The last timestamp text and its value: consecutive lines mostly share the second.
  std::string last_time_text_;
  int64_t last_time_ms_ = 0;
  int64_t parse_time_cached(std::string_view text, int kind);
};

// Picks the preset that decodes most of `sample` (non-empty lines, already
// unwrapped); "combined" when none decodes any.
std::string detect_format(const std::vector<std::string>& sample);

// An nginx error-log line ("2026/03/01 10:15:02 [error] 12#12: *3 message,
// client: 1.2.3.4, server: ..., request: \"GET / HTTP/1.1\", host: \"...\""),
// also behind a syslog/journal prefix. False when the line is not one.
bool parse_nginx_error_line(std::string_view line, LogRecord& out);

// Splits a request line "METHOD target PROTOCOL" into `out`; leaves method
// empty when it is not a request line.
void split_request(std::string_view request, LogRecord& out);

// Time parsers (epoch milliseconds; 0 when the text is not a time).
int64_t parse_time_local(std::string_view text);   // 07/Jun/2021:14:37:01 +0000
int64_t parse_time_iso8601(std::string_view text); // 2016-04-15T20:17:00.310Z, offsets allowed
int64_t parse_time_haproxy(std::string_view text); // 14/Jan/2015:12:48:57.127 (UTC)

}  // namespace ig::logs
