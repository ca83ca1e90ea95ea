// A pull-request comment: a summary table, then the findings grouped by file.
#include <fmt/format.h>

#include <array>
#include <map>

#include "core/text.h"
#include "report/report.h"

namespace ig {

std::string markdown_cell(std::string_view raw) {
  std::string escaped = terminal_text(raw);  // the comment is also read as plain text (CLI, e-mail)
  std::string out;
  for (char ch : escaped) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n' || ch == '\r') out += ' ';
    else if (ch == '<') out += "&lt;";
    else if (ch == '>') out += "&gt;";
    else if (ch == '`') out += "'";
    else out.push_back(ch);
  }
  return out;
}

void write_markdown(std::ostream& out, const ScanResult& r) {
  const Cluster& c = *r.cluster;
  std::array<size_t, 5> counts{};
  size_t suppressed = 0;
  std::map<uint32_t, std::vector<const Finding*>> by_file;
  for (const Finding& f : r.findings) {
    if (f.suppressed) {
      ++suppressed;
      continue;
    }
    ++counts[static_cast<size_t>(f.severity)];
    by_file[f.loc.file].push_back(&f);
  }
  size_t total = r.findings.size() - suppressed;
  out << "## ingressguard: " << total << " finding" << (total == 1 ? "" : "s") << "\n\n";
  out << "| Critical | High | Medium | Low | Info | Suppressed | Input errors |\n|---:|---:|---:|---:|---:|---:|---:|\n";
  out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n\n", counts[4], counts[3], counts[2], counts[1], counts[0],
                     suppressed, r.errors.size());
  out << fmt::format("Scanned {} objects in {} files with ingressguard {}.\n", r.stats.objects, r.stats.files, version());
  for (const auto& [file, findings] : by_file) {
    out << "\n### `" << markdown_cell(c.files[file].path) << "`\n\n| Line | Severity | Rule | Resource | Finding |\n|---:|---|---|---|---|\n";
    for (const Finding* f : findings)
      out << fmt::format("| {} | {} | {} | {} {}{}{} | {} |\n", f->loc.line, to_string(f->severity), f->rule->id,
                         markdown_cell(f->resource.kind), markdown_cell(f->resource.ns), f->resource.ns.empty() ? "" : "/",
                         markdown_cell(f->resource.name), markdown_cell(f->message));
  }
  if (!r.errors.empty()) {
    out << "\n### Input errors\n\n";
    for (const LoadError& e : r.errors)
      out << fmt::format("- `{}:{}:{}`: {}\n", markdown_cell(e.file), e.mark.line, e.mark.col, markdown_cell(e.message));
  }
  if (total) {
    out << "\n<details><summary>How to fix</summary>\n\n";
    std::map<std::string_view, const RuleInfo*> rules;
    for (const auto& [file, findings] : by_file)
      for (const Finding* f : findings) rules[f->rule->id] = f->rule;
    for (const auto& [id, info] : rules) out << "- **" << id << "** " << info->title << ": " << info->remediation << "\n";
    out << "\n</details>\n";
  }
}

}  // namespace ig
