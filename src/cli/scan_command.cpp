#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

#include "cli/commands.h"
#include "cli/phase_timings.h"
#include "core/paths.h"
#include "graph/exposure.h"
#include "load/live_cluster.h"
#include "load/loader.h"
#include "load/units.h"
#include "policy/policy.h"
#include "report/report.h"
#include "semantics/controller.h"

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

namespace {

// Moves what the report needs of one unit's snapshot into the report's (its files, object
// identities and masked Secret spans; its string pools stay alive there) and renumbers the
// file ids of the unit's findings. The policy file, registered first in every unit, maps to
// the report's one copy.
void merge_unit(Cluster& report, Cluster& unit, std::vector<Finding>& findings, std::optional<uint32_t> policy_file) {
  std::vector<uint32_t> to_report(unit.files.size());
  for (uint32_t i = 0; i < unit.files.size(); ++i) {
    if (policy_file && i == 0) {
      to_report[i] = *policy_file;
      continue;
    }
    to_report[i] = static_cast<uint32_t>(report.files.size());
    report.files.push_back(std::move(unit.files[i]));
  }
  for (const ObjectRef& o : unit.objects) {
    ObjectRef r = o;
    r.loc.file = to_report[o.loc.file];
    report.objects.push_back(r);
  }
  for (RedactedSpan span : unit.redacted) {
    span.file = to_report[span.file];
    report.redacted.push_back(span);
  }
  for (Finding& f : findings) {
    f.loc.file = to_report[f.loc.file];
    f.resource.loc.file = to_report[f.resource.loc.file];
  }
  report.retained_strings.push_back(unit.strings);
  report.retained_strings.insert(report.retained_strings.end(), unit.retained_strings.begin(), unit.retained_strings.end());
}

}  // namespace

namespace {

bool matches_any(const std::vector<std::string>& globs, std::string_view value, int flags = 0) {
  std::string v(value);
  for (const std::string& g : globs)
    if (fnmatch(g.c_str(), v.c_str(), flags) == 0) return true;
  return false;
}

// Kinds without a namespace: --namespace leaves their findings out.
bool cluster_scoped(std::string_view kind) {
  for (std::string_view k : {"Namespace", "IngressClass", "GatewayClass", "ValidatingWebhookConfiguration",
                             "MutatingWebhookConfiguration", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer",
                             "CustomResourceDefinition", "Node", "PersistentVolume", "Policy"})
    if (kind == k) return true;
  return false;
}

// What the report keeps of a finding under the filters of the command line.
bool kept_by_filters(const ScanOptions& o, const Finding& f) {
  if (!o.rules.empty() && !matches_any(o.rules, f.rule->id, FNM_CASEFOLD)) return false;
  if (matches_any(o.skip_rules, f.rule->id, FNM_CASEFOLD)) return false;
  if (o.min_severity && f.severity < *o.min_severity) return false;
  if (!o.namespaces.empty()) {
    if (cluster_scoped(f.resource.kind)) return false;
    if (!matches_any(o.namespaces, f.resource.ns.empty() ? std::string_view("default") : f.resource.ns)) return false;
  }
  return true;
}

// --exclude: paths (as given or found) matching a glob are not scanned; `*` crosses `/` only in
// patterns with `**`, as in the policy's named units. A unit left without files is dropped.
void exclude_paths(UnitPlan& plan, const std::vector<std::string>& globs) {
  if (globs.empty()) return;
  auto excluded = [&](const std::string& path) {
    return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) { return path_matches_glob(g, path); });
  };
  std::vector<UnitSource> kept;
  for (UnitSource& u : plan.units) {
    if (u.kind == UnitSource::Kind::Files) {
      std::erase_if(u.files, excluded);
      if (u.files.empty()) continue;
    } else if ((u.kind == UnitSource::Kind::Kustomize || u.kind == UnitSource::Kind::Helm) && excluded(u.dir)) {
      continue;
    }
    kept.push_back(std::move(u));
  }
  plan.units = std::move(kept);
}

// A live read that could not read NetworkPolicies or Secrets sees none, which is not "there are none": the
// findings that rest on their absence (a backend open to every namespace, a missing certificate) are dropped
// and the notice says which rules were not checked. Other kinds missing only make the input incomplete (their
// absence is then "not in the input", a low note at most).
void drop_unverifiable(const LiveClusterRead& read, const std::string& unit, std::vector<Finding>& findings,
                       std::vector<std::string>& notices) {
  auto unreadable = [&](std::string_view resource) {
    return std::any_of(read.unreadable.begin(), read.unreadable.end(),
                       [&](const std::string& u) { return u.rfind(std::string(resource) + " ", 0) == 0; });
  };
  auto drop = [&](bool when, auto depends, const std::string& rules) {
    if (!when) return;
    size_t before = findings.size();
    std::erase_if(findings, depends);
    notices.push_back(unit + ": " + rules + " not checked (" + std::to_string(before - findings.size()) +
                      " finding(s) left out): their kind could not be read");
  };
  drop(unreadable("networkpolicies.networking.k8s.io"),
       [](const Finding& f) { return f.rule->category == "network-policy"; }, "NetworkPolicy rules");
  drop(unreadable("secrets"), [](const Finding& f) { return f.rule->id.rfind("IG60", 0) == 0; },
       "certificate rules (IG601-IG608)");
}

}  // namespace

int run_scan(const ScanOptions& opts, std::ostream& out, std::ostream& err) {
  static const std::vector<std::string> kFormats = {"text", "json", "jsonl", "sarif", "junit", "markdown", "html"};
  if (std::find(kFormats.begin(), kFormats.end(), opts.format) == kFormats.end()) {
    err << "ingressguard: unknown format '" << opts.format << "' (use text, json, jsonl, sarif, junit, markdown or html)\n";
    return static_cast<int>(ExitCode::Error);
  }
  if (opts.paths.empty() && !opts.cluster) {
    err << "ingressguard: nothing to scan: give files, directories, - for stdin, or --cluster\n";
    return static_cast<int>(ExitCode::Error);
  }
  if (!opts.paths.empty() && opts.cluster) {
    err << "ingressguard: --cluster reads the live cluster: give it without paths (scan those in another run)\n";
    return static_cast<int>(ExitCode::Error);
  }
  auto owned = std::make_unique<Cluster>();
  Cluster& cluster = *owned;  // the report's: every unit's files and object identities
  struct LeaveForExit {
    std::unique_ptr<Cluster>& cluster;
    bool on;
    ~LeaveForExit() {
      if (on) g_left_for_exit = cluster.release();
    }
  } leave{owned, opts.process_exits_after};
  LoadOptions load_opts;
  load_opts.max_file_size = opts.max_file_size;

  ScanResult result;
  result.cluster = &cluster;
  RuleSettings settings;
  settings.cert_expiry_days = opts.cert_expiry_days;
  // The policy is read once (its errors are reported once); each unit gets a copy whose file
  // is that unit's first, so that findings on the policy file land on the report's copy.
  std::optional<Policy> policy;
  std::optional<std::string> policy_path = opts.policy;
  if (!policy_path && opts.discover_policy && !opts.cluster) policy_path = find_policy(opts.paths.front());
  if (policy_path) policy = load_policy(*policy_path, cluster, result.errors);
  if (policy) {
    result.policy = *policy_path;
    for (const auto& [id, sev] : policy->severity_overrides) result.severity_overrides[id] = sev;
  }
  UnitPlan plan;
  if (opts.cluster) plan.units.push_back(UnitSource{UnitSource::Kind::Cluster, "cluster", {}, {}});
  else plan = plan_units(opts.paths, opts.unit_mode, policy ? &*policy : nullptr);
  exclude_paths(plan, opts.excludes);
  result.errors.insert(result.errors.end(), plan.errors.begin(), plan.errors.end());
  result.notices = plan.notices;
  std::optional<uint32_t> policy_file = policy ? std::optional<uint32_t>(policy->file) : std::nullopt;
  std::set<std::tuple<std::string_view, uint32_t, uint32_t, std::string>> policy_findings;
  std::vector<ExposurePath> exposure;
  // One copy for every unit, alive until the report is written: findings on the policy
  // file refer to its strings.
  std::optional<Policy> unit_policy = policy;
  if (unit_policy) unit_policy->file = 0;
  std::optional<LiveClusterRead> live_read;
  PhaseTimings timings(err);
  for (size_t u = 0; u < plan.units.size(); ++u) {
    Cluster unit;
    if (unit_policy) unit.files.push_back(SourceFile{unit_policy->path, {}});
    Loader loader(unit, load_opts);
    SourceMap sources;
    settings.complete_input = false;
    if (plan.units[u].kind == UnitSource::Kind::Cluster) {
      LiveClusterOptions live;
      live.kubeconfig = opts.kubeconfig;
      live.context = opts.context;
      // ConfigMaps only where an ingress controller runs (its configuration).
      live.configmap_namespaces = [](const Cluster& c) {
        std::set<std::string> namespaces;
        for (const Workload& w : c.workloads)
          if (front_door_kind(w) != ControllerKind::Unknown) namespaces.emplace(w.meta.effective_ns());
        return std::vector<std::string>(namespaces.begin(), namespaces.end());
      };
      // Plain namespace names (not globs) are where a kind forbidden cluster-wide is read instead.
      for (const std::string& ns : opts.namespaces)
        if (ns.find_first_of("*?[") == std::string::npos) live.namespaces.push_back(ns);
      live_read = read_live_cluster(live, loader, result.errors);
      plan.units[u].name = "cluster://" + (live_read->context.empty() ? std::string("current-context") : live_read->context);
      // The whole cluster when every kind could be read: rules that conclude from absence judge.
      settings.complete_input = live_read->reached && live_read->unreadable.empty() && live_read->partial.empty();
      for (const std::string& k : live_read->partial)
        result.notices.push_back(plan.units[u].name + ": " + k + " read only in the namespaces given with --namespace "
                                 "(listing it across the cluster is forbidden): the input is not complete");
      for (const std::string& k : live_read->unreadable)
        result.notices.push_back(plan.units[u].name + ": cannot read " + k +
                                 ": the input is not complete, so rules that conclude from absence say \"cannot be checked\"");
    } else {
      load_unit(plan.units[u], loader, result.errors, opts.max_file_size, &sources);
    }
    timings.mark("load");
    unit.index();
    settings.policy = unit_policy ? &*unit_policy : nullptr;
    std::vector<Finding> findings = run_rules(unit, settings);
    timings.mark("rules");
    if (live_read) {
      drop_unverifiable(*live_read, plan.units[u].name, findings, result.notices);
      locate_live_findings(unit, plan.units[u].name, findings);
    }
    // Findings in a kustomize render point at the files it was made from, where the map knows them.
    for (Finding& f : findings) {
      f.loc = sources.map(unit, f.loc);
      f.resource.loc = sources.map(unit, f.resource.loc);
    }
    sources.add_secret_spans(unit);
    if (opts.format == "html") {
      auto paths = build_exposure(unit);
      exposure.insert(exposure.end(), std::make_move_iterator(paths.begin()), std::make_move_iterator(paths.end()));
    }
    // The first unit becomes the report's snapshot as it is (its file ids already line up:
    // the policy file first, as in the report): a scan of one unit copies nothing, and its
    // snapshot is left to the OS at exit like before.
    if (cluster.objects.size() == 0 && cluster.files.size() == (policy ? 1u : 0u))
      cluster = std::move(unit);
    else
      merge_unit(cluster, unit, findings, policy_file);
    // A finding on the policy file itself (an expired exemption) is the same in every unit.
    std::erase_if(findings, [&](const Finding& f) {
      return policy_file && f.loc.file == *policy_file &&
             !policy_findings.emplace(f.rule->id, f.loc.line, f.loc.col, f.message).second;
    });
    for (Finding& f : findings) f.unit = static_cast<uint32_t>(u);
    // The first unit's findings become the report's as they are: no second array at the peak.
    if (result.findings.empty()) {
      result.findings = std::move(findings);
    } else {
      result.findings.insert(result.findings.end(), std::make_move_iterator(findings.begin()),
                             std::make_move_iterator(findings.end()));
    }
    result.errors.insert(result.errors.end(), loader.errors().begin(), loader.errors().end());
    result.stats += loader.stats();
    result.units.push_back(plan.units[u].name);
  }
  write_problems(err, result.notices, {});
  size_t before = result.findings.size();
  std::erase_if(result.findings, [&](const Finding& f) { return !kept_by_filters(opts, f); });
  result.filtered = before - result.findings.size();
  if (!opts.baseline.empty()) {
    std::string error;
    result.baseline = apply_baseline(opts.baseline, result, error);
    if (!result.baseline) result.errors.push_back(LoadError{opts.baseline, {}, error});
  }
  if (!opts.write_baseline.empty()) {
    std::string error;
    if (!write_baseline(opts.write_baseline, result, error)) result.errors.push_back(LoadError{opts.write_baseline, {}, error});
  }

  std::ofstream file;
  std::ostream* dest = open_output(opts.output, file, out, err);
  if (!dest) return static_cast<int>(ExitCode::Error);
  if (opts.format == "json") {
    write_json(*dest, result);
  } else if (opts.format == "jsonl") {
    write_json_lines(*dest, result);
  } else if (opts.format == "sarif") {
    write_sarif(*dest, result);
  } else if (opts.format == "junit") {
    write_junit(*dest, result);
  } else if (opts.format == "markdown") {
    write_markdown(*dest, result);
  } else if (opts.format == "html") {
    write_html(*dest, result, exposure);
  } else {
    write_text(*dest, result, TextOptions{opts.color && opts.output.empty()});
  }
  // In JSON mode the errors are in the document; also tell a person watching.
  if (opts.format != "text" || !opts.output.empty()) {
    write_problems(err, {}, result.errors);
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
