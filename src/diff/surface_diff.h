// What a change does to the attack surface: the same unit of two versions of the
// manifests (a base and a head), compared by meaning rather than by text.
//   - exposure: paths from outside (entry -> route -> Service -> workloads) added,
//     removed and changed, with the protections gained and lost on each;
//   - NetworkPolicy reach: who may connect to a workload, recomputed for the workloads
//     whose namespace's policies or whose own labels or ports changed, grouped by
//     destination and source namespace;
//   - findings introduced and fixed, matched by unit, rule, object and message (digits
//     masked), so moving a file or reordering documents changes nothing;
//   - certificates: a TLS Secret that now expires sooner, has a smaller key, or no
//     longer covers a host an Ingress serves with it.
// The base's unit is kept (SurfaceDiff::keep) as its findings, its paths and a small snapshot of
// what reach and certificates need before the head's is read and compared with it: memory is
// bounded by one unit's snapshot plus what is kept of the other.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/cluster.h"
#include "graph/exposure.h"
#include "rules/rule.h"

namespace ig {

// One judged unit of one side: its snapshot and the rules' findings on it (not suppressed
// ones: an exemption is an accepted finding).
struct DiffUnitInput {
  const Cluster* cluster = nullptr;  // null: the unit is not on this side
  const std::vector<Finding>* findings = nullptr;  // locations already where the report shows them
  const std::vector<ExposurePath>* paths = nullptr;
  // Where a location of the snapshot is shown (a kustomize render's line in its source file); identity when unset.
  std::function<Loc(Loc)> locate;
};

// What the comparison keeps of the base's unit once its snapshot is gone.
struct DiffSideUnit {
  bool present = false;
  std::vector<Finding> findings;    // not suppressed; strings and files in SurfaceDiff::report
  std::vector<ExposurePath> paths;  // the same
  // Namespaces, NetworkPolicies, workloads (labels and ports), Secrets (certificate summaries) and the TLS
  // sections of Ingresses, with locations in the files shown; indexed.
  std::unique_ptr<Cluster> reach;
};

struct SurfaceChange {
  enum class Kind { PathAdded, PathRemoved, PathChanged, ReachWidened, ReachNarrowed, CertificateWeakened };
  Kind kind = Kind::PathChanged;
  Severity severity = Severity::Info;
  uint32_t unit = 0;          // index into SurfaceDiff::units
  std::string subject;        // what changed: a path ("shop.example.com/ -> shop/web"), a workload, a Secret
  std::string summary;        // one sentence for a reviewer
  std::vector<std::string> gained, lost;  // protections (paths) or sources (reach)
  std::string file;           // where to look: the head's file, else the base's
  uint32_t line = 0;
  // Exposure paths: the path on each side (absent when added or removed).
  std::optional<ExposurePath> base_path, head_path;
};

std::string_view to_string(SurfaceChange::Kind k);

struct SurfaceDiff {
  std::vector<std::string> units;  // unit names, as both sides call them
  std::vector<SurfaceChange> changes;  // most severe first
  // Findings introduced (on the head) and fixed (on the base), with their snapshots' strings kept
  // here: `files` holds the paths they point at, `strings` what their objects are called.
  Cluster report;
  std::vector<Finding> introduced, fixed;
  size_t unchanged = 0;
  std::vector<std::string> notices;

  // What reach and certificates are judged by, copied out of a side's snapshot. Reads only the snapshot
  // (not the findings): it may run beside the rules.
  static std::unique_ptr<Cluster> copy_reach(const DiffUnitInput& side);
  // What the comparison needs of the base's unit; the input's snapshot may be freed after.
  DiffSideUnit keep(const DiffUnitInput& base, std::unique_ptr<Cluster> reach);
  // NetworkPolicy reach and certificates of the head's unit against the kept base. Reads only the two (not the
  // head's findings): it may run beside the head's rules.
  struct ReachChanges {
    std::vector<SurfaceChange> changes;
    std::vector<std::string> notes;
  };
  ReachChanges compare_reach(const std::string& name, const DiffSideUnit& base, const DiffUnitInput& head) const;
  // Adds the comparison of one unit (by name): the base as kept, the head as read, and their reach compared.
  void compare_unit(const std::string& name, const DiffSideUnit& base, const DiffUnitInput& head, ReachChanges reach);
  // Sorts the changes and findings for the report; call once, after the last unit.
  void finish();
  // The most severe change or introduced finding; nullopt when nothing was introduced or lost.
  std::optional<Severity> highest() const;
  using Placer = std::function<void(SurfaceChange&, Loc)>;  // where a change on the head is shown

 private:
  std::unordered_map<std::string, uint32_t> report_files_;  // path -> index in report.files
};

// A finding's identity across the two sides: the rule, the object it is about and its message with digits
// masked (line numbers in a message move with the text). The file is left out: a file moved or split still
// holds the same finding.
std::string diff_fingerprint(std::string_view unit, const Finding& f);

}  // namespace ig
