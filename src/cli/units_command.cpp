// `ingressguard units`: the units a scan of these paths makes, and what each holds.
#include <nlohmann/json.hpp>

#include <map>
#include <ostream>

#include "cli/commands.h"
#include "core/text.h"
#include "load/loader.h"
#include "load/units.h"
#include "policy/policy.h"
#include "report/report.h"

namespace ig {

namespace {

std::string_view kind_name(UnitSource::Kind k) {
  switch (k) {
    case UnitSource::Kind::Files: return "files";
    case UnitSource::Kind::Stdin: return "stdin";
    case UnitSource::Kind::Kustomize: return "kustomize";
    case UnitSource::Kind::Helm: return "helm";
    case UnitSource::Kind::Cluster: return "cluster";
  }
  return "files";
}

}  // namespace

int run_units(const UnitsOptions& opts, std::ostream& out, std::ostream& err) {
  if (opts.paths.empty()) {
    err << "ingressguard: no paths: give files, directories, or - for stdin\n";
    return static_cast<int>(ExitCode::Error);
  }
  // Named units come from the policy file, found as the scan finds it.
  std::vector<LoadError> errors;
  std::optional<std::string> policy_path = opts.policy;
  if (!policy_path && opts.discover_policy) policy_path = find_policy(opts.paths.front());
  Cluster policy_files;
  std::optional<Policy> policy = policy_path ? load_policy(*policy_path, policy_files, errors) : std::nullopt;
  UnitPlan plan = plan_units(opts.paths, opts.unit_mode, policy ? &*policy : nullptr);
  errors.insert(errors.end(), plan.errors.begin(), plan.errors.end());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const UnitSource& u : plan.units) {
    // Loaded (and rendered) as the scan would, to say what the unit holds.
    Cluster c;
    Loader loader(c);
    load_unit(u, loader, errors, LoadOptions{}.max_file_size);
    errors.insert(errors.end(), loader.errors().begin(), loader.errors().end());
    std::map<std::string, size_t> kinds;
    for (const ObjectRef& o : c.objects) ++kinds[std::string(o.kind)];
    if (opts.format == "json") {
      list.push_back({{"name", u.name},
                      {"kind", kind_name(u.kind)},
                      {"files", u.kind == UnitSource::Kind::Files ? u.files : std::vector<std::string>{}},
                      {"directory", u.dir},
                      {"objects", c.objects.size()},
                      {"kinds", kinds}});
      continue;
    }
    out << terminal_text(u.name) << "  (" << kind_name(u.kind);
    if (u.kind == UnitSource::Kind::Files) out << ", " << u.files.size() << " file" << (u.files.size() == 1 ? "" : "s");
    out << ", " << c.objects.size() << " object" << (c.objects.size() == 1 ? "" : "s") << ")\n";
    std::string line;
    for (const auto& [k, n] : kinds) line += (line.empty() ? "" : ", ") + std::to_string(n) + " " + k;
    if (!line.empty()) out << "    " << terminal_text(line) << '\n';
    if (u.kind == UnitSource::Kind::Files && u.files.size() > 1)
      for (const std::string& f : u.files) out << "    " << terminal_text(f) << '\n';
  }
  if (opts.format == "json") {
    nlohmann::ordered_json doc = {{"units", list}, {"notices", plan.notices}};
    nlohmann::ordered_json errs = nlohmann::ordered_json::array();
    for (const LoadError& e : errors) errs.push_back({{"file", e.file}, {"line", e.mark.line}, {"message", e.message}});
    doc["errors"] = errs;
    out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    out << plan.units.size() << " unit" << (plan.units.size() == 1 ? "" : "s") << '\n';
    write_problems(err, plan.notices, errors);
  }
  return errors.empty() ? static_cast<int>(ExitCode::Clean) : static_cast<int>(ExitCode::Error);
}

}  // namespace ig
