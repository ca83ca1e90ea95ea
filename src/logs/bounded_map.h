// A map with a hard cap on its entries: when full, inserting a new key evicts
// the least recently used one. Per-client and per-path detector state lives
// in these, so memory stays bounded whatever the log holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace ig::logs {

template <typename V>
class BoundedMap {
 public:
  explicit BoundedMap(size_t cap) : cap_(cap == 0 ? 1 : cap) { index_.reserve(std::min<size_t>(cap_, 1024)); }

  // The value for `key`, created (value-initialised) when absent; touches it.
  // `on_evict(const V&)` sees the entry dropped to make room, if any.
  V& get(std::string_view key, bool* created = nullptr) {
    return get(key, [](const V&) {}, created);
  }
  template <typename F>
  V& get(std::string_view key, F&& on_evict, bool* created = nullptr) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      if (it->second != order_.begin()) order_.splice(order_.begin(), order_, it->second);
      if (created) *created = false;
      return it->second->second;
    }
    if (index_.size() >= cap_) {
      on_evict(order_.back().second);
      index_.erase(std::string_view(order_.back().first));
      order_.pop_back();
      ++evictions_;
    }
    order_.emplace_front(std::string(key), V{});
    index_.emplace(std::string_view(order_.front().first), order_.begin());
    if (created) *created = true;
    return order_.front().second;
  }
  // nullptr when absent; does not touch.
  const V* find(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->second;
  }
  size_t size() const { return index_.size(); }
  size_t capacity() const { return cap_; }
  uint64_t evictions() const { return evictions_; }
  // Most recently used first.
  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [k, v] : order_) f(std::string_view(k), v);
  }

 private:
  using Order = std::list<std::pair<std::string, V>>;
  size_t cap_;
  Order order_;
  std::unordered_map<std::string_view, typename Order::iterator> index_;
  uint64_t evictions_ = 0;
};

}  // namespace ig::logs
