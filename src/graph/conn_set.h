// A set of connections: for each protocol (TCP, UDP, SCTP) a set of port
// ranges, plus named ports that could not be resolved to numbers. Printed the
// way np-guard's netpol-analyzer prints it ("All Connections", "TCP 80,8080-8090,UDP 53").
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ig {

class ConnSet {
 public:
  enum Proto { TCP = 0, UDP = 1, SCTP = 2 };
  static constexpr int kMinPort = 1;
  static constexpr int kMaxPort = 65535;

  static ConnSet all();
  static ConnSet none() { return ConnSet(); }
  static std::optional<Proto> parse_proto(std::string_view p);  // "" means TCP

  void add_range(Proto p, int lo, int hi);
  void add_all(Proto p) { add_range(p, kMinPort, kMaxPort); }
  void add_named(Proto p, const std::string& name) { named_[p].insert(name); }

  ConnSet& operator|=(const ConnSet& o);
  ConnSet operator&(const ConnSet& o) const;
  bool operator==(const ConnSet& o) const { return ranges_ == o.ranges_ && named_ == o.named_; }

  bool empty() const;
  bool is_all() const;
  std::string str() const;
  // For people: "all connections", "TCP 80, 443 and UDP 53".
  std::string readable() const;

 private:
  using Ranges = std::vector<std::pair<int, int>>;  // sorted, disjoint, not adjacent
  static void normalize(Ranges& r);
  std::array<Ranges, 3> ranges_;
  std::array<std::set<std::string>, 3> named_;
};

}  // namespace ig
