// SARIF 2.1.0 as GitHub code scanning reads it: rules with help text and
// security-severity, results with a region and stable partial fingerprints,
// and exemptions as suppressions.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "core/paths.h"
#include "report/report.h"

namespace ig {

namespace {

namespace fs = std::filesystem;

using nlohmann::ordered_json;

constexpr std::string_view kInformationUri = "https://github.com/ingressguard/ingressguard";

// GitHub maps security-severity to its levels: >= 9.0 critical, 7.0-8.9 high,
// 4.0-6.9 medium, 0.1-3.9 low.
const char* security_severity(Severity s) {
  switch (s) {
    case Severity::Critical: return "9.5";
    case Severity::High: return "8.0";
    case Severity::Medium: return "5.5";
    case Severity::Low: return "3.0";
    case Severity::Info: return "0.0";
  }
  return "0.0";
}

const char* level(Severity s) {
  return s >= Severity::High ? "error" : s == Severity::Medium ? "warning" : "note";
}

// "Ingress host served without TLS" -> "IngressHostServedWithoutTls".
std::string pascal_name(std::string_view title) {
  std::string out;
  bool up = true;
  for (char ch : title) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      out.push_back(up ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch);
      up = false;
    } else {
      up = true;
    }
  }
  return out;
}

// A relative path as a URI reference (forward slashes, reserved bytes escaped).
std::string percent_encoded(std::string_view path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : path) {
    if (std::isalnum(ch) || std::string_view("-._~/").find(static_cast<char>(ch)) != std::string_view::npos) {
      out.push_back(static_cast<char>(ch));
    } else if (ch == '\\') {
      out.push_back('/');
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

// Where results point: inside a git work tree, the path relative to its root (base SRCROOT),
// as code scanning resolves it against the checkout; elsewhere an absolute file:// URI; always
// normalised (a/../a/x is a/x). Names that are not files (stdin, a rendered stream) stay as they are.
class Locations {
 public:
  struct Uri {
    std::string uri;
    bool relative = false;
  };
  Uri of(const std::string& path) {
    if (path == "-") return {"stdin", false};
    std::error_code ec;
    fs::path abs = fs::absolute(path, ec).lexically_normal();
    if (ec || !fs::exists(abs, ec)) return {percent_encoded(fs::path(path).lexically_normal().generic_string()), false};
    if (auto root = git_root(abs.parent_path())) {
      if (!root_) root_ = *root;
      if (*root == *root_) return {percent_encoded(abs.lexically_relative(*root).generic_string()), true};
    }
    return {"file://" + percent_encoded(abs.generic_string()), false};
  }
  // The repository root the relative URIs are relative to (the first one met).
  const std::optional<fs::path>& root() const { return root_; }

 private:
  std::optional<fs::path> git_root(const fs::path& dir) {
    auto hit = cache_.find(dir);
    if (hit != cache_.end()) return hit->second;
    std::optional<fs::path> found = git_work_tree(dir);
    cache_.emplace(dir, found);
    return found;
  }
  std::map<fs::path, std::optional<fs::path>> cache_;
  std::optional<fs::path> root_;
};

// Helm output read from stdin names each object's template (`# Source: shop/templates/ingress.yaml`, the
// chart's name first). Results point at that template when it can be found: relative to the current
// directory, or in a chart directory whose Chart.yaml has that name, under the repository holding the current
// directory (a bounded walk). The region is the template's line equal to the rendered line when exactly one
// is; otherwise the template's first line, with the rendered position kept as a related location.
class ChartTemplates {
 public:
  std::optional<fs::path> find(std::string_view origin) {
    fs::path rel = fs::path(std::string(origin)).lexically_normal();
    if (rel.empty() || rel.is_absolute() || *rel.begin() == "..") return std::nullopt;
    std::error_code ec;
    if (fs::is_regular_file(rel, ec)) return fs::absolute(rel, ec);
    std::string chart = rel.begin()->string();
    auto dir = chart_dir(chart);
    if (!dir) return std::nullopt;
    fs::path file = *dir / rel.lexically_relative(chart);
    if (fs::is_regular_file(file, ec)) return file;
    return std::nullopt;
  }
  // The 1-based line of `file` whose text, without surrounding blanks, equals `rendered`; 0 unless exactly one.
  static uint32_t line_of(const fs::path& file, std::string_view rendered) {
    auto trim = [](std::string_view v) {
      size_t b = v.find_first_not_of(" \t\r");
      size_t e = v.find_last_not_of(" \t\r");
      return b == std::string_view::npos ? std::string_view() : v.substr(b, e - b + 1);
    };
    rendered = trim(rendered);
    if (rendered.empty()) return 0;
    std::ifstream in(file);
    std::string text;
    uint32_t n = 0, hit = 0;
    while (n < 100'000 && std::getline(in, text)) {
      ++n;
      if (trim(text) == rendered) {
        if (hit) return 0;
        hit = n;
      }
    }
    return hit;
  }

 private:
  std::optional<fs::path> chart_dir(const std::string& chart) {
    if (!scanned_) scan();
    auto it = charts_.find(chart);
    if (it == charts_.end()) return std::nullopt;
    return it->second;
  }
  void scan() {
    scanned_ = true;
    std::error_code ec;
    fs::path here = fs::current_path(ec);
    if (ec) return;
    fs::path root = git_work_tree(here).value_or(here);
    size_t budget = 20'000;  // directory entries looked at, at most
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end && budget > 0; it.increment(ec), --budget) {
      const fs::path& p = it->path();
      if (it->is_directory(ec) && (p.filename() == ".git" || p.filename() == "node_modules")) {
        it.disable_recursion_pending();
        continue;
      }
      if (p.filename() != "Chart.yaml") continue;
      std::ifstream in(p);
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("name:", 0) != 0) continue;
        std::string name = line.substr(5);
        name.erase(0, name.find_first_not_of(" \t\"'"));
        name.erase(name.find_last_not_of(" \t\r\"'") + 1);
        if (!name.empty()) charts_.emplace(name, p.parent_path());  // the first one met wins
        break;
      }
    }
  }
  bool scanned_ = false;
  std::map<std::string, fs::path> charts_;
};

// Stable across line moves: the rule, the file, the resource, and the message
// with its numbers masked (some messages cite line numbers).
// The rule's level and security-severity are the policy's when it overrides the rule's severity: code scanning
// ranks alerts by the rule's security-severity.
ordered_json rule_json(const RuleInfo& i, Severity severity) {
  std::string help = std::string(i.remediation);
  std::string markdown = "**" + std::string(i.title) + "**\n\n" + std::string(i.rationale) + "\n\n**Fix:** " + help;
  bool first = true;
  for (auto ref : i.references) {
    if (ref.empty()) continue;
    markdown += (first ? "\n\n**References:** " : ", ") + std::string(ref);
    first = false;
  }
  ordered_json tags = {"security", std::string(i.category)};
  return ordered_json{
      {"id", i.id},
      {"name", pascal_name(i.title)},
      {"shortDescription", {{"text", i.title}}},
      {"fullDescription", {{"text", i.rationale}}},
      {"helpUri", std::string(kInformationUri) + "/blob/main/docs/rules.md#" + std::string(i.id)},
      {"help", {{"text", help}, {"markdown", markdown}}},
      {"defaultConfiguration", {{"level", level(severity)}}},
      {"properties", {{"tags", tags}, {"precision", "high"}, {"security-severity", security_severity(severity)}}},
  };
}

}  // namespace

void write_sarif(std::ostream& out, const ScanResult& r) {
  const Cluster& c = *r.cluster;
  // Every rule of the catalogue, so that results can cite ruleIndex and
  // GitHub can show help for rules that found nothing in this run.
  ordered_json rules = ordered_json::array();
  std::map<std::string_view, size_t> index;
  for (const Rule* rule : builtin_rules()) {
    index[rule->info.id] = rules.size();
    auto overridden = r.severity_overrides.find(rule->info.id);
    rules.push_back(rule_json(rule->info, overridden == r.severity_overrides.end() ? rule->info.severity : overridden->second));
  }
  ordered_json results = ordered_json::array();
  Locations where;
  auto artifact = [&](const std::string& file) {
    Locations::Uri u = where.of(file);
    ordered_json a = {{"uri", u.uri}};
    if (u.relative) a["uriBaseId"] = "SRCROOT";
    return a;
  };
  // One result per rule and place: the same object read from two files (or one finding reached
  // twice) must not show twice in code scanning.
  std::set<std::tuple<std::string_view, std::string, uint32_t, uint32_t>> seen;
  ChartTemplates charts;
  SourceLines lines(c);
  for (const Finding& f : r.findings) {
    const std::string& file = c.files[f.loc.file].path;
    ordered_json art = artifact(file);
    ordered_json region = {{"startLine", std::max<uint32_t>(f.loc.line, 1)}};
    if (f.loc.col) region["startColumn"] = f.loc.col;
    ordered_json related;
    if (file == "-" && !f.resource.origin.empty()) {
      if (auto tpl = charts.find(f.resource.origin)) {
        related = ordered_json::array(
            {{{"id", 0},
              {"message", {{"text", "rendered by helm template, read from stdin"}}},
              {"physicalLocation", {{"artifactLocation", art}, {"region", region}}}}});
        art = artifact(tpl->string());
        uint32_t line = ChartTemplates::line_of(*tpl, lines.line(f.loc));
        region = {{"startLine", line ? line : 1}};
      }
    }
    if (!seen.emplace(f.rule->id, art["uri"].get<std::string>(), region["startLine"].get<uint32_t>(),
                      region.value("startColumn", 0u))
             .second)
      continue;
    ordered_json res = {
        {"ruleId", f.rule->id},
        {"ruleIndex", index[f.rule->id]},
        {"level", level(f.severity)},
        {"message", {{"text", f.message + " (" + object_name(f.resource) + ")"}}},
        {"locations",
         ordered_json::array({{{"physicalLocation", {{"artifactLocation", art}, {"region", region}}}}})},
        {"partialFingerprints", {{"ingressguard/v1", finding_fingerprint(f, file)}}},
    };
    if (!related.is_null()) res["relatedLocations"] = std::move(related);
    if (f.unit < r.units.size()) res["properties"] = {{"unit", r.units[f.unit]}};
    // The rule's help says how to fix it in general; a fix that fits this object's controller goes here.
    if (!f.fix.empty()) res["properties"]["fix"] = std::string(f.fix);
    if (f.suppressed)
      res["suppressions"] = ordered_json::array(
          {{{"kind", f.suppressed->kind == "inline" ? "inSource" : "external"}, {"justification", f.suppressed->reason}}});
    results.push_back(std::move(res));
  }
  ordered_json notifications = ordered_json::array();
  for (const LoadError& e : r.errors) {
    ordered_json n = {{"level", "error"}, {"message", {{"text", e.message}}}};
    ordered_json region = {{"startLine", std::max<uint32_t>(e.mark.line, 1)}};
    if (e.mark.col) region["startColumn"] = e.mark.col;
    n["locations"] = ordered_json::array({{{"physicalLocation", {{"artifactLocation", artifact(e.file)}, {"region", region}}}}});
    notifications.push_back(std::move(n));
  }
  ordered_json run = {
      {"tool",
       {{"driver",
         {{"name", kToolName},
          {"informationUri", kInformationUri},
          {"version", version()},
          {"semanticVersion", version()},
          {"rules", std::move(rules)}}}}},
      {"invocations",
       ordered_json::array({{{"executionSuccessful", r.errors.empty()}, {"toolExecutionNotifications", notifications}}})},
      {"results", std::move(results)},
  };
  if (!r.policy.empty()) run["invocations"][0]["properties"] = {{"policy", r.policy}};
  if (where.root())
    run["originalUriBaseIds"] = {{"SRCROOT", {{"uri", "file://" + percent_encoded(where.root()->generic_string()) + "/"}}}};
  ordered_json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", ordered_json::array({std::move(run)})},
  };
  out << doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace ig
