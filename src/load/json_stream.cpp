#include "load/json_stream.h"

#include <array>
#include <cstring>

#include "load/parse.h"

namespace ig {

namespace {

// What stops the scan inside an item: brackets, quotes and line ends outside strings.
constexpr std::array<bool, 256> table(std::string_view stops) {
  std::array<bool, 256> t{};
  for (char c : stops) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr auto kOutside = table("{}[]\"\n");
constexpr auto kInside = table("\"\\\n");
constexpr auto kScalarEnd = table(",]} \t\r\n");

constexpr const char* kStructure = "invalid JSON: braces or brackets do not match, or a comma or colon is missing or extra";

// The first byte from `pos` on that is one of `stops`, or `n`.
size_t next_stop(const char* p, size_t pos, size_t n, const std::array<bool, 256>& stops) {
  while (pos < n && !stops[static_cast<unsigned char>(p[pos])]) ++pos;
  return pos;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Top-level strings kept for the item defaults are short names; anything longer is not one.
constexpr size_t kMaxKept = 256;

}  // namespace

Mark JsonListSplitter::mark_here(size_t index) const {
  return Mark{line_, static_cast<uint32_t>(consumed_ + index - line_start_ + 1)};
}

void JsonListSplitter::advance_line(size_t index) {
  ++line_;
  line_start_ = consumed_ + index + 1;
}

Error JsonListSplitter::error_at(size_t index, const std::string& what) const { return Error{what, mark_here(index)}; }

Mark JsonListSplitter::to_input(Mark m) const {
  if (items_state_ != ItemsState::Closed || m.line == 0) return m;
  const Mark& s = close_in_skeleton_;
  const Mark& i = close_in_input_;
  if (m.line < s.line || (m.line == s.line && m.col < s.col)) return m;
  if (m.line == s.line) return Mark{i.line, i.col + (m.col - s.col)};
  return Mark{m.line + (i.line - s.line), m.col};
}

std::optional<Error> JsonListSplitter::feed(std::string_view bytes, const ItemFn& on_item) {
  size_t need = pending_.size() + bytes.size() + kJsonPadding;
  if (pending_.capacity() < need) pending_.reserve(std::max(need, pending_.capacity() * 2));
  pending_.append(bytes);
  while (pos_ < pending_.size()) {
    if (items_state_ == ItemsState::Open) {
      bool need_more = false;
      if (auto err = items_step(on_item, need_more)) return err;
      if (need_more) break;
      continue;
    }
    skeleton_step(pending_[pos_]);
  }
  // Keep only what is still needed: the item being cut.
  size_t keep_from = in_item_ ? item_start_ : pos_;
  if (keep_from > 0) {
    pending_.erase(0, keep_from);
    consumed_ += keep_from;
    pos_ -= keep_from;
    if (in_item_) item_start_ = 0;
  }
  return std::nullopt;
}

std::optional<Error> JsonListSplitter::finish() {
  if (items_state_ == ItemsState::Open) return error_at(pos_, kStructure);
  return std::nullopt;
}

void JsonListSplitter::skeleton_step(char c) {
  skeleton_.push_back(c);
  if (c == '\n') {
    advance_line(pos_);
    ++skeleton_line_;
    skeleton_col_ = 1;
  } else {
    ++skeleton_col_;
  }
  ++pos_;
  if (!started_) {
    // Leading white space and a UTF-8 byte order mark come before the value.
    bool bom = consumed_ + pos_ <= 3 && (c == '\xEF' || c == '\xBB' || c == '\xBF');
    if (is_space(c) || bom) return;
    started_ = true;
    top_is_object_ = c == '{';
    depth_ = 1;
    return;
  }
  if (!top_is_object_ || done_top_) return;  // all of it is skeleton
  if (in_string_) {
    if (escape_) {
      escape_ = false;
    } else if (c == '\\') {
      escape_ = true;
      capture_plain_ = false;
    } else if (c == '"') {
      in_string_ = false;
      if (key_state_ == KeyState::InKey) key_state_ = KeyState::AfterKey;
      if (capture_ && !capture_plain_) capture_->clear();
      capture_ = nullptr;
    } else if (key_state_ == KeyState::InKey) {
      if (key_.size() < kMaxKept) key_.push_back(c);
    } else if (capture_) {
      if (capture_->size() < kMaxKept) capture_->push_back(c);
      else capture_plain_ = false;
    }
    return;
  }
  if (depth_ > 1) {
    if (c == '{' || c == '[') ++depth_;
    else if (c == '}' || c == ']') --depth_;
    else if (c == '"') in_string_ = true;
    return;
  }
  if (is_space(c)) return;
  switch (key_state_) {
    case KeyState::Expect:
      if (c == '"') {
        in_string_ = true;
        key_.clear();
        key_state_ = KeyState::InKey;
      } else if (c == '}') {
        done_top_ = true;
      }
      break;  // anything else is for the skeleton's parser to reject
    case KeyState::AfterKey:
      if (c == ':') key_state_ = KeyState::BeforeValue;
      break;
    case KeyState::BeforeValue:
      key_state_ = KeyState::InValue;
      if (c == '[' && key_ == "items" && items_state_ == ItemsState::None) {
        items_state_ = ItemsState::Open;
        kind_before_items_ = kind_;
        api_before_items_ = api_version_;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if (c == '"') {
        in_string_ = true;
        if (key_ == "kind" || key_ == "apiVersion") {
          capture_ = key_ == "kind" ? &kind_ : &api_version_;
          capture_->clear();
          capture_plain_ = true;
        }
      }
      break;
    case KeyState::InValue:
      if (c == ',') key_state_ = KeyState::Expect;
      else if (c == '}') done_top_ = true;
      else if (c == '{' || c == '[') ++depth_;
      else if (c == '"') in_string_ = true;
      break;
    case KeyState::InKey:
      break;
  }
}

std::optional<Error> JsonListSplitter::items_step(const ItemFn& on_item, bool& need_more) {
  const char* p = pending_.data();
  size_t n = pending_.size();
  while (!in_item_) {
    if (pos_ >= n) {
      need_more = true;
      return std::nullopt;
    }
    char c = p[pos_];
    if (is_space(c)) {
      if (c == '\n') advance_line(pos_);
      ++pos_;
      continue;
    }
    if (c == ']') {
      if (after_comma_) return error_at(pos_, kStructure);
      close_in_input_ = mark_here(pos_);
      close_in_skeleton_ = Mark{skeleton_line_, skeleton_col_};
      skeleton_.push_back(']');
      ++skeleton_col_;
      ++pos_;
      items_state_ = ItemsState::Closed;
      return std::nullopt;
    }
    if (c == ',') {
      if (expect_item_) return error_at(pos_, kStructure);
      expect_item_ = after_comma_ = true;
      ++pos_;
      continue;
    }
    if (!expect_item_) return error_at(pos_, kStructure);
    in_item_ = true;
    expect_item_ = after_comma_ = false;
    item_start_ = pos_;
    item_mark_ = mark_here(pos_);
    item_depth_ = item_deepest_ = 0;
    item_string_ = item_escape_ = item_scalar_ = false;
    if (c == '{' || c == '[') {
      item_depth_ = item_deepest_ = 1;
      ++pos_;
    } else if (c == '"') {
      item_string_ = true;
      ++pos_;
    } else {
      item_scalar_ = true;
    }
  }
  // Find where the item ends.
  bool complete = false;
  if (item_scalar_) {
    pos_ = next_stop(p, pos_, n, kScalarEnd);
    complete = pos_ < n;
  } else {
    while (pos_ < n) {
      if (item_string_) {
        if (item_escape_) {
          item_escape_ = false;
          ++pos_;
          continue;
        }
        if ((pos_ = next_stop(p, pos_, n, kInside)) >= n) break;
        char c = p[pos_++];
        if (c == '\\') {
          item_escape_ = true;
        } else if (c == '"') {
          item_string_ = false;
          if (item_depth_ == 0) {
            complete = true;
            break;
          }
        } else {
          advance_line(pos_ - 1);
        }
        continue;
      }
      if ((pos_ = next_stop(p, pos_, n, kOutside)) >= n) break;
      char c = p[pos_++];
      if (c == '"') {
        item_string_ = true;
      } else if (c == '\n') {
        advance_line(pos_ - 1);
      } else if (c == '{' || c == '[') {
        if (++item_depth_ > item_deepest_) item_deepest_ = item_depth_;
      } else if (--item_depth_ == 0) {
        complete = true;
        break;
      }
    }
  }
  if (!complete) {
    need_more = true;
    return std::nullopt;
  }
  in_item_ = false;
  ++items_;
  on_item(std::string_view(p + item_start_, pos_ - item_start_), item_mark_, item_deepest_);
  return std::nullopt;
}

}  // namespace ig
