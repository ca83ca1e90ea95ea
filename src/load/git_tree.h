// Reading a git revision's files without a git binary (the image has none): the
// repository is opened with libgit2, the revision resolved as git resolves it
// (branches, tags, remote branches, HEAD~2, abbreviated ids) and its tree
// written into a directory, so that kustomizations and charts render as they
// would from a checkout. Only reads: no hooks, filters or configuration of the
// repository are run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ig {

struct GitCheckout {
  std::string commit;      // full id of the commit (or of the tree, when the revision names one)
  std::vector<std::string> skipped;  // entries left out and why (symbolic links, submodules, oversized blobs)
};

// The work tree of the repository that holds `path` (searching upwards, as git does);
// nullopt with `error` set when there is none (not in a repository, a bare repository).
std::optional<std::string> git_repository_work_tree(const std::string& path, std::string& error);

// Writes the files of `revision` into `dest` (an empty directory). Blobs larger than
// `max_blob` bytes, symbolic links and submodules are skipped (listed in `skipped`);
// entry names that could leave `dest` (".", "..", ".git", a slash) fail the checkout. Blobs are written on
// `threads` threads.
std::optional<GitCheckout> git_checkout_revision(const std::string& repo_path, const std::string& revision,
                                                 const std::string& dest, uint64_t max_blob, unsigned threads,
                                                 std::string& error);

}  // namespace ig
