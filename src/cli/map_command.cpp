// `ingressguard map`: what is reachable from outside, through what, guarded by what.
#include <fstream>
#include <map>
#include <set>

#include "cli/commands.h"
#include "graph/exposure.h"
#include "load/loader.h"
#include "report/graphviz.h"
#include "report/report.h"

namespace ig {

int run_map(const MapOptions& opts, std::ostream& out, std::ostream& err) {
  if (opts.paths.empty()) {
    err << "ingressguard: nothing to map: give files, directories, or - for stdin\n";
    return static_cast<int>(ExitCode::Error);
  }
  Cluster cluster;
  Loader loader(cluster);
  for (const auto& p : opts.paths) loader.load_path(p);
  cluster.index();
  for (const LoadError& e : loader.errors()) {
    err << e.file;
    if (e.mark.line) err << ':' << e.mark.line << ':' << e.mark.col;
    err << ": error: " << e.message << '\n';
  }
  std::vector<ExposurePath> paths = build_exposure(cluster);
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
    write_map_html(*dest, paths, loader.stats());
  } else {
    write_map_json(*dest, paths, loader.stats());
  }
  dest->flush();
  return loader.errors().empty() ? static_cast<int>(ExitCode::Clean) : static_cast<int>(ExitCode::Error);
}

}  // namespace ig
