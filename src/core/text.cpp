#include "core/text.h"

namespace ig {

std::string safe_text(std::string_view value, size_t max) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  std::string_view shown = value.substr(0, max);
  out.reserve(shown.size() + 16);
  for (char ch : shown) {
    auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7f) {
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  if (value.size() > max) out += "... (" + std::to_string(value.size()) + " bytes)";
  return out;
}

}  // namespace ig
