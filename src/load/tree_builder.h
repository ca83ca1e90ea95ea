// Builds one document's Node tree from parser events (YAML or JSON), and
// enforces the limits that keep hostile input bounded: nesting depth and alias
// expansion. Records duplicate keys and applies YAML merge keys (`<<`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "load/node.h"

namespace ig {

class TreeBuilder {
 public:
  TreeBuilder(Arena& arena, const ParseLimits& limits) : arena_(arena), limits_(limits) {}

  void begin_document(Mark start);
  // The next item of a List read item by item: a document of its own that still sees the anchors of the
  // items before it (and counts towards the same alias budget).
  void begin_item(Mark start);
  size_t anchor_count() const { return anchors_.size(); }
  // Makes `other`'s anchors known here (their nodes must outlive this document).
  void take_anchors(const TreeBuilder& other);
  // Each returns an Error when a limit is exceeded or the input is inconsistent.
  std::optional<Error> scalar(std::string_view text, bool plain, Mark mark, std::string_view anchor = {},
                              Mark end = {});
  std::optional<Error> alias(std::string_view anchor, Mark mark);
  std::optional<Error> begin_collection(NodeKind kind, Mark mark, std::string_view anchor = {});
  std::optional<Error> end_collection();
  // The finished document; valid until the arena is reset.
  Document& document() { return doc_; }
  uint32_t depth() const { return static_cast<uint32_t>(frames_.size()); }

 private:
  struct Frame {
    NodeKind kind;
    Mark mark;
    std::string anchor;
    size_t child_start;
    uint64_t weight;
  };
  std::optional<Error> add(Node* n);
  Node* finish_mapping(const Frame& f);
  void finish_sequence(Node* n, const Frame& f);

  Arena& arena_;
  const ParseLimits& limits_;
  std::vector<Frame> frames_;
  std::vector<Node*> stack_;
  std::vector<Node*> scratch_;
  std::unordered_map<std::string, const Node*> anchors_;
  std::unordered_map<std::string_view, size_t> key_index_;
  Document doc_;
  uint64_t parsed_nodes_ = 0;
  uint64_t alias_nodes_ = 0;
};

}  // namespace ig
