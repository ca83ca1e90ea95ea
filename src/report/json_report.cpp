#include <nlohmann/json.hpp>

#include <array>

#include "report/report.h"

namespace ig {

void write_json(std::ostream& out, const ScanResult& r) {
  using nlohmann::ordered_json;
  const Cluster& c = *r.cluster;
  ordered_json doc;
  doc["tool"] = {{"name", kToolName}, {"version", version()}};
  ordered_json findings = ordered_json::array();
  std::array<size_t, 5> counts{};
  for (const Finding& f : r.findings) {
    ++counts[static_cast<size_t>(f.rule->severity)];
    ordered_json loc = {{"file", c.files[f.loc.file].path}, {"line", f.loc.line}, {"column", f.loc.col}};
    if (!f.resource.origin.empty()) loc["origin"] = f.resource.origin;
    findings.push_back(ordered_json{
        {"rule", f.rule->id},
        {"severity", to_string(f.rule->severity)},
        {"title", f.rule->title},
        {"message", f.message},
        {"resource",
         {{"apiVersion", f.resource.api_version},
          {"kind", f.resource.kind},
          {"namespace", f.resource.ns},
          {"name", f.resource.name}}},
        {"location", loc},
        {"remediation", f.rule->remediation},
    });
  }
  ordered_json errors = ordered_json::array();
  for (const LoadError& e : r.errors)
    errors.push_back({{"file", e.file}, {"line", e.mark.line}, {"column", e.mark.col}, {"message", e.message}});
  doc["findings"] = std::move(findings);
  doc["errors"] = std::move(errors);
  doc["summary"] = {
      {"files", r.stats.files},
      {"documents", r.stats.documents},
      {"objects", r.stats.objects},
      {"skipped_documents", r.stats.skipped_documents},
      {"findings", r.findings.size()},
      {"by_severity",
       {{"critical", counts[4]}, {"high", counts[3]}, {"medium", counts[2]}, {"low", counts[1]}, {"info", counts[0]}}},
      {"errors", r.errors.size()},
  };
  // Replace invalid UTF-8 from hostile input instead of throwing.
  out << doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace ig
