#include <fmt/format.h>

#include <array>

#include "report/report.h"

namespace ig {

namespace {

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::Critical: return "\x1b[1;35m";
    case Severity::High: return "\x1b[1;31m";
    case Severity::Medium: return "\x1b[1;33m";
    case Severity::Low: return "\x1b[1;36m";
    case Severity::Info: return "\x1b[1;37m";
  }
  return "";
}

// Lines longer than this are cut in the excerpt; columns beyond it get no caret.
constexpr size_t kMaxExcerpt = 160;

// Source lines may hold anything (a Secret value among them when an error
// points there): show printable ASCII only, and cut long lines.
std::string printable(const std::string& s) {
  std::string out;
  for (char ch : s.substr(0, kMaxExcerpt)) out.push_back((ch >= 0x20 && ch < 0x7f) || ch == '\t' ? ch : '?');
  if (s.size() > kMaxExcerpt) out += "...";
  return out;
}

}  // namespace

void write_text(std::ostream& out, const ScanResult& r, const TextOptions& opts) {
  const Cluster& c = *r.cluster;
  SourceLines lines(c);
  const char* bold = opts.color ? "\x1b[1m" : "";
  const char* reset = opts.color ? "\x1b[0m" : "";
  for (const LoadError& e : r.errors) {
    out << bold << e.file;
    if (e.mark.line) out << ':' << e.mark.line << ':' << e.mark.col;
    out << ": " << reset << (opts.color ? "\x1b[1;31m" : "") << "error: " << reset << e.message << '\n';
  }
  std::array<size_t, 5> counts{};
  size_t suppressed = 0, active = 0;
  for (const Finding& f : r.findings) {
    if (f.suppressed) {  // listed in JSON and SARIF; people see the count
      ++suppressed;
      continue;
    }
    ++active;
    ++counts[static_cast<size_t>(f.severity)];
    const std::string& path = c.files[f.loc.file].path;
    out << bold << fmt::format("{}:{}:{}: ", path, f.loc.line, f.loc.col) << reset;
    out << (opts.color ? severity_color(f.severity) : "") << to_string(f.severity) << ": " << reset;
    out << f.message << " [" << f.rule->id << "]\n";
    // A Secret's lines may hold its data: never echo them.
    std::string src = f.resource.kind == "Secret" ? std::string() : lines.line(f.loc);
    if (!src.empty()) {
      std::string gutter = fmt::format("{:>6}", f.loc.line);
      out << gutter << " | " << printable(src) << '\n';
      if (f.loc.col > 0 && f.loc.col <= kMaxExcerpt)
        out << std::string(gutter.size(), ' ') << " | " << std::string(f.loc.col - 1, ' ') << (opts.color ? "\x1b[1;32m" : "") << '^' << reset << '\n';
    }
    std::string who = fmt::format("{} {}{}{}", f.resource.kind, f.resource.ns, f.resource.ns.empty() ? "" : "/", f.resource.name);
    out << "       = " << who;
    if (!f.resource.origin.empty()) out << " (from " << f.resource.origin << ")";
    out << '\n';
    out << "       = fix: " << f.rule->remediation << "\n\n";
  }
  out << fmt::format("{} finding{} ({} critical, {} high, {} medium, {} low, {} info) in {} object{} from {} file{}",
                     active, active == 1 ? "" : "s", counts[4], counts[3], counts[2], counts[1],
                     counts[0], r.stats.objects, r.stats.objects == 1 ? "" : "s", r.stats.files,
                     r.stats.files == 1 ? "" : "s");
  if (suppressed) out << fmt::format("; {} suppressed by exemptions", suppressed);
  if (!r.errors.empty()) out << fmt::format("; {} input error{}", r.errors.size(), r.errors.size() == 1 ? "" : "s");
  out << '\n';
}

}  // namespace ig
