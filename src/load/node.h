// The document tree both parsers (YAML and JSON) produce: every node keeps its
// line:column, scalars keep their text and whether they were quoted, so that
// kubectl's decoding rules can be applied later (see scalar.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ig {

// Bump allocator for one document's nodes and strings; freed as a whole.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* allocate(size_t size, size_t align);
  std::string_view copy(std::string_view s);
  template <typename T, typename... Args>
  T* make(Args&&... args) {
    return new (allocate(sizeof(T), alignof(T))) T{std::forward<Args>(args)...};
  }
  // Forgets every allocation but keeps the first block for reuse.
  void reset();
  size_t bytes_in_use() const { return used_total_; }

 private:
  struct Block {
    std::unique_ptr<std::byte[]> data;
    size_t size = 0;
  };
  std::vector<Block> blocks_;
  size_t offset_ = 0;  // within blocks_.back()
  size_t used_total_ = 0;
};

enum class NodeKind : uint8_t { Scalar, Sequence, Mapping };

struct Node {
  NodeKind kind = NodeKind::Scalar;
  // Scalar written plain (no quotes, no block style, no !!str tag): subject to
  // YAML 1.1 resolution of booleans, numbers and null, as kubectl does.
  bool plain = false;
  Mark mark;
  Mark end;                       // scalars: just past the value as written (quotes, block lines); else = mark
  std::string_view text;          // scalars only
  Node* const* children = nullptr;  // sequence: items; mapping: key, value, key, value...
  uint32_t count = 0;             // sequence: items; mapping: pairs
  uint64_t weight = 1;            // nodes in the subtree with aliases expanded

  bool is_scalar() const { return kind == NodeKind::Scalar; }
  bool is_map() const { return kind == NodeKind::Mapping; }
  bool is_seq() const { return kind == NodeKind::Sequence; }
  const Node* item(uint32_t i) const { return children[i]; }
  const Node* key(uint32_t i) const { return children[2 * i]; }
  const Node* value(uint32_t i) const { return children[2 * i + 1]; }
  // Mapping lookup by scalar key; nullptr when absent or not a mapping.
  const Node* get(std::string_view k) const;
};

// A key that appears more than once in one mapping: the API server keeps the
// last value. One entry per key and mapping, however often it repeats.
struct DuplicateKey {
  std::string key;
  Mark first;
  Mark second;  // the last occurrence
  uint32_t times = 2;
};

// Repeated keys listed per document at most; the rest are only counted, so a
// document of repeated keys costs no more than this many findings.
inline constexpr size_t kMaxDuplicateKeys = 64;

struct Document {
  const Node* root = nullptr;  // nullptr for an empty document
  Mark start;
  std::string origin;          // Helm `# Source:` path, when the stream has one
  std::vector<DuplicateKey> duplicates;
  uint64_t unlisted_duplicates = 0;  // repeated keys past kMaxDuplicateKeys
};

struct ParseLimits {
  uint32_t max_depth = 10000;  // kubectl's nesting limit
  // Aliases may add at most this many nodes, plus kAliasRatio per parsed node.
  uint64_t alias_budget = 100000;
  uint64_t alias_ratio = 10;
};

// Receives each document as soon as it is complete; the tree lives until the
// callback returns.
class DocumentSink {
 public:
  virtual ~DocumentSink() = default;
  virtual void on_document(const Document& doc) = 0;
  // Lists read item by item (YAML): when true, each item of a document's top-level "items" sequence is
  // handed over as soon as it is complete, and on_document then gets the document with an empty
  // sequence in its place. `kind` and `api_version`: the document's, when written before the items.
  virtual bool wants_items() const { return false; }
  // Returns true to keep the item's nodes alive until on_document of its document returns.
  virtual bool on_list_item(const Document& /*item*/, std::string_view /*kind*/, std::string_view /*api_version*/) {
    return false;
  }
};

// A position `m` in a buffer that starts at `origin` of a larger input, in the input's terms.
inline Mark at_origin(Mark origin, Mark m) {
  if (m.line == 0) return m;
  return m.line == 1 ? Mark{origin.line, origin.col + m.col - 1} : Mark{origin.line + m.line - 1, m.col};
}

// Maps byte offsets in a buffer to 1-based line:column (columns count bytes).
class LineIndex {
 public:
  explicit LineIndex(std::string_view buf);
  Mark at(size_t offset) const;

 private:
  std::vector<size_t> starts_;
};

}  // namespace ig
