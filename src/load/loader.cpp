#include "load/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <malloc.h>

#include "load/parse.h"
#include "load/scalar.h"
#include "load/snapshot.h"
#include "load/units.h"

namespace ig {

namespace fs = std::filesystem;

namespace {

class SnapshotSink : public DocumentSink {
 public:
  SnapshotSink(Cluster& c, uint32_t file, LoadStats& stats) : c_(c), file_(file), stats_(stats) {}
  void on_document(const Document& doc) override {
    ++stats_.documents;
    if (!split_) {
      SnapshotCounts counts = add_document(c_, file_, doc);
      stats_.objects += counts.objects;
      stats_.skipped_documents += counts.skipped;
      return;
    }
    // A List read item by item: its items were read into a Cluster of their own, adopted once the
    // document (with its kind, which kubectl writes after the items) says it is a List.
    split_ = false;
    const Node* root = doc.root && doc.root->is_map() ? doc.root : nullptr;
    std::string_view kind = root ? as_string(root->get("kind")).value_or(std::string_view()) : std::string_view();
    if (is_list_kind(kind)) {
      std::string_view typed = list_item_kind(kind);
      std::string_view api = as_string(root->get("apiVersion")).value_or(std::string_view());
      for (const Document& item : deferred_) {
        SnapshotCounts counts = add_list_item(*items_, file_, item, typed, typed.empty() ? std::string_view() : api);
        item_counts_.objects += counts.objects;
        item_counts_.skipped += counts.skipped;
      }
      c_.adopt(std::move(*items_));
      stats_.objects += item_counts_.objects;
      stats_.skipped_documents += item_counts_.skipped;
    } else {
      // Not a list: its items are no objects; the document is read as the rest of it says.
      SnapshotCounts counts = add_document(c_, file_, doc);
      stats_.objects += counts.objects;
      stats_.skipped_documents += counts.skipped;
    }
    items_.reset();
    deferred_.clear();
    item_counts_ = {};
  }
  bool wants_items() const override { return true; }
  bool on_list_item(const Document& item, std::string_view kind, std::string_view api) override {
    if (!split_) {
      split_ = true;
      items_ = std::make_unique<Cluster>();
    }
    std::string_view typed = list_item_kind(kind);
    SnapshotCounts counts = add_list_item(*items_, file_, item, typed, typed.empty() ? std::string_view() : api);
    if (counts.skipped && kind.empty()) {
      // Read again once the list's kind is known (a typed list may name it after its items).
      deferred_.push_back(item);
      return true;
    }
    item_counts_.objects += counts.objects;
    item_counts_.skipped += counts.skipped;
    return false;
  }

 private:
  Cluster& c_;
  uint32_t file_;
  LoadStats& stats_;
  bool split_ = false;
  std::unique_ptr<Cluster> items_;
  std::vector<Document> deferred_;
  SnapshotCounts item_counts_;
};

bool has_extension(const fs::path& p, std::initializer_list<const char*> exts) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* e : exts)
    if (ext == e) return true;
  return false;
}

InputFormat sniff(std::string_view content) {
  size_t i = 0;
  if (content.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte order mark
  while (i < content.size() && (content[i] == ' ' || content[i] == '\t' || content[i] == '\r' || content[i] == '\n')) ++i;
  return (i < content.size() && (content[i] == '{' || content[i] == '[')) ? InputFormat::Json : InputFormat::Yaml;
}

}  // namespace

void Loader::load_path(const std::string& path) {
  if (path == "-") {
    load_stream(stdin, std::nullopt, "-", InputFormat::Auto, true, 0);
    return;
  }
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    errors_.push_back(LoadError{path, {}, unreadable_path_message(ec)});
    return;
  }
  if (fs::is_directory(st)) {
    std::vector<std::string> paths = manifest_files(path, errors_);
    load_files(paths);
    return;
  }
  InputFormat format = has_extension(path, {".json"})                  ? InputFormat::Json
                       : has_extension(path, {".yaml", ".yml"}) ? InputFormat::Yaml
                                                                       : InputFormat::Auto;
  load_file(path, format);
}

namespace {
InputFormat format_of(const std::string& path) {
  return has_extension(path, {".json"}) ? InputFormat::Json : InputFormat::Yaml;
}
}  // namespace

void Loader::load_files(const std::vector<std::string>& paths) {
  std::vector<uint64_t> sizes(paths.size(), 0);
  uint64_t total = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::error_code ec;
    sizes[i] = fs::file_size(paths[i], ec);
    if (ec) sizes[i] = 0;
    total += sizes[i];
  }
  size_t workers = std::min<size_t>({std::max(1u, std::thread::hardware_concurrency()), 4, paths.size()});
  if (const char* env = std::getenv("IG_LOAD_THREADS")) workers = std::min<size_t>(std::strtoul(env, nullptr, 10), workers);
  if (workers < 2 || total < kParallelLoadBytes) {
    for (const std::string& p : paths) load_file(p, format_of(p));
    return;
  }
  // Contiguous runs of files of about equal size, one per thread.
  std::vector<size_t> starts{0};
  uint64_t acc = 0;
  for (size_t i = 0; i < paths.size() && starts.size() < workers; ++i) {
    acc += sizes[i];
    if (acc >= total * starts.size() / workers && i + 1 < paths.size()) starts.push_back(i + 1);
  }
  starts.push_back(paths.size());
  uint32_t first_id = static_cast<uint32_t>(cluster_.files.size());
  for (const std::string& p : paths) cluster_.files.push_back(SourceFile{p, {}});

  struct Part {
    Cluster cluster;
    std::unique_ptr<Loader> loader;
  };
  std::vector<Part> parts(starts.size() - 1);
  auto run = [&](size_t t) {
    for (size_t i = starts[t]; i < starts[t + 1]; ++i)
      parts[t].loader->load_file(paths[i], format_of(paths[i]), first_id + static_cast<uint32_t>(i));
  };
  for (Part& part : parts) part.loader = std::make_unique<Loader>(part.cluster, options_);
  // The first run on this thread: one malloc arena fewer to fragment.
  std::vector<std::thread> threads;
  for (size_t t = 1; t < parts.size(); ++t) threads.emplace_back(run, t);
  run(0);
  for (auto& th : threads) th.join();
  for (Part& part : parts) {
    cluster_.adopt(std::move(part.cluster));
    const Loader& l = *part.loader;
    errors_.insert(errors_.end(), l.errors_.begin(), l.errors_.end());
    stats_ += l.stats_;
  }
  parts.clear();
  // The threads' malloc arenas keep the memory their parse trees used; give
  // it back before the rules allocate in the main arena.
  malloc_trim(0);
}

void Loader::load_file(const std::string& path, InputFormat format, std::optional<uint32_t> file_id) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    errors_.push_back(LoadError{path, {}, std::string("cannot open: ") + std::strerror(errno)});
    return;
  }
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec && size > options_.max_file_size) {
    errors_.push_back(LoadError{path, {}, "file is " + std::to_string(size) + " bytes, over the limit of " +
                                              std::to_string(options_.max_file_size) + " bytes; not read"});
    return;
  }
  load_stream(f.get(), file_id, path, format, false, ec ? 0 : size);
}

void Loader::load_stream(std::FILE* f, std::optional<uint32_t> file_id, const std::string& name, InputFormat format,
                         bool keep_content, uint64_t size_hint) {
  // The first bytes tell JSON from YAML; JSON is read as it comes, YAML whole (libyaml wants it so),
  // straight into one buffer of the file's size.
  constexpr size_t kChunk = 1 << 20;
  std::string content;
  // One byte over the size: the read that meets the end of the file needs no second buffer.
  content.reserve(std::max<uint64_t>(std::min<uint64_t>(size_hint, options_.max_file_size) + 1, kChunk) + kJsonPadding);
  std::string label = name == "-" ? "stdin" : name;
  auto read_more = [&](size_t n) {
    size_t at = content.size();
    content.resize(at + n);
    size_t got = std::fread(content.data() + at, 1, n, f);
    content.resize(at + got);
    return got;
  };
  read_more(kChunk);
  if (format == InputFormat::Auto) format = sniff(content);
  if (format == InputFormat::Json && !std::ferror(f)) {
    std::unique_ptr<JsonStream> stream = open_json_stream(name, keep_content, file_id);
    bool more = stream->feed(content);
    while (more && !std::feof(f) && !std::ferror(f)) {
      content.clear();
      more = read_more(kChunk) > 0 && stream->feed(content);
    }
    if (std::ferror(f)) stream->finish(std::string("cannot read: ") + std::strerror(errno));
    else stream->finish();
    return;
  }
  while (!std::feof(f) && !std::ferror(f) && content.size() <= options_.max_file_size) {
    // What the file's size says is left (and one byte more), or a chunk at a time when it said nothing.
    size_t want = size_hint + 1 > content.size() ? static_cast<size_t>(size_hint + 1 - content.size()) : kChunk;
    if (content.capacity() < content.size() + want + kJsonPadding)
      content.reserve(std::max(content.size() + want + kJsonPadding, content.capacity() * 2));
    if (read_more(want) == 0) break;
  }
  if (std::ferror(f)) {
    errors_.push_back(LoadError{name, {}, "cannot read " + label + ": " + std::strerror(errno)});
    return;
  }
  if (content.size() > options_.max_file_size) {
    errors_.push_back(LoadError{name, {}, label + " is larger than the limit of " + std::to_string(options_.max_file_size) +
                                              " bytes; not read"});
    return;
  }
  load_buffer_as(file_id, name, std::move(content), format, keep_content);
}

void Loader::load_buffer(const std::string& name, std::string content, InputFormat format, bool keep_content) {
  load_buffer_as(std::nullopt, name, std::move(content), format, keep_content);
}

void Loader::load_buffer_as(std::optional<uint32_t> id, const std::string& name, std::string content,
                            InputFormat format, bool keep_content) {
  if (format == InputFormat::Auto) format = sniff(content);
  if (format == InputFormat::Json) {
    // One reader for JSON however it arrives: a List is read item by item.
    std::unique_ptr<JsonStream> stream = open_json_stream(name, false, id);
    uint32_t file_id = id ? *id : static_cast<uint32_t>(cluster_.files.size() - 1);
    stream->feed(content);
    stream->finish();
    if (keep_content && !id) cluster_.files[file_id].content = std::move(content);
    return;
  }
  uint32_t file_id = id ? *id : static_cast<uint32_t>(cluster_.files.size());
  if (!id) cluster_.files.push_back(SourceFile{name, {}});
  ++stats_.files;
  stats_.bytes += content.size();
  SnapshotSink sink(cluster_, file_id, stats_);
  std::optional<Error> err = parse_yaml(content, options_.limits, sink);
  if (err) errors_.push_back(LoadError{name, err->mark, err->message});
  if (keep_content && !id) cluster_.files[file_id].content = std::move(content);
}

}  // namespace ig
