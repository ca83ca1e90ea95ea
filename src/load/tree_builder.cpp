#include "load/tree_builder.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace ig {

namespace {
// Mappings up to this size are checked for duplicate keys by linear search.
constexpr uint32_t kLinearKeyCheck = 16;
}  // namespace

void TreeBuilder::begin_document(Mark start) {
  frames_.clear();
  stack_.clear();
  anchors_.clear();
  doc_ = Document{};
  doc_.start = start;
  parsed_nodes_ = 0;
  alias_nodes_ = 0;
}

void TreeBuilder::begin_item(Mark start) {
  frames_.clear();
  stack_.clear();
  doc_ = Document{};
  doc_.start = start;
}

void TreeBuilder::take_anchors(const TreeBuilder& other) {
  for (const auto& [name, node] : other.anchors_) anchors_[name] = node;
}

std::optional<Error> TreeBuilder::add(Node* n) {
  if (frames_.empty()) {
    doc_.root = n;
    return std::nullopt;
  }
  stack_.push_back(n);
  frames_.back().weight += n->weight;
  return std::nullopt;
}

std::optional<Error> TreeBuilder::scalar(std::string_view text, bool plain, Mark mark, std::string_view anchor, Mark end) {
  Node* n = arena_.make<Node>();
  n->kind = NodeKind::Scalar;
  n->plain = plain;
  n->mark = mark;
  n->end = end.line ? end : mark;
  n->text = arena_.copy(text);
  ++parsed_nodes_;
  if (!anchor.empty()) anchors_[std::string(anchor)] = n;
  return add(n);
}

std::optional<Error> TreeBuilder::alias(std::string_view anchor, Mark mark) {
  auto it = anchors_.find(std::string(anchor));
  if (it == anchors_.end()) {
    return Error{"alias *" + std::string(anchor) + " refers to an unknown anchor, or to the node that contains it", mark};
  }
  const Node* target = it->second;
  alias_nodes_ += target->weight;
  if (alias_nodes_ > limits_.alias_budget + limits_.alias_ratio * parsed_nodes_) {
    return Error{"aliases expand to more than " + std::to_string(limits_.alias_budget) + " + " +
                     std::to_string(limits_.alias_ratio) + "x the parsed nodes (alias bomb?); refusing the document",
                 mark};
  }
  // Aliases share the anchored node: nothing is copied, the weight records the expansion.
  return add(const_cast<Node*>(target));
}

std::optional<Error> TreeBuilder::begin_collection(NodeKind kind, Mark mark, std::string_view anchor) {
  if (frames_.size() >= limits_.max_depth) {
    return Error{"nesting deeper than " + std::to_string(limits_.max_depth) + " levels", mark};
  }
  frames_.push_back(Frame{kind, mark, std::string(anchor), stack_.size(), 1});
  ++parsed_nodes_;
  return std::nullopt;
}

void TreeBuilder::finish_sequence(Node* n, const Frame& f) {
  size_t count = stack_.size() - f.child_start;
  auto** items = static_cast<Node**>(arena_.allocate(sizeof(Node*) * std::max<size_t>(count, 1), alignof(Node*)));
  std::copy(stack_.begin() + static_cast<ptrdiff_t>(f.child_start), stack_.end(), items);
  n->children = items;
  n->count = static_cast<uint32_t>(count);
}

Node* TreeBuilder::finish_mapping(const Frame& f) {
  Node* n = arena_.make<Node>();
  n->kind = NodeKind::Mapping;
  n->mark = f.mark;
  n->weight = f.weight;
  size_t pairs = (stack_.size() - f.child_start) / 2;
  scratch_.clear();
  key_index_.clear();
  std::vector<const Node*> merges;
  std::unordered_map<size_t, size_t> listed;  // slot in scratch_ -> its entry in doc_.duplicates
  bool use_index = pairs > kLinearKeyCheck;

  auto find_key = [&](std::string_view k) -> std::optional<size_t> {
    if (use_index) {
      auto it = key_index_.find(k);
      if (it == key_index_.end()) return std::nullopt;
      return it->second;
    }
    for (size_t i = 0; i < scratch_.size(); i += 2) {
      const Node* key = scratch_[i];
      if (key->is_scalar() && key->text == k) return i;
    }
    return std::nullopt;
  };
  auto append = [&](Node* k, Node* v) {
    if (use_index && k->is_scalar()) key_index_.emplace(k->text, scratch_.size());
    scratch_.push_back(k);
    scratch_.push_back(v);
  };

  for (size_t i = 0; i < pairs; ++i) {
    Node* k = stack_[f.child_start + 2 * i];
    Node* v = stack_[f.child_start + 2 * i + 1];
    if (k->is_scalar() && k->plain && k->text == "<<") {
      merges.push_back(v);
      continue;
    }
    if (!k->is_scalar()) {
      append(k, v);
      continue;
    }
    if (auto at = find_key(k->text)) {
      // The reviewer reads the first value; kubectl keeps the last one.
      if (auto it = listed.find(*at); it != listed.end()) {
        DuplicateKey& d = doc_.duplicates[it->second];
        d.second = k->mark;
        ++d.times;
      } else if (doc_.duplicates.size() < kMaxDuplicateKeys) {
        listed.emplace(*at, doc_.duplicates.size());
        doc_.duplicates.push_back(DuplicateKey{std::string(k->text), scratch_[*at]->mark, k->mark});
      } else {
        ++doc_.unlisted_duplicates;
      }
      scratch_[*at] = k;
      scratch_[*at + 1] = v;
      continue;
    }
    append(k, v);
  }
  // Merge keys: explicit keys win; among merged mappings the first one wins.
  auto merge_from = [&](const Node* src) {
    if (!src->is_map()) return;
    for (uint32_t j = 0; j < src->count; ++j) {
      const Node* k = src->key(j);
      if (k->is_scalar() && find_key(k->text)) continue;
      append(const_cast<Node*>(k), const_cast<Node*>(src->value(j)));
    }
  };
  for (const Node* m : merges) {
    if (m->is_seq()) {
      for (uint32_t j = 0; j < m->count; ++j) merge_from(m->item(j));
    } else {
      merge_from(m);
    }
  }
  auto** children =
      static_cast<Node**>(arena_.allocate(sizeof(Node*) * std::max<size_t>(scratch_.size(), 1), alignof(Node*)));
  std::copy(scratch_.begin(), scratch_.end(), children);
  n->children = children;
  n->count = static_cast<uint32_t>(scratch_.size() / 2);
  return n;
}

std::optional<Error> TreeBuilder::end_collection() {
  if (frames_.empty()) return Error{"unbalanced end of collection", {}};
  Frame f = std::move(frames_.back());
  frames_.pop_back();
  Node* n;
  if (f.kind == NodeKind::Mapping) {
    n = finish_mapping(f);
  } else {
    n = arena_.make<Node>();
    n->kind = NodeKind::Sequence;
    n->mark = f.mark;
    n->weight = f.weight;
    finish_sequence(n, f);
  }
  stack_.resize(f.child_start);
  if (!f.anchor.empty()) anchors_[f.anchor] = n;
  return add(n);
}

}  // namespace ig
