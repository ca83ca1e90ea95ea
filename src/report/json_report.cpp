#include <nlohmann/json.hpp>

#include <array>

#include "report/report.h"

namespace ig {

namespace {

using nlohmann::ordered_json;

// Invalid UTF-8 from hostile input is replaced instead of throwing.
std::string dump(const ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

// Indents every line after the first of an already dumped value, so that the
// streamed document reads like one dumped whole.
void write_nested(std::ostream& out, const std::string& text, std::string_view pad) {
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.write(text.data() + start, static_cast<std::streamsize>(nl + 1 - start));
    out << pad;
    start = nl + 1;
  }
  out.write(text.data() + start, static_cast<std::streamsize>(text.size() - start));
}

ordered_json finding_json(const ScanResult& r, const Finding& f) {
  const Cluster& c = *r.cluster;
  ordered_json loc = {{"file", c.files[f.loc.file].path}, {"line", f.loc.line}, {"column", f.loc.col}};
  if (!f.resource.origin.empty()) loc["origin"] = f.resource.origin;
  if (f.field) loc["path"] = f.field->path;
  if (f.field && !f.field->value.empty()) loc["value"] = f.field->value;
  ordered_json j{
      {"rule", f.rule->id},
      {"severity", to_string(f.severity)},
      {"title", f.rule->title},
      {"message", f.message},
      {"resource",
       {{"apiVersion", f.resource.api_version},
        {"kind", f.resource.kind},
        {"namespace", f.resource.ns},
        {"name", f.resource.name}}},
      {"location", loc},
      {"remediation", f.remediation()},
  };
  if (f.unit < r.units.size()) j["unit"] = r.units[f.unit];
  if (f.suppressed) j["suppressed"] = {{"kind", f.suppressed->kind}, {"reason", f.suppressed->reason}};
  return j;
}

// The summary both JSON forms end with.
ordered_json summary_json(const ScanResult& r) {
  std::array<size_t, 5> counts{};
  size_t suppressed = 0;
  for (const Finding& f : r.findings) {
    if (f.suppressed)
      ++suppressed;
    else
      ++counts[static_cast<size_t>(f.severity)];
  }
  ordered_json summary = {
      {"files", r.stats.files},
      {"documents", r.stats.documents},
      {"objects", r.stats.objects},
      {"skipped_documents", r.stats.skipped_documents},
      {"findings", r.findings.size() - suppressed},
      {"suppressed", suppressed},
      {"filtered", r.filtered},
      {"by_severity",
       {{"critical", counts[4]}, {"high", counts[3]}, {"medium", counts[2]}, {"low", counts[1]}, {"info", counts[0]}}},
      {"errors", r.errors.size()},
      {"units", r.units.size()},
  };
  if (r.baseline) summary["baseline"] = {{"known", r.baseline->known}, {"stale", r.baseline->stale}};
  return summary;
}

ordered_json error_json(const LoadError& e) {
  return {{"file", e.file}, {"line", e.mark.line}, {"column", e.mark.col}, {"message", e.message}};
}

}  // namespace

// Streams the document one finding at a time: a whole-document DOM of a
// large scan costs several times the output's size in memory.
void write_json(std::ostream& out, const ScanResult& r) {
  out << "{\n  \"tool\": ";
  write_nested(out, dump(ordered_json{{"name", kToolName}, {"version", version()}}, 2), "  ");
  out << ",\n";
  out << "  \"findings\": [";
  bool first = true;
  for (const Finding& f : r.findings) {
    out << (first ? "\n    " : ",\n    ");
    first = false;
    write_nested(out, dump(finding_json(r, f), 2), "    ");
  }
  out << (first ? "],\n" : "\n  ],\n");
  ordered_json errors = ordered_json::array();
  for (const LoadError& e : r.errors) errors.push_back(error_json(e));
  out << "  \"errors\": ";
  write_nested(out, dump(errors, 2), "  ");
  if (!r.notices.empty()) {
    out << ",\n  \"notices\": ";
    write_nested(out, dump(ordered_json(r.notices), 2), "  ");
  }
  out << ",\n  \"policy\": " << (r.policy.empty() ? std::string("null") : dump(ordered_json(r.policy), 2));
  out << ",\n  \"units\": ";
  write_nested(out, dump(ordered_json(r.units), 2), "  ");
  out << ",\n  \"summary\": ";
  write_nested(out, dump(summary_json(r), 2), "  ");
  out << "\n}\n";
}

void write_json_lines(std::ostream& out, const ScanResult& r) {
  auto line = [&](const char* type, ordered_json j) {
    ordered_json l = {{"type", type}};
    for (auto& [k, v] : j.items()) l[k] = std::move(v);
    out << dump(l, -1) << '\n';
  };
  for (const Finding& f : r.findings) line("finding", finding_json(r, f));
  for (const LoadError& e : r.errors) line("error", error_json(e));
  for (const std::string& n : r.notices) line("notice", {{"message", n}});
  ordered_json summary = summary_json(r);
  summary["tool"] = {{"name", kToolName}, {"version", version()}};
  summary["policy"] = r.policy.empty() ? ordered_json(nullptr) : ordered_json(r.policy);
  summary["unit_names"] = r.units;
  line("summary", std::move(summary));
}

}  // namespace ig
