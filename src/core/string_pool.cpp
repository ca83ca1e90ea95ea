#include "core/string_pool.h"

#include <algorithm>
#include <cstring>

namespace ig {

namespace {
// Chunks start small (a pool may hold one object, as in the admission state)
// and double up to kChunk.
constexpr size_t kFirstChunk = 1024;
constexpr size_t kChunk = 64 * 1024;
}

std::string_view StringPool::store(std::string_view s) {
  if (s.size() > kChunk / 4) {  // large strings get a chunk of their own
    auto own = std::make_unique<char[]>(s.size());
    std::memcpy(own.get(), s.data(), s.size());
    std::string_view v(own.get(), s.size());
    // Keep the current chunk last so that its free space stays usable.
    chunks_.insert(chunks_.empty() ? chunks_.end() : chunks_.end() - 1, std::move(own));
    return v;
  }
  if (chunks_.empty() || capacity_ - used_ < s.size()) {
    size_t next = std::max(std::min(kChunk, capacity_ ? capacity_ * 2 : kFirstChunk), s.size());
    chunks_.push_back(std::make_unique<char[]>(next));
    capacity_ = next;
    used_ = 0;
  }
  char* dst = chunks_.back().get() + used_;
  std::memcpy(dst, s.data(), s.size());
  used_ += s.size();
  return std::string_view(dst, s.size());
}

std::string_view StringPool::intern(std::string_view s) {
  if (s.empty()) return {};
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = set_.find(s); it != set_.end()) return *it;
  std::string_view v = store(s);
  set_.insert(v);
  return v;
}

std::string_view StringPool::keep(std::string_view s) {
  if (s.empty()) return {};
  std::lock_guard<std::mutex> lock(mu_);
  return store(s);
}

size_t StringPool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return set_.size();
}

}  // namespace ig
