// SARIF 2.1.0 as GitHub code scanning reads it: rules with help text and
// security-severity, results with a region and stable partial fingerprints,
// and exemptions as suppressions.
#include <algorithm>
#include <cctype>
#include <filesystem>
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

// Stable across line moves: the rule, the file, the resource, and the message
// with its numbers masked (some messages cite line numbers).
ordered_json rule_json(const RuleInfo& i) {
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
      {"help", {{"text", help}, {"markdown", markdown}}},
      {"defaultConfiguration", {{"level", level(i.severity)}}},
      {"properties", {{"tags", tags}, {"precision", "high"}, {"security-severity", security_severity(i.severity)}}},
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
    rules.push_back(rule_json(rule->info));
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
  for (const Finding& f : r.findings) {
    const std::string& file = c.files[f.loc.file].path;
    ordered_json art = artifact(file);
    if (!seen.emplace(f.rule->id, art["uri"].get<std::string>(), f.loc.line, f.loc.col).second) continue;
    ordered_json region = {{"startLine", std::max<uint32_t>(f.loc.line, 1)}};
    if (f.loc.col) region["startColumn"] = f.loc.col;
    ordered_json res = {
        {"ruleId", f.rule->id},
        {"ruleIndex", index[f.rule->id]},
        {"level", level(f.severity)},
        {"message", {{"text", f.message + " (" + std::string(f.resource.kind) + " " + std::string(f.resource.ns) +
                                  (f.resource.ns.empty() ? "" : "/") + std::string(f.resource.name) + ")"}}},
        {"locations",
         ordered_json::array({{{"physicalLocation", {{"artifactLocation", art}, {"region", region}}}}})},
        {"partialFingerprints", {{"ingressguard/v1", finding_fingerprint(f, file)}}},
    };
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
