// Storage for the many short strings of a snapshot (label, annotation and
// ConfigMap keys and values), handed out as string_views that stay valid as
// long as the pool lives. Keys repeat a lot and are interned (stored once);
// values are mostly distinct and are only copied into the pool's chunks,
// which costs no per-string allocation. Append-only; thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ig {

class StringPool {
 public:
  std::string_view intern(std::string_view s);  // one copy per distinct string
  std::string_view keep(std::string_view s);    // a copy, not deduplicated
  size_t size() const;  // distinct strings held

 private:
  std::string_view store(std::string_view s);
  mutable std::mutex mu_;
  std::unordered_set<std::string_view> set_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = 0;      // bytes used in the last chunk
  size_t capacity_ = 0;  // size of the last chunk
};

}  // namespace ig
