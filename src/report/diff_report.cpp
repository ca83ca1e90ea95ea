#include "report/diff_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "report/report.h"

namespace ig {

namespace {

using nlohmann::ordered_json;

struct Counts {
  std::map<SurfaceChange::Kind, size_t> kinds;
  size_t of(SurfaceChange::Kind k) const {
    auto it = kinds.find(k);
    return it == kinds.end() ? 0 : it->second;
  }
};

Counts count(const SurfaceDiff& d) {
  Counts c;
  for (const SurfaceChange& ch : d.changes) ++c.kinds[ch.kind];
  return c;
}

std::string side_name(const DiffSideInfo& s) {
  return s.commit.empty() ? s.label : s.label + " (" + s.commit.substr(0, 12) + ")";
}

std::string plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// One line that says what the change does, for every format.
std::string result_line(const DiffReport& r) {
  Counts c = count(r.diff);
  using K = SurfaceChange::Kind;
  std::string out = fmt::format("paths from outside: {} added, {} changed, {} removed", c.of(K::PathAdded),
                                c.of(K::PathChanged), c.of(K::PathRemoved));
  out += fmt::format("; reach: {} widened, {} narrowed", c.of(K::ReachWidened), c.of(K::ReachNarrowed));
  if (c.of(K::CertificateWeakened)) out += "; " + plural(c.of(K::CertificateWeakened), "certificate weakened", "certificates weakened");
  out += fmt::format("; findings: {} introduced, {} fixed, {} unchanged", r.diff.introduced.size(), r.diff.fixed.size(),
                     r.diff.unchanged);
  return out;
}

// The most severe loss or opening, for the headline.
const SurfaceChange* headline(const SurfaceDiff& d) {
  for (const SurfaceChange& ch : d.changes)
    if (ch.kind != SurfaceChange::Kind::PathRemoved && ch.kind != SurfaceChange::Kind::ReachNarrowed &&
        ch.severity >= Severity::Low)
      return &ch;
  return nullptr;
}

ordered_json path_json(const ExposurePath& p) {
  return {{"entry", {{"kind", p.entry_kind}, {"name", p.entry}}},
          {"route", p.route},
          {"via", {{"kind", p.via.kind}, {"namespace", p.via.ns}, {"name", p.via.name}}},
          {"service", p.service},
          {"workloads", p.workloads},
          {"protections", p.protections.names()},
          {"level", p.protections.level()},
          {"lateral", p.lateral}};
}

ordered_json finding_json(const DiffReport& r, const Finding& f) {
  return {{"rule", f.rule->id},
          {"severity", to_string(f.severity)},
          {"message", f.message},
          {"unit", r.diff.units[f.unit]},
          {"resource", {{"kind", f.resource.kind}, {"namespace", f.resource.ns}, {"name", f.resource.name}}},
          {"file", r.diff.report.files[f.loc.file].path},
          {"line", f.loc.line},
          {"column", f.loc.col}};
}

// A Mermaid label: quotes and markup characters written as Mermaid's entity codes, no line breaks.
std::string mermaid_label(std::string_view raw) {
  std::string out;
  for (char ch : terminal_text(raw)) {
    if (ch == '"') out += "#quot;";
    else if (ch == '<') out += "#lt;";
    else if (ch == '>') out += "#gt;";
    else if (ch == '\n' || ch == '\r') out += ' ';
    else out.push_back(ch);
  }
  return out;
}

// The paths opened or weakened, drawn small (GitHub renders Mermaid in comments): Internet -> entry -> route
// -> Service, the route red when it lost a protection and orange when it is new. Only when there are a few.
void write_exposure_sketch(std::ostream& out, const SurfaceDiff& d) {
  constexpr size_t kMaxDrawn = 8;
  std::vector<const SurfaceChange*> drawn;
  for (const SurfaceChange& ch : d.changes)
    if (ch.head_path && ((ch.kind == SurfaceChange::Kind::PathAdded && ch.severity >= Severity::Medium) ||
                         (ch.kind == SurfaceChange::Kind::PathChanged && !ch.lost.empty())))
      drawn.push_back(&ch);
  if (drawn.empty() || drawn.size() > kMaxDrawn) return;
  out << "\n```mermaid\nflowchart LR\n  internet((Internet))\n";
  std::map<std::string, std::string> entries;
  for (size_t i = 0; i < drawn.size(); ++i) {
    const ExposurePath& p = *drawn[i]->head_path;
    std::string entry = p.entry_kind + " " + p.entry;
    auto [it, added] = entries.emplace(entry, "e" + std::to_string(entries.size()));
    if (added) out << "  internet --> " << it->second << "[\"" << mermaid_label(entry) << "\"]\n";
    bool lost = drawn[i]->kind == SurfaceChange::Kind::PathChanged;
    std::string route = p.route.empty() ? std::string(p.via.kind) + " " + std::string(p.via.name) : p.route;
    std::string note = lost ? "lost " + fmt::format("{}", fmt::join(drawn[i]->lost, ", ")) : std::string("new");
    out << "  " << it->second << " --> r" << i << "[\"" << mermaid_label(route) << "<br/>" << mermaid_label(note)
        << "\"]:::" << (lost ? "lost" : "added") << " --> s" << i << "[\""
        << mermaid_label(p.service.empty() ? fmt::format("{}", fmt::join(p.workloads, ", ")) : p.service) << "\"]\n";
  }
  out << "  classDef lost fill:" << kProtectionColours[0] << ",color:#fff\n  classDef added fill:" << kProtectionColours[1]
      << "\n```\n";
}

}  // namespace

void write_diff_text(std::ostream& out, const DiffReport& r, bool color) {
  auto sev = [&](Severity s) {
    std::string word = fmt::format("{:<9}", to_string(s));
    return color ? std::string(terminal_color(s)) + word + std::string(kTerminalReset) : word;
  };
  out << "ingressguard diff: " << terminal_text(side_name(r.base)) << " -> " << terminal_text(side_name(r.head)) << "\n";
  if (r.diff.changes.empty()) {
    out << "\nAttack surface: unchanged\n";
  } else {
    out << "\nAttack surface\n";
    for (const SurfaceChange& ch : r.diff.changes) {
      out << "  " << sev(ch.severity) << fmt::format("{:<21}", to_string(ch.kind)) << terminal_text(ch.subject) << "\n";
      out << "            " << terminal_text(ch.summary) << "\n";
      for (const std::string& g : ch.kind == SurfaceChange::Kind::ReachWidened ? ch.gained : std::vector<std::string>{})
        out << "              + " << terminal_text(g) << "\n";
      for (const std::string& l : ch.kind == SurfaceChange::Kind::ReachNarrowed ? ch.lost : std::vector<std::string>{})
        out << "              - " << terminal_text(l) << "\n";
      if (!ch.file.empty()) out << "            at " << terminal_text(ch.file) << ":" << ch.line << "\n";
    }
  }
  auto findings = [&](const char* title, const std::vector<Finding>& list) {
    if (list.empty()) return;
    out << "\nFindings " << title << " (" << list.size() << ")\n";
    for (const Finding& f : list)
      out << "  " << sev(f.severity) << f.rule->id << "  " << terminal_text(r.diff.report.files[f.loc.file].path) << ":"
          << f.loc.line << "  " << terminal_text(object_name(f.resource)) << ": " << terminal_text(f.message) << "\n";
  };
  findings("introduced", r.diff.introduced);
  findings("fixed", r.diff.fixed);
  out << "\n" << result_line(r) << "\n";
}

void write_diff_json(std::ostream& out, const DiffReport& r) {
  ordered_json changes = ordered_json::array();
  for (const SurfaceChange& ch : r.diff.changes) {
    ordered_json c = {{"change", to_string(ch.kind)},
                      {"severity", to_string(ch.severity)},
                      {"unit", r.diff.units[ch.unit]},
                      {"subject", ch.subject},
                      {"summary", ch.summary},
                      {"gained", ch.gained},
                      {"lost", ch.lost},
                      {"file", ch.file},
                      {"line", ch.line}};
    if (ch.base_path) c["base"] = path_json(*ch.base_path);
    if (ch.head_path) c["head"] = path_json(*ch.head_path);
    changes.push_back(std::move(c));
  }
  ordered_json introduced = ordered_json::array(), fixed = ordered_json::array();
  for (const Finding& f : r.diff.introduced) introduced.push_back(finding_json(r, f));
  for (const Finding& f : r.diff.fixed) fixed.push_back(finding_json(r, f));
  ordered_json errors = ordered_json::array();
  for (const LoadError& e : r.errors)
    errors.push_back({{"file", e.file}, {"line", e.mark.line}, {"column", e.mark.col}, {"message", e.message}});
  Counts c = count(r.diff);
  using K = SurfaceChange::Kind;
  auto highest = r.diff.highest();
  ordered_json doc = {
      {"tool", {{"name", kToolName}, {"version", version()}}},
      {"base", {{"label", r.base.label}, {"commit", r.base.commit}, {"objects", r.base_stats.objects}}},
      {"head", {{"label", r.head.label}, {"commit", r.head.commit}, {"objects", r.head_stats.objects}}},
      {"summary",
       {{"paths_added", c.of(K::PathAdded)},
        {"paths_changed", c.of(K::PathChanged)},
        {"paths_removed", c.of(K::PathRemoved)},
        {"reach_widened", c.of(K::ReachWidened)},
        {"reach_narrowed", c.of(K::ReachNarrowed)},
        {"certificates_weakened", c.of(K::CertificateWeakened)},
        {"findings_introduced", r.diff.introduced.size()},
        {"findings_fixed", r.diff.fixed.size()},
        {"findings_unchanged", r.diff.unchanged},
        {"highest", highest ? ordered_json(to_string(*highest)) : ordered_json(nullptr)}}},
      {"units", r.diff.units},
      {"changes", std::move(changes)},
      {"findings", {{"introduced", std::move(introduced)}, {"fixed", std::move(fixed)}}},
      {"notices", r.notices},
      {"errors", std::move(errors)},
  };
  out << doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

void write_diff_markdown(std::ostream& out, const DiffReport& r) {
  out << "## ingressguard diff: `" << markdown_cell(side_name(r.base)) << "` → `" << markdown_cell(side_name(r.head))
      << "`\n\n";
  if (const SurfaceChange* top = headline(r.diff))
    out << "**" << markdown_cell(std::string(to_string(top->severity))) << ":** " << markdown_cell(top->subject) << ": "
        << markdown_cell(top->summary) << "\n\n";
  else
    out << "No path from outside was opened or weakened.\n\n";
  out << markdown_cell(result_line(r)) << ".\n";
  if (!r.diff.changes.empty()) {
    out << "\n| Severity | Change | Path or object | What changed | Where |\n|---|---|---|---|---|\n";
    for (const SurfaceChange& ch : r.diff.changes)
      out << fmt::format("| {} | {} | {} | {} | {} |\n", to_string(ch.severity), to_string(ch.kind),
                         markdown_cell(ch.subject), markdown_cell(ch.summary),
                         ch.file.empty() ? std::string() : "`" + markdown_cell(ch.file) + ":" + std::to_string(ch.line) + "`");
    write_exposure_sketch(out, r.diff);
  }
  auto findings = [&](const char* title, const std::vector<Finding>& list) {
    if (list.empty()) return;
    out << "\n**Findings " << title << "**\n\n| Severity | Rule | Object | Finding | Where |\n|---|---|---|---|---|\n";
    for (const Finding& f : list)
      out << fmt::format("| {} | {} | {} | {} | `{}:{}` |\n", to_string(f.severity), f.rule->id,
                         markdown_cell(object_name(f.resource)), markdown_cell(f.message),
                         markdown_cell(r.diff.report.files[f.loc.file].path), f.loc.line);
  };
  findings("introduced", r.diff.introduced);
  findings("fixed", r.diff.fixed);
  if (!r.errors.empty()) out << "\n" << r.errors.size() << " input error(s): see the job log.\n";
}

void write_diff_sarif(std::ostream& out, const DiffReport& r) {
  ScanResult scan;
  scan.cluster = &r.diff.report;
  scan.findings = r.diff.introduced;
  scan.errors = r.errors;
  scan.units = r.diff.units;
  scan.notices = r.notices;
  write_sarif(out, scan);
}

}  // namespace ig
