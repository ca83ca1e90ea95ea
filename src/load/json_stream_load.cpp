// JsonStream: the items of a JSON List parsed batch by batch as the input arrives (see loader.h).
#include <malloc.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "load/json_stream.h"
#include "load/loader.h"
#include "load/parse.h"
#include "load/scalar.h"
#include "load/snapshot.h"

namespace ig {

namespace {

// Items are handed to the parsers in batches of about this many bytes.
constexpr size_t kBatchBytes = 2u << 20;

struct Item {
  size_t offset, size;
  Mark start;
  uint32_t nesting;
};

// A run of consecutive items and what parsing them gave.
struct Batch {
  std::string text;  // the items' bytes, each followed by kJsonPadding bytes of padding
  std::vector<Item> items;
  // Results.
  Cluster cluster;
  LoadStats stats;
  std::optional<Error> error;                           // the first bad item; the items after it are not read
  std::vector<std::pair<std::string, Mark>> deferred;   // objects without a kind, while the list's is unknown
};

// Adds the item parsed from `text` (at `start`) to the batch. While the list's kind is unknown, an item
// that is no object without it is kept as text, to be read again once the kind is known (a typed list
// may name it after its items).
class ItemSink : public DocumentSink {
 public:
  ItemSink(Batch& b, uint32_t file, std::string_view kind, std::string_view api, bool kind_known,
           std::string_view text, Mark start)
      : b_(b), file_(file), kind_(kind), api_(api), kind_known_(kind_known), text_(text), start_(start) {}
  void on_document(const Document& doc) override {
    SnapshotCounts counts = add_list_item(b_.cluster, file_, doc, kind_, api_);
    if (counts.skipped && !kind_known_) {
      b_.deferred.emplace_back(std::string(text_), start_);
      return;
    }
    b_.stats.objects += counts.objects;
    b_.stats.skipped_documents += counts.skipped;
  }

 private:
  Batch& b_;
  uint32_t file_;
  std::string_view kind_, api_;
  bool kind_known_;
  std::string_view text_;
  Mark start_;
};

}  // namespace

struct JsonStream::Impl {
  Loader& loader;
  uint32_t file;
  std::string name;
  bool keep_content;
  std::string kept;
  bool keeping;
  uint64_t bytes = 0;
  bool stopped = false;
  JsonListSplitter splitter;
  ParseLimits item_limits;
  std::string default_kind, default_api;
  bool kind_known = false;

  // Batches: the one being filled, those waiting for a parser, and the parsed ones by index.
  std::unique_ptr<Batch> filling;
  size_t next_index = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<size_t, std::unique_ptr<Batch>>> todo;
  std::vector<std::unique_ptr<Batch>> parsed;
  std::vector<std::thread> workers;
  unsigned max_workers = 0;
  bool closing = false;
  std::optional<Error> split_error;

  Impl(Loader& l, uint32_t f, std::string n, bool keep)
      : loader(l), file(f), name(std::move(n)), keep_content(keep), keeping(keep) {
    // The items sit two levels below the list: the same nesting limit as for the list read whole.
    item_limits = loader.options_.limits;
    item_limits.max_depth = item_limits.max_depth > 2 ? item_limits.max_depth - 2 : 1;
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    max_workers = std::min(cores, 4u);
    if (const char* env = std::getenv("IG_LOAD_THREADS")) max_workers = std::min<unsigned>(std::strtoul(env, nullptr, 10), max_workers);
    if (max_workers < 2) max_workers = 0;  // one core: parse on the reading thread
  }

  ~Impl() { stop_workers(); }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mu);
      closing = true;
    }
    cv.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
  }

  void parse_batch(Batch& b, JsonParser& parser) {
    for (const Item& item : b.items) {
      std::string_view text(b.text.data() + item.offset, item.size);
      ItemSink sink(b, file, default_kind, default_api, kind_known, text, item.start);
      std::optional<Error> err;
      if (text.front() == '{') {
        err = parser.parse(text, b.text.size() - item.offset, item.start, item_limits, sink, item.nesting);
      } else {
        // Not an object: checked as JSON (inside brackets, one column to the left) and skipped.
        std::string wrapped = "[" + std::string(text) + "]";
        wrapped.reserve(wrapped.size() + kJsonPadding);
        struct Nothing : DocumentSink {
          void on_document(const Document&) override {}
        } nothing;
        err = parser.parse(wrapped, wrapped.capacity(), Mark{item.start.line, item.start.col - 1}, item_limits, nothing);
        if (!err) ++b.stats.skipped_documents;
      }
      if (err) {
        b.error = err;
        break;
      }
    }
    b.text.clear();
    b.text.shrink_to_fit();
    b.items.clear();
    b.items.shrink_to_fit();
  }

  void worker() {
    JsonParser parser;
    for (;;) {
      std::pair<size_t, std::unique_ptr<Batch>> job;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return closing || !todo.empty(); });
        if (todo.empty()) return;
        job = std::move(todo.front());
        todo.pop_front();
      }
      cv.notify_all();
      parse_batch(*job.second, parser);
      std::lock_guard<std::mutex> lock(mu);
      parsed[job.first] = std::move(job.second);
    }
  }

  JsonParser inline_parser;

  // `last`: the input ended; a list that fit in one batch is parsed here, without threads.
  void dispatch(bool last = false) {
    if (!filling || filling->items.empty()) return;
    size_t index = next_index++;
    {
      std::lock_guard<std::mutex> lock(mu);
      parsed.emplace_back();
    }
    if (max_workers == 0 || (last && workers.empty())) {
      parse_batch(*filling, inline_parser);
      parsed[index] = std::move(filling);
      return;
    }
    if (workers.empty())
      for (unsigned i = 0; i < max_workers; ++i) workers.emplace_back([this] { worker(); });
    {
      // At most two batches waiting per parser: memory stays bounded however fast the input comes.
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return todo.size() < 2 * max_workers; });
      todo.emplace_back(index, std::move(filling));
    }
    cv.notify_all();
  }

  void on_item(std::string_view text, Mark start, uint32_t nesting) {
    if (!filling) {
      filling = std::make_unique<Batch>();
      filling->text.reserve(kBatchBytes + 64 * 1024);
    }
    if (!kind_known && splitter.items() == 1) {
      // The list's kind when it came before the items: the defaults for typed lists, known for all items.
      std::string_view k = splitter.kind_before_items();
      if (!k.empty()) {
        kind_known = true;
        default_kind = std::string(list_item_kind(k));
        if (!default_kind.empty()) default_api = std::string(splitter.api_version_before_items());
      }
    }
    filling->items.push_back(Item{filling->text.size(), text.size(), start, nesting});
    filling->text.append(text);
    filling->text.append(kJsonPadding, ' ');
    if (filling->text.size() >= kBatchBytes) dispatch();
  }

  bool feed(std::string_view chunk) {
    if (stopped) return false;
    bytes += chunk.size();
    if (bytes > loader.options_.max_file_size) {
      split_error = Error{"input is larger than the limit of " + std::to_string(loader.options_.max_file_size) +
                              " bytes; read up to there",
                          {}};
      stopped = true;
      return false;
    }
    if (keeping) {
      if (kept.size() + chunk.size() <= kKeepStreamedText) {
        kept.append(chunk);
      } else {
        keeping = false;
        std::string().swap(kept);
      }
    }
    if (auto err = splitter.feed(chunk, [this](std::string_view t, Mark m, uint32_t d) { on_item(t, m, d); })) {
      split_error = err;
      stopped = true;
      return false;
    }
    return true;
  }

  void finish(std::optional<std::string> failure) {
    std::optional<Error> error = split_error;
    if (!error && failure) error = Error{*failure, {}};
    if (!error) error = splitter.finish();
    dispatch(true);
    stop_workers();
    Cluster& cluster = loader.cluster_;
    LoadStats& stats = loader.stats_;
    ++stats.files;
    stats.bytes += bytes;
    ++stats.documents;
    // The rest of the input: the list's own fields, or the whole document when it is not a list.
    std::string skeleton = splitter.skeleton();
    skeleton.reserve(skeleton.size() + kJsonPadding);
    struct SkeletonSink : DocumentSink {
      JsonStream::Impl& self;
      explicit SkeletonSink(JsonStream::Impl& s) : self(s) {}
      void on_document(const Document& doc) override { self.on_skeleton(doc); }
    } sink(*this);
    if (!error) {
      JsonParser parser;
      if (auto err = parser.parse(skeleton, skeleton.capacity(), Mark{1, 1}, loader.options_.limits, sink)) {
        error = Error{err->message, splitter.to_input(err->mark)};
      }
    }
    if (!skeleton_seen_) adopt_items({});
    // An item that failed comes before anything the rest of the input could show.
    if (error && !error_reported_) loader.errors_.push_back(LoadError{name, error->mark, error->message});
    if (keep_content && keeping) cluster.files[file].content = std::move(kept);
  }

  bool skeleton_seen_ = false;

  // The items parsed, in input order, up to the first bad one; then those whose kind came late.
  void adopt_items(std::string_view list_kind) {
    Cluster& cluster = loader.cluster_;
    LoadStats& stats = loader.stats_;
    std::string_view late_kind = kind_known ? std::string_view() : list_item_kind(list_kind);
    Batch late;
    JsonParser parser;
    for (auto& b : parsed) {
      if (!b) continue;
      cluster.adopt(std::move(b->cluster));
      stats += b->stats;
      if (late_kind.empty()) stats.skipped_documents += b->deferred.size();
      else for (auto& [text, start] : b->deferred) {
        text.reserve(text.size() + kJsonPadding);
        ItemSink sink(late, file, late_kind, late_api_, true, text, start);
        parser.parse(text, text.capacity(), start, item_limits, sink);
      }
      bool bad = b->error.has_value();
      if (bad && !error_reported_) {
        error_reported_ = true;
        loader.errors_.push_back(LoadError{name, b->error->mark, b->error->message});
      }
      b.reset();
      if (bad) break;
    }
    cluster.adopt(std::move(late.cluster));
    stats += late.stats;
    parsed.clear();
    if (max_workers) malloc_trim(0);
  }
  bool error_reported_ = false;
  std::string late_api_;

  void on_skeleton(const Document& doc) {
    skeleton_seen_ = true;
    const Node* root = doc.root;
    std::string_view kind = root && root->is_map() ? as_string(root->get("kind")).value_or(std::string_view())
                                                   : std::string_view();
    if (splitter.streamed() && is_list_kind(kind)) {
      late_api_ = std::string(as_string(root->get("apiVersion")).value_or(std::string_view()));
      adopt_items(kind);
      return;
    }
    // Not a list: its items (if any) are not objects; the document is read as the rest says.
    parsed.clear();
    if (splitter.streamed()) remap(const_cast<Node*>(root), const_cast<Document&>(doc));
    SnapshotCounts counts = add_document(loader.cluster_, file, doc);
    loader.stats_.objects += counts.objects;
    loader.stats_.skipped_documents += counts.skipped;
  }

  void remap(Node* n, Document& doc) {
    for (DuplicateKey& d : doc.duplicates) {
      d.first = splitter.to_input(d.first);
      d.second = splitter.to_input(d.second);
    }
    std::vector<Node*> stack{n};
    while (!stack.empty()) {
      Node* x = stack.back();
      stack.pop_back();
      if (!x) continue;
      x->mark = splitter.to_input(x->mark);
      x->end = splitter.to_input(x->end);
      uint32_t children = x->is_map() ? 2 * x->count : x->is_seq() ? x->count : 0;
      for (uint32_t i = 0; i < children; ++i) stack.push_back(const_cast<Node*>(x->children[i]));
    }
  }
};

JsonStream::JsonStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonStream::~JsonStream() = default;
bool JsonStream::feed(std::string_view bytes) { return impl_->feed(bytes); }
void JsonStream::finish(std::optional<std::string> failure) { impl_->finish(std::move(failure)); }
void JsonStream::discard() {
  impl_->stop_workers();
  impl_->parsed.clear();
}

std::unique_ptr<JsonStream> Loader::open_json_stream(const std::string& name, bool keep_content,
                                                     std::optional<uint32_t> file_id) {
  uint32_t file = file_id ? *file_id : static_cast<uint32_t>(cluster_.files.size());
  if (!file_id) cluster_.files.push_back(SourceFile{name, {}});
  return std::unique_ptr<JsonStream>(new JsonStream(std::make_unique<JsonStream::Impl>(*this, file, name, keep_content)));
}

}  // namespace ig
