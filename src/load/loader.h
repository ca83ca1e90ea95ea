// Loads manifests from files, directories and stdin into a Cluster snapshot.
// Bad input never stops the load: each problem becomes a LoadError with its
// file:line:col, and the other inputs are still read.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>

#include <cstdint>
#include <string>
#include <vector>

#include "core/cluster.h"
#include "load/node.h"

namespace ig {

struct LoadError {
  std::string file;
  Mark mark;
  std::string message;
};

struct LoadOptions {
  ParseLimits limits;
  uint64_t max_file_size = 256ull << 20;  // bytes; larger files are refused
};

struct LoadStats {
  size_t files = 0;
  size_t bytes = 0;
  size_t documents = 0;
  size_t objects = 0;
  size_t skipped_documents = 0;  // empty, or not a Kubernetes object

  LoadStats& operator+=(const LoadStats& o) {
    files += o.files;
    bytes += o.bytes;
    documents += o.documents;
    objects += o.objects;
    skipped_documents += o.skipped_documents;
    return *this;
  }
};

enum class InputFormat { Auto, Yaml, Json };

class Loader;

// One JSON input read as it arrives, without holding it whole (json_stream.h): the items of a List are
// parsed in batches (on worker threads when the input is large), each batch into a Cluster of its own,
// adopted in input order. Peak memory: the batches in flight and the largest item, plus the snapshot.
class JsonStream {
 public:
  ~JsonStream();
  // False once the input is known to be bad or too large: stop feeding.
  bool feed(std::string_view bytes);
  // The input ended (or `failure`, a reason it was cut short). Records errors and counts in the Loader.
  void finish(std::optional<std::string> failure = std::nullopt);
  // The input is abandoned: nothing of it is kept, no error recorded.
  void discard();

 private:
  friend class Loader;
  struct Impl;
  explicit JsonStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The text of a streamed input is kept (for report excerpts) while it is at most this large.
inline constexpr uint64_t kKeepStreamedText = 16ull << 20;

// Inputs this large (bytes in one directory) are read on several threads.
inline constexpr uint64_t kParallelLoadBytes = 8ull << 20;

class Loader {
 public:
  Loader(Cluster& cluster, LoadOptions options = {}) : cluster_(cluster), options_(options) {}

  // A file, a directory (recursive; .yaml .yml .json) or "-" for stdin.
  void load_path(const std::string& path);
  // Manifest files, in order (large sets on several threads, as for a directory).
  void load_paths(const std::vector<std::string>& files) { load_files(files); }
  // Loads bytes already in memory under a display name (tests, admission).
  void load_buffer(const std::string& name, std::string content, InputFormat format = InputFormat::Auto,
                   bool keep_content = true);

  // JSON fed as it arrives (kubectl's output), under a display name.
  std::unique_ptr<JsonStream> open_json_stream(const std::string& name, bool keep_content,
                                               std::optional<uint32_t> file_id = std::nullopt);

  const std::vector<LoadError>& errors() const { return errors_; }
  const Cluster& cluster() const { return cluster_; }
  const LoadStats& stats() const { return stats_; }

 private:
  // A directory's files; large sets are read by several threads (each into a
  // Cluster of its own, merged in file order, so the result is the same).
  void load_files(const std::vector<std::string>& paths);
  // `file_id`: the file's index, already registered in the Cluster that will
  // hold the objects (parallel loads); empty: register it now.
  void load_file(const std::string& path, InputFormat format, std::optional<uint32_t> file_id = std::nullopt);
  void load_buffer_as(std::optional<uint32_t> file_id, const std::string& name, std::string content,
                      InputFormat format, bool keep_content);
  // Reads an open file or stdin: JSON as a stream, YAML whole. `size_hint`: the file's size (0: unknown).
  void load_stream(std::FILE* f, std::optional<uint32_t> file_id, const std::string& name, InputFormat format,
                   bool keep_content, uint64_t size_hint);
  friend struct JsonStream::Impl;
  Cluster& cluster_;
  LoadOptions options_;
  std::vector<LoadError> errors_;
  LoadStats stats_;
};

}  // namespace ig
