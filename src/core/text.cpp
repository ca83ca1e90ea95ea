#include <cctype>
#include <ctime>
#include "core/text.h"

#include <algorithm>

namespace ig {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void hex_byte(std::string& out, unsigned char b) {
  out += "\\x";
  out.push_back(kHex[b >> 4]);
  out.push_back(kHex[b & 0xf]);
}

void code_point(std::string& out, uint32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(cp >> shift) & 0xf]);
}

bool reorders_or_controls(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

size_t utf8_char(std::string_view s, size_t i, uint32_t& cp) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = at(i);
  if (b < 0x80) {
    cp = b;
    return 1;
  }
  size_t n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
  if (n == 0 || b > 0xf4 || i + n > s.size()) return 0;
  cp = b & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((at(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (at(i + k) & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

namespace {

// The largest cut <= `at` that does not fall inside a UTF-8 character of `s`.
size_t char_boundary(std::string_view s, size_t at) {
  while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xc0) == 0x80) --at;
  return at;
}

}  // namespace

std::string cut_long_words(std::string text, size_t max_word, size_t max_total) {
  bool long_word = false;
  for (size_t i = 0, run = 0; i < text.size(); ++i) {
    run = text[i] == ' ' ? 0 : run + 1;
    if (run > max_word) {
      long_word = true;
      break;
    }
  }
  if (long_word) {
    std::string out;
    out.reserve(std::min(text.size(), max_total + 64));
    size_t i = 0;
    while (i < text.size()) {
      size_t end = text.find(' ', i);
      if (end == std::string::npos) end = text.size();
      size_t len = end - i;
      if (len > max_word) {
        out.append(text, i, char_boundary(text, i + max_word) - i);
        out += "... (" + std::to_string(len) + " bytes)";
      } else {
        out.append(text, i, len);
      }
      if (end < text.size()) out.push_back(' ');
      i = end + 1;
    }
    text = std::move(out);
  }
  if (text.size() > max_total) {
    size_t total = text.size();
    text.resize(char_boundary(text, max_total));
    text += "... (" + std::to_string(total) + " bytes)";
  }
  return text;
}

std::string safe_text(std::string_view value, size_t max) {
  std::string out;
  size_t limit = value.size() > max ? max : value.size();
  out.reserve(limit + 16);
  size_t i = 0;
  while (i < limit) {
    auto b = static_cast<unsigned char>(value[i]);
    if (b < 0x20 || b == 0x7f) {
      hex_byte(out, b);
      ++i;
    } else if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
    } else {
      uint32_t cp = 0;
      size_t n = utf8_char(value, i, cp);
      if (n == 0) {
        hex_byte(out, b);
        ++i;
      } else if (i + n > limit) {
        break;  // the cut falls inside this character: leave it out whole
      } else {
        if (reorders_or_controls(cp)) code_point(out, cp);
        else out.append(value.substr(i, n));
        i += n;
      }
    }
  }
  if (value.size() > max) out += "... (" + std::to_string(value.size()) + " bytes)";
  return out;
}

std::string digits_masked(std::string_view s) {
  std::string out(s);
  for (char& ch : out)
    if (std::isdigit(static_cast<unsigned char>(ch))) ch = '#';
  return out;
}

std::string utc_date(int64_t seconds) {
  std::time_t tt = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace ig
