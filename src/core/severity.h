// Finding severities, ordered from least to most severe.
#pragma once

#include <optional>
#include <string_view>

namespace ig {

enum class Severity { Info = 0, Low = 1, Medium = 2, High = 3, Critical = 4 };

constexpr std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "unknown";
}

// One terminal palette (ANSI SGR) for every command's text output: scan, logs and probe colour a severity alike.
constexpr std::string_view terminal_color(Severity s) {
  switch (s) {
    case Severity::Critical: return "\x1b[1;35m";
    case Severity::High: return "\x1b[1;31m";
    case Severity::Medium: return "\x1b[1;33m";
    case Severity::Low: return "\x1b[1;36m";
    case Severity::Info: return "\x1b[1;37m";
  }
  return "";
}
inline constexpr std::string_view kTerminalReset = "\x1b[0m";

inline std::optional<Severity> parse_severity(std::string_view s) {
  for (Severity v : {Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical}) {
    if (s == to_string(v)) return v;
  }
  return std::nullopt;
}

}  // namespace ig
