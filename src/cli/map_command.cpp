// `ingressguard map`: what is reachable from outside, through what, guarded by what.
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "cli/commands.h"
#include "graph/exposure.h"
#include "load/loader.h"
#include "load/units.h"
#include "report/graphviz.h"
#include "report/report.h"

namespace ig {

int run_map(const MapOptions& opts, std::ostream& out, std::ostream& err) {
  if (opts.paths.empty()) {
    err << "ingressguard: nothing to map: give files, directories, or - for stdin\n";
    return static_cast<int>(ExitCode::Error);
  }
  // One graph per scan unit (load/units.h): routes never reach a Service of another unit.
  UnitPlan plan = plan_units(opts.paths, UnitMode::Input);
  std::vector<LoadError> errors = plan.errors;
  std::vector<ExposurePath> paths;
  std::vector<std::unique_ptr<Cluster>> units;  // the paths refer to their strings
  LoadStats stats;
  for (const UnitSource& u : plan.units) {
    auto c = std::make_unique<Cluster>();
    Loader loader(*c);
    load_unit(u, loader, errors, LoadOptions{}.max_file_size);
    c->index();
    errors.insert(errors.end(), loader.errors().begin(), loader.errors().end());
    auto found = build_exposure(*c);
    paths.insert(paths.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    stats += loader.stats();
    units.push_back(std::move(c));
  }
  write_problems(err, plan.notices, errors);
  std::ofstream file;
  std::ostream* dest = open_output(opts.output, file, out, err);
  if (!dest) return static_cast<int>(ExitCode::Error);
  if (opts.format == "dot") {
    *dest << exposure_dot(paths);
  } else if (opts.format == "svg") {
    std::string error;
    auto svg = render_svg(exposure_dot(paths), &error);
    if (!svg) {
      err << "ingressguard: " << error << '\n';
      return static_cast<int>(ExitCode::Error);
    }
    *dest << *svg;
  } else if (opts.format == "html") {
    write_map_html(*dest, paths, stats);
  } else {
    write_map_json(*dest, paths, stats);
  }
  dest->flush();
  return errors.empty() ? static_cast<int>(ExitCode::Clean) : static_cast<int>(ExitCode::Error);
}

}  // namespace ig
