#include "cli/commands.h"
#include "probe/probe.h"

namespace ig {

int run_probe(const ProbeCommandOptions& opts, std::ostream& out, std::ostream& err) {
  std::vector<probe::Target> targets;
  for (const auto& url : opts.probe.urls) {
    auto t = probe::parse_target(url, opts.probe.resolve, opts.probe.http_port);
    if (!t) {
      err << "ingressguard: " << t.error().message << '\n';
      return static_cast<int>(ExitCode::Error);
    }
    targets.push_back(*t);
  }
  if (!opts.from.empty()) {
    auto declared = probe::targets_from_manifests(opts.from, opts.probe);
    if (!declared) {
      err << "ingressguard: " << declared.error().message << '\n';
      return static_cast<int>(ExitCode::Error);
    }
    for (auto& t : *declared) targets.push_back(std::move(t));
  }
  if (targets.empty()) {
    err << "ingressguard: name at least one https:// URL, or manifests with --from whose Ingresses name hosts\n";
    return static_cast<int>(ExitCode::Error);
  }
  probe::Report report = probe::run_probe(opts.probe, targets);
  if (opts.format == "json") probe::write_report_json(out, report);
  else probe::write_report_text(out, report, opts.color);
  bool failed = false, error = false;
  for (const auto& t : report.targets) {
    for (const auto& c : t.checks) {
      if (c.status == probe::Status::Error) error = true;
      if ((c.status == probe::Status::Fail || c.status == probe::Status::Warn) && opts.fail_on && c.severity >= *opts.fail_on)
        failed = true;
    }
  }
  if (error) return static_cast<int>(ExitCode::Error);
  return failed ? static_cast<int>(ExitCode::Findings) : static_cast<int>(ExitCode::Clean);
}

}  // namespace ig
