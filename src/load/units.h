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
#include <system_error>
#include <vector>

#include "load/loader.h"

namespace ig {

enum class UnitMode { Input, Dir, File };

std::optional<UnitMode> parse_unit_mode(std::string_view s);

struct UnitSource {
  enum class Kind { Files, Stdin, Kustomize, Helm, Cluster };  // Cluster: scan --cluster (load/live_cluster.h)
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

// A unit named in the policy file (`units: [{name: prod, paths: [envs/prod/**]}]`):
// the plain manifest files whose path, relative to `base` (the policy file's
// directory), matches one of the globs (fnmatch: `*` and `?` stop at `/`
// unless the pattern holds `**`, where they cross it). The first named unit
// that matches a file takes it; the other files split by the mode.
// Kustomizations, charts and stdin are units of their own.
struct NamedUnit {
  std::string name;
  std::vector<std::string> patterns;
};

UnitPlan plan_units(const std::vector<std::string>& paths, UnitMode mode, const std::vector<NamedUnit>& named = {},
                    const std::string& base = ".");

// Every manifest file (.yaml, .yml, .json) below `dir`, sorted, as the unit
// walk finds them (no `.git`, links to directories not followed), without
// looking for kustomizations or charts. What cannot be read (a directory, a
// link loop or a dangling link named like a manifest) is added to `errors`.
std::vector<std::string> manifest_files(const std::string& dir, std::vector<LoadError>& errors);

// Why a path named on the command line cannot be read, from fs::status's
// error: "no such file or directory", "cannot read: symbolic link loop", ...
std::string unreadable_path_message(const std::error_code& ec);

// Runs `kubectl kustomize DIR` (or `helm template`) and returns its YAML; on
// failure nullopt with `error` saying why (kubectl missing, the renderer's own
// message). Output is bounded by `max_bytes`, the run by `timeout_seconds`.
// With `origin_root`, a kustomization is rendered with origin annotations, whose
// paths are relative to the directory written there.
std::optional<std::string> render_unit(const UnitSource& unit, uint64_t max_bytes, int timeout_seconds, std::string& error,
                                       std::string* origin_root = nullptr);

// Where the lines of a kustomize render come from. The render is made with
// kustomize's origin annotations (buildMetadata: [originAnnotations], through a
// wrapper kustomization, so the user's files are not touched); those lines are
// removed from the text that is loaded, and each remaining line is matched to
// the same line (trimmed) in the object's source file, or else to the closest
// line before it that matched (kustomize re-serialises flow style, and patches
// add lines the sources do not have).
struct SourceMap {
  struct Line {
    uint32_t source = UINT32_MAX;  // index into `files`; UINT32_MAX: not mapped
    uint32_t line = 0;
    int32_t col_shift = 0;         // source column minus rendered column (indentation)
  };
  uint32_t rendered_file = UINT32_MAX;  // the render's index in the unit's Cluster::files
  std::vector<std::string> files;       // source files, as paths relative to the working directory when possible
  std::vector<Line> lines;              // by rendered line - 1
  std::vector<uint32_t> file_ids;       // source file -> its index in the unit's Cluster::files, once registered
  std::vector<std::vector<RedactedSpan>> secrets;  // per source file: where Secret values are written in it

  // The location in the source file, registering that file in `c`; `loc` unchanged when unmapped.
  Loc map(Cluster& c, Loc loc);
  // Registers every source file in `c` at once: `map` then changes nothing and may be called from several threads.
  void register_files(Cluster& c);
  // The Secret value spans of the source files registered so far, for the excerpts read from them.
  void add_secret_spans(Cluster& c) const;
};

// Loads one unit into `cluster` through `loader` (rendering it first if needed);
// rendering errors become the loader's input errors, named after the unit. A
// kustomize unit fills `map` (when given) so that findings can point at sources.
void load_unit(const UnitSource& unit, Loader& loader, std::vector<LoadError>& errors, uint64_t max_bytes,
               SourceMap* map = nullptr);

}  // namespace ig
