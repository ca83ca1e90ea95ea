// Scan units: a unit is one cluster or environment. Cross-object rules (host
// claims, backends, selectors, NetworkPolicy reach) relate objects of one unit
// only, so a scan first splits what it is given into units:
//   - stdin ("-") is one unit;
//   - a directory holding a kustomization is rendered with `kubectl kustomize`
//     and is one unit; the files it includes are not read again as raw
//     objects; of nested kustomizations only the leaves (those no other
//     kustomization of the scan includes) are units; Components never are;
//   - a directory holding a Helm chart (Chart.yaml) is rendered with
//     `helm template` when helm is on PATH, else skipped with a notice; its
//     templates are never parsed as manifests;
//   - the other manifests, by the mode: `input` (default) makes each directory
//     argument one unit, and file arguments one unit per directory tree (files
//     whose directories contain one another); `dir` makes each directory one
//     unit; `file` each file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "load/loader.h"

namespace ig {

enum class UnitMode { Input, Dir, File };

std::optional<UnitMode> parse_unit_mode(std::string_view s);

struct UnitSource {
  enum class Kind { Files, Stdin, Kustomize, Helm };
  Kind kind = Kind::Files;
  std::string name;                // shown with every finding: a path, a directory, "-"
  std::vector<std::string> files;  // Files: the manifests, in order
  std::string dir;                 // Kustomize, Helm: the directory to render
};

struct UnitPlan {
  std::vector<UnitSource> units;
  std::vector<LoadError> errors;     // paths that do not exist or cannot be read
  std::vector<std::string> notices;  // what was left out and why (a chart without helm)
};

UnitPlan plan_units(const std::vector<std::string>& paths, UnitMode mode);

// Runs `kubectl kustomize DIR` (or `helm template`) and returns its YAML; on
// failure nullopt with `error` saying why (kubectl missing, the renderer's own
// message). Output is bounded by `max_bytes`, the run by `timeout_seconds`.
std::optional<std::string> render_unit(const UnitSource& unit, uint64_t max_bytes, int timeout_seconds, std::string& error);

// Loads one unit into `cluster` through `loader` (rendering it first if needed);
// rendering errors become the loader's input errors, named after the unit.
void load_unit(const UnitSource& unit, Loader& loader, std::vector<LoadError>& errors, uint64_t max_bytes);

}  // namespace ig
