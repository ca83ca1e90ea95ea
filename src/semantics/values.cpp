#include "semantics/values.h"

#include <algorithm>
#include <cctype>

namespace ig {

std::optional<bool> parse_go_bool(std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "false" || v == "False") return false;
  return std::nullopt;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  return v;
}

std::vector<std::string_view> split_list(std::string_view v, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t end = v.find(sep, start);
    if (end == std::string_view::npos) end = v.size();
    std::string_view item = trim(v.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

std::string to_lower(std::string_view v) {
  std::string s(v);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_open_cidr(std::string_view cidr) {
  cidr = trim(cidr);
  size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view prefix = trim(cidr.substr(slash + 1));
  return !prefix.empty() && std::all_of(prefix.begin(), prefix.end(), [](char c) { return c == '0'; });
}

bool tls_host_covers(std::string_view pattern, std::string_view host) {
  std::string p = to_lower(pattern), h = to_lower(host);
  if (p == h) return true;
  if (p.size() > 2 && p[0] == '*' && p[1] == '.') {
    size_t dot = h.find('.');
    return dot != std::string::npos && dot > 0 && h.substr(dot) == p.substr(1);
  }
  return false;
}

}  // namespace ig
