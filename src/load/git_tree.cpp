#include "load/git_tree.h"

#include <fcntl.h>
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>
#include <algorithm>

#include "core/unique_fd.h"

namespace ig {

namespace {

// libgit2 is initialised once for the process. Owner validation (git's safe.directory) is off: it guards
// against running a repository's hooks and configured programs, and nothing here runs any; a CI checkout
// owned by another user (a container's mounted workspace) must still be readable.
void init_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
  });
}

std::string last_error(std::string_view what) {
  const git_error* e = git_error_last();
  return std::string(what) + (e && e->message ? std::string(": ") + e->message : std::string());
}

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using Repo = std::unique_ptr<git_repository, Freer<git_repository, git_repository_free>>;
using Object = std::unique_ptr<git_object, Freer<git_object, git_object_free>>;
using Blob = std::unique_ptr<git_blob, Freer<git_blob, git_blob_free>>;

Repo open_repository(const std::string& path, std::string& error) {
  init_libgit2();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, path.c_str(), 0, nullptr) != 0) {
    error = last_error("not in a git repository (" + path + ")");
    return nullptr;
  }
  return Repo(repo);
}

// A tree entry's name is one path component inside the checkout.
bool safe_component(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos) return false;
  if (name.size() == 4 && (name[0] == '.') && (name[1] | 0x20) == 'g' && (name[2] | 0x20) == 'i' && (name[3] | 0x20) == 't')
    return false;
  return true;
}

struct BlobEntry {
  std::string rel;
  git_oid id;
  bool executable;
};

// The tree's directories are made as it is walked; its blobs are listed, to be written after.
struct Walk {
  std::string dest;
  GitCheckout* out;
  std::vector<BlobEntry> blobs;
  std::string error;
};

int walk_entry(const char* root, const git_tree_entry* entry, void* payload) {
  auto& w = *static_cast<Walk*>(payload);
  std::string_view name = git_tree_entry_name(entry);
  std::string rel = std::string(root) + std::string(name);
  if (!safe_component(name)) {
    w.error = "the revision holds an entry that cannot be written safely: " + rel;
    return -1;
  }
  git_filemode_t mode = git_tree_entry_filemode(entry);
  switch (git_tree_entry_type(entry)) {
    case GIT_OBJECT_TREE:
      if (::mkdir((w.dest + "/" + rel).c_str(), 0755) != 0) {
        w.error = "cannot create " + w.dest + "/" + rel + ": " + std::strerror(errno);
        return -1;
      }
      return 0;
    case GIT_OBJECT_COMMIT:
      w.out->skipped.push_back(rel + " (a submodule)");
      return 0;
    case GIT_OBJECT_BLOB:
      break;
    default:
      return 0;
  }
  if (mode == GIT_FILEMODE_LINK) {
    w.out->skipped.push_back(rel + " (a symbolic link)");
    return 0;
  }
  w.blobs.push_back(BlobEntry{std::move(rel), *git_tree_entry_id(entry), mode == GIT_FILEMODE_BLOB_EXECUTABLE});
  return 0;
}

// Writes every `step`-th blob from `first`, read through `repo` (used by this thread only: libgit2 objects are not
// shared between threads). Oversized blobs are listed in `skipped`; the first failure ends the run.
void write_blobs(git_repository* repo, const std::string& dest, const std::vector<BlobEntry>& blobs, size_t first,
                 size_t step, uint64_t max_blob, std::vector<std::string>& skipped, std::string& error) {
  for (size_t i = first; i < blobs.size(); i += step) {
    const BlobEntry& b = blobs[i];
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, repo, &b.id) != 0) {
      error = last_error("cannot read " + b.rel);
      return;
    }
    Blob blob(raw);
    auto size = static_cast<uint64_t>(git_blob_rawsize(blob.get()));
    if (size > max_blob) {
      skipped.push_back(b.rel + " (" + std::to_string(size) + " bytes, larger than the file size limit)");
      continue;
    }
    std::string path = dest + "/" + b.rel;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, b.executable ? 0755 : 0644));
    if (fd.get() < 0 || !write_all(fd.get(), std::string_view(static_cast<const char*>(git_blob_rawcontent(blob.get())), size))) {
      error = "cannot write " + path + ": " + std::strerror(errno);
      return;
    }
  }
}

}  // namespace

std::optional<std::string> git_repository_work_tree(const std::string& path, std::string& error) {
  Repo repo = open_repository(path, error);
  if (!repo) return std::nullopt;
  const char* dir = git_repository_workdir(repo.get());
  if (!dir) {
    error = "the repository of " + path + " is bare: it has no work tree to compare";
    return std::nullopt;
  }
  std::string out = dir;
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::optional<GitCheckout> git_checkout_revision(const std::string& repo_path, const std::string& revision,
                                                 const std::string& dest, uint64_t max_blob, unsigned threads,
                                                 std::string& error) {
  Repo repo = open_repository(repo_path, error);
  if (!repo) return std::nullopt;
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo.get(), revision.c_str()) != 0) {
    error = last_error("unknown revision '" + revision + "'");
    return std::nullopt;
  }
  Object named(raw);
  git_object* raw_tree = nullptr;
  if (git_object_peel(&raw_tree, named.get(), GIT_OBJECT_TREE) != 0) {
    error = last_error("'" + revision + "' names no commit or tree");
    return std::nullopt;
  }
  Object tree(raw_tree);
  GitCheckout out;
  git_object* raw_commit = nullptr;
  const git_object* id_of = tree.get();
  Object commit;
  if (git_object_peel(&raw_commit, named.get(), GIT_OBJECT_COMMIT) == 0) {
    commit.reset(raw_commit);
    id_of = commit.get();
  }
  out.commit = git_oid_tostr_s(git_object_id(id_of));
  Walk walk{dest, &out, {}, {}};
  if (git_tree_walk(reinterpret_cast<const git_tree*>(tree.get()), GIT_TREEWALK_PRE, walk_entry, &walk) != 0) {
    error = walk.error.empty() ? last_error("cannot read the tree of '" + revision + "'") : walk.error;
    return std::nullopt;
  }
  // Inflating and writing the blobs is most of the work: on `threads` threads, each other than this one with a
  // repository of its own.
  size_t n = std::max<size_t>(1, std::min<size_t>(threads, walk.blobs.size()));
  std::vector<std::vector<std::string>> skipped(n);
  std::vector<std::string> errors(n);
  std::vector<std::thread> workers;
  for (size_t t = 1; t < n; ++t)
    workers.emplace_back([&, t] {
      if (Repo own = open_repository(repo_path, errors[t]))
        write_blobs(own.get(), dest, walk.blobs, t, n, max_blob, skipped[t], errors[t]);
    });
  write_blobs(repo.get(), dest, walk.blobs, 0, n, max_blob, skipped[0], errors[0]);
  for (std::thread& th : workers) th.join();
  for (size_t t = 0; t < n; ++t) {
    if (!errors[t].empty()) {
      error = errors[t];
      return std::nullopt;
    }
    out.skipped.insert(out.skipped.end(), skipped[t].begin(), skipped[t].end());
  }
  return out;
}

}  // namespace ig
