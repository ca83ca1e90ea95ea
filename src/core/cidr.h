// IP addresses and address blocks (CIDR), v4 and v6, as the allowlists, the prober and the log
// blocklist read them. Parsing is strict: inet_pton's forms only, a prefix of digits within the family's width.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ig {

struct IpAddress {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};  // network order; the first 4 for IPv4
  int bits() const { return v6 ? 128 : 32; }
};

std::optional<IpAddress> parse_ip(std::string_view text);
// The address in inet_ntop's canonical form ("2001:db8::1", "192.0.2.1").
std::string to_string(const IpAddress& a);

struct IpBlockRange {
  IpAddress base;
  int prefix = 0;
  bool contains(const IpAddress& a) const;  // false across families
};

// "10.0.0.0/8", "2001:db8::/32", or a single address (its full width).
std::optional<IpBlockRange> parse_cidr(std::string_view text);

// A listening address: "ADDR:PORT", "[v6]:PORT", ":PORT" (every IPv4 address); port 0 picks a free one.
struct ListenAddress {
  IpAddress address;
  uint16_t port = 0;
};
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error);

}  // namespace ig
