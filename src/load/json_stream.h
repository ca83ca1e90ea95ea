// Reading a JSON List without holding it whole. `kubectl get -o json` prints one object whose "items"
// array holds every object of the answer (a large cluster: hundreds of MB). The splitter cuts the input,
// as it arrives, into the elements of the top-level object's "items" array, each delivered with its
// position in the input, and keeps the rest (the "skeleton": `{"apiVersion": ..., "items": [], "kind":
// "List", ...}`) to be parsed on its own. It checks only the structure it walks (brackets, strings,
// commas between items); each item and the skeleton are then parsed and checked by the JSON parser.
//
// Input that is not an object with an "items" array (one object, a bare array, a scalar) is all skeleton:
// it is parsed whole, as before.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ig {

class JsonListSplitter {
 public:
  // `text` is valid during the call only; the memory after it is readable for kJsonPadding bytes.
  // `nesting`: the item's deepest nesting of objects and arrays.
  using ItemFn = std::function<void(std::string_view text, Mark start, uint32_t nesting)>;

  // Consumes the next bytes of the input. Stops at the first structural error.
  std::optional<Error> feed(std::string_view bytes, const ItemFn& on_item);
  // The input ended: an item or the items array still open is an error.
  std::optional<Error> finish();

  // The input without the items' text; the whole input when no items array was found.
  const std::string& skeleton() const { return skeleton_; }
  bool streamed() const { return items_state_ != ItemsState::None; }
  uint64_t items() const { return items_; }
  uint64_t bytes() const { return consumed_ + pending_.size(); }
  // The top-level "kind" and "apiVersion" when they came before the items (as the API server writes
  // them; kubectl writes them after), as plain strings; empty otherwise.
  std::string_view kind_before_items() const { return kind_before_items_; }
  std::string_view api_version_before_items() const { return api_before_items_; }
  // A position in the skeleton as a position in the input.
  Mark to_input(Mark skeleton_mark) const;

 private:
  enum class ItemsState { None, Open, Closed };
  // One byte outside the items array (pending_[pos_]): kept in the skeleton, its structure followed.
  void skeleton_step(char c);
  std::optional<Error> items_step(const ItemFn& on_item, bool& need_more);
  Mark mark_here(size_t index) const;
  void advance_line(size_t index);
  Error error_at(size_t index, const std::string& what) const;

  std::string pending_;   // input not consumed yet
  uint64_t consumed_ = 0; // input bytes dropped from pending_'s front
  size_t pos_ = 0;        // next byte to look at in pending_
  uint32_t line_ = 1;     // line of pending_[pos_]
  uint64_t line_start_ = 0;  // input offset where that line starts

  std::string skeleton_;
  // Skeleton walk: nesting depth, string state, and the top-level key being read.
  uint32_t depth_ = 0;
  bool in_string_ = false, escape_ = false, top_is_object_ = false, done_top_ = false;
  bool started_ = false;
  enum class KeyState { Expect, InKey, AfterKey, BeforeValue, InValue } key_state_ = KeyState::Expect;
  std::string key_;
  std::string* capture_ = nullptr;  // a top-level string value being kept (kind, apiVersion)
  bool capture_plain_ = true;
  std::string kind_, api_version_, kind_before_items_, api_before_items_;

  // The items array.
  ItemsState items_state_ = ItemsState::None;
  bool expect_item_ = true, after_comma_ = false;
  uint64_t items_ = 0;
  // The item being cut: its start in pending_ and the bracket depth and string state inside it.
  bool in_item_ = false, item_scalar_ = false, item_string_ = false, item_escape_ = false;
  size_t item_start_ = 0;
  Mark item_mark_;
  uint32_t item_depth_ = 0, item_deepest_ = 0;
  // Where "]" of the items array is, in the skeleton and in the input.
  Mark close_in_skeleton_, close_in_input_;
  uint32_t skeleton_line_ = 1, skeleton_col_ = 1;
};

}  // namespace ig
