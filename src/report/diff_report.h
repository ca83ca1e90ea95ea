// `ingressguard diff` reports: text for a terminal, JSON, Markdown for a pull-request comment,
// and SARIF of the introduced findings only (code scanning on pull requests).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "diff/surface_diff.h"
#include "load/loader.h"

namespace ig {

struct DiffSideInfo {
  std::string label;   // as given: a directory, a revision, or "work tree"
  std::string commit;  // full commit id for a revision; empty for a directory
};

struct DiffReport {
  DiffSideInfo base, head;
  SurfaceDiff diff;
  std::vector<LoadError> errors;
  std::vector<std::string> notices;
  LoadStats base_stats, head_stats;
};

void write_diff_text(std::ostream& out, const DiffReport& r, bool color);
void write_diff_json(std::ostream& out, const DiffReport& r);
void write_diff_markdown(std::ostream& out, const DiffReport& r);
void write_diff_sarif(std::ostream& out, const DiffReport& r);

}  // namespace ig
