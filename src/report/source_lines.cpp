#include <fstream>
#include <sstream>

#include "report/report.h"

namespace ig {

const char* version() { return IG_VERSION; }

std::string escape_markup(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\n' || ch == '\t') out.push_back(ch);
    }
  }
  return out;
}

std::string SourceLines::line(const Loc& loc) {
  if (loc.line == 0 || loc.file >= c_.files.size()) return {};
  if (cached_file_ != loc.file) {
    cached_file_ = loc.file;
    lines_.clear();
    const SourceFile& f = c_.files[loc.file];
    std::string content;
    if (f.path == "-" || !f.content.empty()) {
      content = f.content;
    } else {
      std::ifstream in(f.path, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      content = ss.str();
    }
    std::istringstream ls(content);
    for (std::string l; std::getline(ls, l);) {
      if (!l.empty() && l.back() == '\r') l.pop_back();
      lines_.push_back(std::move(l));
    }
  }
  return loc.line <= lines_.size() ? lines_[loc.line - 1] : std::string();
}

}  // namespace ig
