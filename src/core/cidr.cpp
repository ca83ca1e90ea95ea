#include "core/cidr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace ig {

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

std::string to_string(const IpAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof buf);
  return buf;
}

bool IpBlockRange::contains(const IpAddress& a) const {
  if (a.v6 != base.v6) return false;
  for (int i = 0; i < prefix; ++i) {
    int byte = i / 8, bit = 7 - i % 8;
    if (((a.bytes[byte] >> bit) & 1) != ((base.bytes[byte] >> bit) & 1)) return false;
  }
  return true;
}

std::optional<IpBlockRange> parse_cidr(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  size_t slash = t.find('/');
  auto base = parse_ip(t.substr(0, slash));
  if (!base) return std::nullopt;
  IpBlockRange r{*base, base->bits()};
  if (slash == std::string_view::npos) return r;
  std::string_view bits = t.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  int prefix = std::stoi(std::string(bits));
  if (prefix > base->bits()) return std::nullopt;
  r.prefix = prefix;
  return r;
}

std::optional<ListenAddress> parse_listen_address(std::string_view s, std::string& error) {
  size_t colon = s.rfind(':');
  std::string_view host = colon == std::string_view::npos ? s : s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string_view port = colon == std::string_view::npos ? std::string_view() : s.substr(colon + 1);
  auto address = parse_ip(host.empty() ? std::string_view("0.0.0.0") : host);
  unsigned value = 0;
  bool digits = !port.empty() && port.size() <= 5 &&
                std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) value = static_cast<unsigned>(std::stoul(std::string(port)));
  if (!address || !digits || value > 65535) {
    error = "--listen wants ADDR:PORT with a numeric address, got \"" + std::string(s) + "\"";
    return std::nullopt;
  }
  return ListenAddress{*address, static_cast<uint16_t>(value)};
}

}  // namespace ig
