#include <fmt/format.h>

#include <array>

#include "core/text.h"
#include "report/report.h"

namespace ig {

namespace {

// At most this many bytes of a source line are shown: a window around the
// column on long lines (compact JSON, flow style), with "..." where cut.
constexpr size_t kMaxExcerpt = 160;
constexpr size_t kContextBefore = 60;

struct Excerpt {
  std::string text;
  size_t caret = 0;  // 0-based position of the column in `text`; npos when not shown
};

// Source lines may hold anything: show printable ASCII only (Secret values
// are already masked by SourceLines).
Excerpt excerpt(const std::string& s, uint32_t col) {
  size_t at = col ? col - 1 : 0;
  size_t from = at + 20 > kMaxExcerpt && s.size() > kMaxExcerpt ? at - std::min(at, kContextBefore) : 0;
  Excerpt e;
  if (from) e.text = "...";
  for (char ch : s.substr(from, kMaxExcerpt)) e.text.push_back((ch >= 0x20 && ch < 0x7f) || ch == '\t' ? ch : '?');
  if (s.size() > from + kMaxExcerpt) e.text += "...";
  e.caret = col && at - from < kMaxExcerpt ? at - from + (from ? 3 : 0) : std::string::npos;
  return e;
}

}  // namespace

void write_text(std::ostream& out, const ScanResult& r, const TextOptions& opts) {
  const Cluster& c = *r.cluster;
  SourceLines lines(c);
  const char* bold = opts.color ? "\x1b[1m" : "";
  const char* reset = opts.color ? "\x1b[0m" : "";
  for (const LoadError& e : r.errors) {
    out << bold << terminal_text(e.file);
    if (e.mark.line) out << ':' << e.mark.line << ':' << e.mark.col;
    out << ": " << reset << (opts.color ? "\x1b[1;31m" : "") << "error: " << reset << terminal_text(e.message) << '\n';
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
    // Paths, names and messages carry values from the input: escaped before they reach a terminal.
    out << bold << fmt::format("{}:{}:{}: ", terminal_text(path), f.loc.line, f.loc.col) << reset;
    out << (opts.color ? terminal_color(f.severity) : "") << to_string(f.severity) << ": " << reset;
    out << terminal_text(f.message) << " [" << f.rule->id << "]\n";
    // A Secret's lines may hold its data: never echo them.
    std::string src = f.resource.kind == "Secret" ? std::string() : lines.line(f.loc);
    if (!src.empty()) {
      std::string gutter = fmt::format("{:>6}", f.loc.line);
      Excerpt e = excerpt(src, f.loc.col);
      out << gutter << " | " << e.text << '\n';
      if (e.caret != std::string::npos)
        out << std::string(gutter.size(), ' ') << " | " << std::string(e.caret, ' ') << (opts.color ? "\x1b[1;32m" : "") << '^' << reset << '\n';
    }
    if (f.field) {
      out << "       = field " << terminal_text(f.field->path);
      if (!f.field->value.empty()) out << ": " << terminal_text(f.field->value);
      out << '\n';
    }
    out << "       = " << terminal_text(object_name(f.resource));
    if (!f.resource.origin.empty()) out << " (from " << terminal_text(f.resource.origin) << ")";
    out << '\n';
    out << "       = fix: " << f.remediation() << "\n\n";
  }
  out << fmt::format("{} finding{} ({} critical, {} high, {} medium, {} low, {} info) in {} object{} from {} file{}",
                     active, active == 1 ? "" : "s", counts[4], counts[3], counts[2], counts[1],
                     counts[0], r.stats.objects, r.stats.objects == 1 ? "" : "s", r.stats.files,
                     r.stats.files == 1 ? "" : "s");
  if (suppressed) out << fmt::format("; {} suppressed by exemptions", suppressed);
  if (r.filtered) out << fmt::format("; {} left out by filters", r.filtered);
  if (r.baseline)
    out << fmt::format("; {} known from the baseline ({} of its entries no longer match)", r.baseline->known,
                       r.baseline->stale);
  if (!r.errors.empty()) out << fmt::format("; {} input error{}", r.errors.size(), r.errors.size() == 1 ? "" : "s");
  if (!r.policy.empty()) out << "; policy " << terminal_text(r.policy);
  out << '\n';
}

void write_problems(std::ostream& err, const std::vector<std::string>& notices, const std::vector<LoadError>& errors) {
  for (const std::string& n : notices) err << "ingressguard: " << terminal_text(n) << '\n';
  for (const LoadError& e : errors) {
    err << terminal_text(e.file);
    if (e.mark.line) err << ':' << e.mark.line << ':' << e.mark.col;
    err << ": error: " << terminal_text(e.message) << '\n';
  }
}

}  // namespace ig
