// Paths as the tool reads them from the command line and the policy file:
// the git work tree a directory belongs to, and globs over paths.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ig {

// The git work tree holding directory `dir` (the nearest parent with a .git), or nullopt.
std::optional<std::filesystem::path> git_work_tree(const std::filesystem::path& dir);

// `path` (normalised, with forward slashes) matches `glob` as fnmatch reads it:
// `*` and `?` stop at `/` unless the pattern holds `**`, where they cross it.
bool path_matches_glob(const std::string& glob, const std::filesystem::path& path);

// `path` without a leading "./" (how a file found below "." is named for people).
inline std::string_view without_dot_slash(std::string_view path) {
  return path.substr(0, 2) == "./" ? path.substr(2) : path;
}

}  // namespace ig
