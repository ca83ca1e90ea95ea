#include "core/paths.h"

#include <fnmatch.h>

namespace ig {

namespace fs = std::filesystem;

std::optional<fs::path> git_work_tree(const fs::path& dir) {
  std::error_code ec;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p;
    if (p == p.root_path()) break;
  }
  return std::nullopt;
}

bool path_matches_glob(const std::string& glob, const fs::path& path) {
  std::string p = path.lexically_normal().generic_string();
  return fnmatch(glob.c_str(), p.c_str(), glob.find("**") == std::string::npos ? FNM_PATHNAME : 0) == 0;
}

}  // namespace ig
