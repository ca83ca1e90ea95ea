#include "graph/conn_set.h"

#include <algorithm>

namespace ig {

namespace {
constexpr const char* kProtoNames[] = {"TCP", "UDP", "SCTP"};
}

ConnSet ConnSet::all() {
  ConnSet c;
  for (int p = 0; p < 3; ++p) c.add_all(static_cast<Proto>(p));
  return c;
}

std::optional<ConnSet::Proto> ConnSet::parse_proto(std::string_view p) {
  if (p.empty() || p == "TCP") return TCP;
  if (p == "UDP") return UDP;
  if (p == "SCTP") return SCTP;
  return std::nullopt;
}

void ConnSet::normalize(Ranges& r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& [lo, hi] : r) {
    if (!out.empty() && lo <= out.back().second + 1)
      out.back().second = std::max(out.back().second, hi);
    else
      out.emplace_back(lo, hi);
  }
  r = std::move(out);
}

void ConnSet::add_range(Proto p, int lo, int hi) {
  lo = std::max(lo, kMinPort);
  hi = std::min(hi, kMaxPort);
  if (lo > hi) return;
  ranges_[p].emplace_back(lo, hi);
  normalize(ranges_[p]);
}

ConnSet& ConnSet::operator|=(const ConnSet& o) {
  for (int p = 0; p < 3; ++p) {
    ranges_[p].insert(ranges_[p].end(), o.ranges_[p].begin(), o.ranges_[p].end());
    normalize(ranges_[p]);
    named_[p].insert(o.named_[p].begin(), o.named_[p].end());
  }
  return *this;
}

ConnSet ConnSet::operator&(const ConnSet& o) const {
  ConnSet out;
  for (int p = 0; p < 3; ++p) {
    for (const auto& [a, b] : ranges_[p])
      for (const auto& [c, d] : o.ranges_[p]) {
        int lo = std::max(a, c), hi = std::min(b, d);
        if (lo <= hi) out.ranges_[p].emplace_back(lo, hi);
      }
    normalize(out.ranges_[p]);
    // A name survives where the other side allows the name or every port.
    bool o_full = o.ranges_[p].size() == 1 && o.ranges_[p][0] == std::make_pair(kMinPort, kMaxPort);
    bool full = ranges_[p].size() == 1 && ranges_[p][0] == std::make_pair(kMinPort, kMaxPort);
    for (const auto& n : named_[p])
      if (o_full || o.named_[p].count(n)) out.named_[p].insert(n);
    for (const auto& n : o.named_[p])
      if (full) out.named_[p].insert(n);
  }
  return out;
}

bool ConnSet::empty() const {
  for (int p = 0; p < 3; ++p)
    if (!ranges_[p].empty() || !named_[p].empty()) return false;
  return true;
}

bool ConnSet::is_all() const {
  for (int p = 0; p < 3; ++p)
    if (ranges_[p].size() != 1 || ranges_[p][0] != std::make_pair(kMinPort, kMaxPort)) return false;
  return true;
}

std::string ConnSet::str() const {
  if (is_all()) return "All Connections";
  if (empty()) return "No Connections";
  // Groups sorted by protocol name: SCTP, TCP, UDP.
  std::string out;
  for (int p : {SCTP, TCP, UDP}) {
    if (ranges_[p].empty() && named_[p].empty()) continue;
    std::string items;
    for (const auto& [lo, hi] : ranges_[p])
      items += (items.empty() ? "" : ",") + (lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi));
    for (const auto& n : named_[p]) items += (items.empty() ? "" : ",") + n;
    out += (out.empty() ? "" : ",") + std::string(kProtoNames[p]) + " " + items;
  }
  return out;
}

std::string ConnSet::readable() const {
  if (is_all()) return "all connections";
  if (empty()) return "no connections";
  std::vector<std::string> groups;
  for (int p : {SCTP, TCP, UDP}) {
    if (ranges_[p].empty() && named_[p].empty()) continue;
    std::string items;
    for (const auto& [lo, hi] : ranges_[p]) {
      std::string r = lo == hi ? std::to_string(lo) : lo == 1 && hi == 65535 ? "every port" : std::to_string(lo) + "-" + std::to_string(hi);
      items += (items.empty() ? "" : ", ") + r;
    }
    for (const auto& n : named_[p]) items += (items.empty() ? "" : ", ") + n;
    groups.push_back(std::string(kProtoNames[p]) + " " + items);
  }
  std::string out;
  for (size_t i = 0; i < groups.size(); ++i) out += (i == 0 ? "" : i + 1 == groups.size() ? " and " : ", ") + groups[i];
  return out;
}

}  // namespace ig
