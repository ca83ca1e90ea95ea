// Renders a scan's findings and input errors for people (text) and machines
// (JSON). The same ScanResult feeds every format.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/cluster.h"
#include "graph/exposure.h"
#include "load/loader.h"
#include "rules/rule.h"

namespace ig {

inline constexpr const char* kToolName = "ingressguard";

// What --baseline hid (known findings) and what of the baseline matched nothing (stale).
struct BaselineResult {
  size_t known = 0;
  size_t stale = 0;
};

struct ScanResult {
  // Files, object identities and masked spans of every unit, with the findings'
  // file ids pointing into it.
  const Cluster* cluster = nullptr;
  std::vector<Finding> findings;
  std::vector<LoadError> errors;
  LoadStats stats;
  std::vector<std::string> units;    // each unit's name; Finding::unit indexes it
  std::vector<std::string> notices;  // what was left out of the scan and why
  size_t filtered = 0;               // findings left out by --rule, --skip-rule, --min-severity, --namespace
  std::optional<BaselineResult> baseline;  // with --baseline: findings hidden as known, entries no longer matched
  std::string policy;                 // the policy file used; empty when none
  std::map<std::string, Severity, std::less<>> severity_overrides;  // the policy's, by rule ID (SARIF rule levels)
};

struct TextOptions {
  bool color = false;
};

void write_text(std::ostream& out, const ScanResult& r, const TextOptions& opts);
// Notices ("ingressguard: ...") and input errors ("file:line:col: error: ..."),
// one per line for a person (standard error), escaped like the text report.
void write_problems(std::ostream& err, const std::vector<std::string>& notices, const std::vector<LoadError>& errors);
void write_json(std::ostream& out, const ScanResult& r);
// JSON lines for log collectors: one object per line, {"type": "finding", ...finding} for each finding, then
// "error" and "notice" lines, and last {"type": "summary", ...} (the summary with tool, policy and unit_names).
void write_json_lines(std::ostream& out, const ScanResult& r);
void write_sarif(std::ostream& out, const ScanResult& r);     // SARIF 2.1.0 (GitHub code scanning)
void write_junit(std::ostream& out, const ScanResult& r);     // JUnit XML
void write_markdown(std::ostream& out, const ScanResult& r);  // pull-request comment
// One self-contained page: summary, exposure map, per-namespace table, findings.
void write_html(std::ostream& out, const ScanResult& r, const std::vector<ExposurePath>& paths);

// The map's colours, shared by the graph and the HTML legend. A route (or a Service exposed without one) takes
// the colour of its protection level: none, one, two or all three of TLS / access control / limits.
inline constexpr const char* kProtectionColours[4] = {"#d73027", "#fc8d59", "#fee08b", "#1a9850"};
// A workload any pod of the cluster may connect to (no NetworkPolicy limits it): its own colour, dashed.
inline constexpr const char* kLateralOpen = "#c2a5cf";

// The source line a location points at, read again from the file (or from
// the kept stdin content); empty when unavailable. Every byte of a Secret's
// data or stringData value on that line is replaced by '*' (columns kept, so
// a caret still points at the right place), whatever object the line is
// asked for: a Secret may share a line with another object (compact JSON,
// YAML flow style). One file is held at a time, as read, with no copy per
// line: asked in file and line order (as findings are sorted), each line is
// found by reading forward from the last.
class SourceLines {
 public:
  explicit SourceLines(const Cluster& c);
  std::string line(const Loc& loc);

 private:
  void open(uint32_t file);

  const Cluster& c_;
  std::vector<const RedactedSpan*> spans_;  // sorted by file, then line
  uint32_t cached_file_ = UINT32_MAX;
  std::string content_;                       // the file's bytes (empty for the kept stdin content)
  std::string_view text_;                     // what lines are read from
  std::vector<const RedactedSpan*> file_spans_;  // the spans of the cached file
  std::vector<uint32_t> reach_;                  // reach_[i]: the last line any of file_spans_[0..i] covers
  uint32_t cursor_line_ = 1;                  // the line that starts at cursor_offset_
  size_t cursor_offset_ = 0;
};

// The exposure graph (`ingressguard map`): JSON, and DOT for Graphviz.
void write_map_json(std::ostream& out, const std::vector<ExposurePath>& paths, const LoadStats& stats);
std::string exposure_dot(const std::vector<ExposurePath>& paths);
// `map --format html`: the map and a table of the paths, in one self-contained page.
void write_map_html(std::ostream& out, const std::vector<ExposurePath>& paths, const LoadStats& stats);

// A finding's identity across line moves: SHA-256 (first 128 bits) of the rule,
// the file, the resource and the message with its digits masked (SARIF's
// partialFingerprints, baselines).
std::string finding_fingerprint(const Finding& f, const std::string& file);

// Baselines: `scan --write-baseline FILE` records the open findings by
// fingerprint; `scan --baseline FILE` hides those (counted as known) and
// counts the baseline's entries that matched nothing (fixed since).
bool write_baseline(const std::string& path, const ScanResult& r, std::string& error);
std::optional<BaselineResult> apply_baseline(const std::string& path, ScanResult& r, std::string& error);

// How a report names an object: "Ingress shop/web" ("IngressClass nginx" without a namespace).
inline std::string object_name(const ObjectRef& o) {
  return std::string(o.kind) + " " + std::string(o.ns) + (o.ns.empty() ? "" : "/") + std::string(o.name);
}

// A Markdown table cell: no line breaks, pipes escaped, markup characters neutralised, control characters
// shown escaped (the text is also read as plain text).
std::string markdown_cell(std::string_view raw);

// Text for HTML and XML: markup characters escaped, control characters that
// XML 1.0 forbids dropped (line feed and tab kept).
std::string escape_markup(std::string_view s);

const char* version();

}  // namespace ig
