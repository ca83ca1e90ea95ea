#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "graph/exposure.h"
#include "load/loader.h"
#include "policy/policy.h"
#include "report/report.h"

namespace ig {

namespace {
// A snapshot left for the OS at exit; reachable from here, so it is not a leak.
Cluster* g_left_for_exit = nullptr;
}  // namespace

std::ostream* open_output(const std::string& path, std::ofstream& file, std::ostream& out, std::ostream& err) {
  if (path.empty()) return &out;
  file.open(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    err << "ingressguard: cannot write " << path << "\n";
    return nullptr;
  }
  return &file;
}

int run_scan(const ScanOptions& opts, std::ostream& out, std::ostream& err) {
  static const std::vector<std::string> kFormats = {"text", "json", "sarif", "junit", "markdown", "html"};
  if (std::find(kFormats.begin(), kFormats.end(), opts.format) == kFormats.end()) {
    err << "ingressguard: unknown format '" << opts.format << "' (use text, json, sarif, junit, markdown or html)\n";
    return static_cast<int>(ExitCode::Error);
  }
  if (opts.paths.empty()) {
    err << "ingressguard: nothing to scan: give files, directories, or - for stdin\n";
    return static_cast<int>(ExitCode::Error);
  }
  auto owned = std::make_unique<Cluster>();
  Cluster& cluster = *owned;
  struct LeaveForExit {
    std::unique_ptr<Cluster>& cluster;
    bool on;
    ~LeaveForExit() {
      if (on) g_left_for_exit = cluster.release();
    }
  } leave{owned, opts.process_exits_after};
  LoadOptions load_opts;
  load_opts.max_file_size = opts.max_file_size;
  Loader loader(cluster, load_opts);
  for (const auto& p : opts.paths) loader.load_path(p);
  cluster.index();

  ScanResult result;
  result.cluster = &cluster;
  result.errors = loader.errors();
  RuleSettings settings;
  settings.cert_expiry_days = opts.cert_expiry_days;
  std::optional<Policy> policy;
  std::optional<std::string> policy_path = opts.policy;
  if (!policy_path && opts.discover_policy) policy_path = find_policy(opts.paths.front());
  if (policy_path) {
    policy = load_policy(*policy_path, cluster, result.errors);
    if (policy) settings.policy = &*policy;
  }
  result.findings = run_rules(cluster, settings);
  result.stats = loader.stats();

  std::ofstream file;
  std::ostream* dest = open_output(opts.output, file, out, err);
  if (!dest) return static_cast<int>(ExitCode::Error);
  if (opts.format == "json") {
    write_json(*dest, result);
  } else if (opts.format == "sarif") {
    write_sarif(*dest, result);
  } else if (opts.format == "junit") {
    write_junit(*dest, result);
  } else if (opts.format == "markdown") {
    write_markdown(*dest, result);
  } else if (opts.format == "html") {
    write_html(*dest, result, build_exposure(cluster));
  } else {
    write_text(*dest, result, TextOptions{opts.color && opts.output.empty()});
  }
  // In JSON mode the errors are in the document; also tell a person watching.
  if (opts.format != "text" || !opts.output.empty()) {
    for (const LoadError& e : result.errors) {
      err << e.file;
      if (e.mark.line) err << ':' << e.mark.line << ':' << e.mark.col;
      err << ": error: " << e.message << '\n';
    }
  }
  dest->flush();
  if (!result.errors.empty()) return static_cast<int>(ExitCode::Error);
  if (opts.fail_on) {
    for (const Finding& f : result.findings)
      if (!f.suppressed && f.severity >= *opts.fail_on) return static_cast<int>(ExitCode::Findings);
  }
  return static_cast<int>(ExitCode::Clean);
}

}  // namespace ig
