#include "load/node.h"

#include <algorithm>
#include <cstring>

namespace ig {

namespace {
constexpr size_t kBlockSize = 64 * 1024;
}

void* Arena::allocate(size_t size, size_t align) {
  if (!blocks_.empty()) {
    size_t aligned = (offset_ + align - 1) & ~(align - 1);
    if (aligned + size <= blocks_.back().size) {
      offset_ = aligned + size;
      used_total_ += size;
      return blocks_.back().data.get() + aligned;
    }
  }
  size_t block_size = std::max(kBlockSize, size + align);
  blocks_.push_back(Block{std::make_unique<std::byte[]>(block_size), block_size});
  // Blocks from operator new[] are aligned for any fundamental type.
  offset_ = size;
  used_total_ += size;
  return blocks_.back().data.get();
}

std::string_view Arena::copy(std::string_view s) {
  if (s.empty()) return {};
  char* p = static_cast<char*>(allocate(s.size(), 1));
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

void Arena::reset() {
  if (blocks_.size() > 1) {
    // Keep one block of the default size; drop oversized or extra blocks.
    Block keep = std::move(blocks_.front());
    blocks_.clear();
    if (keep.size == kBlockSize) blocks_.push_back(std::move(keep));
  }
  offset_ = 0;
  used_total_ = 0;
}

const Node* Node::get(std::string_view k) const {
  if (kind != NodeKind::Mapping) return nullptr;
  for (uint32_t i = 0; i < count; ++i) {
    const Node* key_node = children[2 * i];
    if (key_node->kind == NodeKind::Scalar && key_node->text == k) return children[2 * i + 1];
  }
  return nullptr;
}

LineIndex::LineIndex(std::string_view buf) {
  starts_.push_back(0);
  const char* begin = buf.data();
  const char* end = begin + buf.size();
  for (const char* p = begin; p < end;) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (!nl) break;
    p = static_cast<const char*>(nl) + 1;
    starts_.push_back(static_cast<size_t>(p - begin));
  }
}

Mark LineIndex::at(size_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  size_t line = static_cast<size_t>(it - starts_.begin());  // 1-based
  size_t col = offset - starts_[line - 1] + 1;
  return Mark{static_cast<uint32_t>(line), static_cast<uint32_t>(col)};
}

}  // namespace ig
