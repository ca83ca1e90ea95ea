#include "load/scalar.h"

#include <array>
#include <cctype>
#include <string>

namespace ig {

std::optional<bool> parse_bool_11(std::string_view t) {
  static constexpr std::array<std::string_view, 11> kTrue = {"y", "Y", "yes", "Yes", "YES", "true",
                                                            "True", "TRUE", "on", "On", "ON"};
  static constexpr std::array<std::string_view, 11> kFalse = {"n", "N", "no", "No", "NO", "false",
                                                             "False", "FALSE", "off", "Off", "OFF"};
  for (auto v : kTrue)
    if (t == v) return true;
  for (auto v : kFalse)
    if (t == v) return false;
  return std::nullopt;
}

std::optional<int64_t> parse_int_11(std::string_view t) {
  std::string s;
  s.reserve(t.size());
  for (char c : t)
    if (c != '_') s.push_back(c);
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  if (i >= s.size()) return std::nullopt;
  int base = 10;
  if (s.size() - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    i += 2;
  } else if (s.size() - i > 2 && s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
    base = 2;
    i += 2;
  } else if (s.size() - i > 2 && s[i] == '0' && (s[i + 1] == 'o' || s[i + 1] == 'O')) {
    base = 8;
    i += 2;
  } else if (s.size() - i > 1 && s[i] == '0') {
    base = 8;  // YAML 1.1 / Go: a leading zero means octal
    i += 1;
  }
  uint64_t value = 0;
  for (; i < s.size(); ++i) {
    int d;
    char c = s[i];
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    if (d >= base) return std::nullopt;
    if (value > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return std::nullopt;
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (!negative && value > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  if (negative && value > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - value) : static_cast<int64_t>(value);
}

namespace {

bool is_float_11(std::string_view t) {
  if (t == ".inf" || t == ".Inf" || t == ".INF" || t == "+.inf" || t == "+.Inf" || t == "+.INF" ||
      t == "-.inf" || t == "-.Inf" || t == "-.INF" || t == ".nan" || t == ".NaN" || t == ".NAN")
    return true;
  // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++int_digits;
  bool dot = false;
  if (i < t.size() && t[i] == '.') {
    dot = true;
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (int_digits == 0 && !dot) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == t.size();
}

}  // namespace

ScalarType resolve_plain(std::string_view t) {
  if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") return ScalarType::Null;
  char c = t[0];
  // Fast path: most values (names, paths, hosts) cannot be anything but strings.
  if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.' || c == 'y' ||
        c == 'Y' || c == 'n' || c == 'N' || c == 't' || c == 'T' || c == 'f' || c == 'F' || c == 'o' ||
        c == 'O'))
    return ScalarType::String;
  if (parse_bool_11(t)) return ScalarType::Bool;
  if (parse_int_11(t)) return ScalarType::Int;
  if (is_float_11(t)) return ScalarType::Float;
  return ScalarType::String;
}

ScalarType scalar_type(const Node& n) { return n.plain ? resolve_plain(n.text) : ScalarType::String; }

std::optional<bool> as_bool(const Node* n) {
  if (!n || !n->is_scalar() || !n->plain) return std::nullopt;
  return parse_bool_11(n->text);
}

std::optional<int64_t> as_int(const Node* n) {
  if (!n || !n->is_scalar() || !n->plain) return std::nullopt;
  if (resolve_plain(n->text) != ScalarType::Int) return std::nullopt;
  return parse_int_11(n->text);
}

std::optional<std::string_view> as_string(const Node* n) {
  if (!n || !n->is_scalar()) return std::nullopt;
  if (scalar_type(*n) != ScalarType::String) return std::nullopt;
  return n->text;
}

std::optional<std::string_view> scalar_text(const Node* n) {
  if (!n || !n->is_scalar()) return std::nullopt;
  if (n->plain && resolve_plain(n->text) == ScalarType::Null) return std::nullopt;
  return n->text;
}

}  // namespace ig
