#include <algorithm>
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

namespace {

// The byte just past the first `chars` characters of a UTF-8 line (the line's
// end when it is shorter).
size_t byte_after_chars(const std::string& l, size_t chars) {
  size_t i = 0;
  for (size_t seen = 0; i < l.size() && seen < chars; ++seen) {
    ++i;
    while (i < l.size() && (static_cast<unsigned char>(l[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

// Masks [from, to) of line `l`. Columns count characters (YAML) or bytes
// (JSON); a span starts at the smaller and ends at the larger reading of its
// columns, so neither reading leaves a byte of the value shown.
void mask(std::string& l, size_t from_col, size_t to_col) {
  size_t from = from_col ? std::min(from_col - 1, l.size()) : 0;
  size_t to = to_col ? std::max(std::min(to_col - 1, l.size()), byte_after_chars(l, to_col - 1)) : l.size();
  for (size_t i = from; i < to; ++i) l[i] = '*';
}

}  // namespace

SourceLines::SourceLines(const Cluster& c) : c_(c) {
  spans_.reserve(c.redacted.size());
  for (const RedactedSpan& s : c.redacted) spans_.push_back(&s);
  std::stable_sort(spans_.begin(), spans_.end(), [](const RedactedSpan* a, const RedactedSpan* b) { return a->file < b->file; });
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
    auto first = std::partition_point(spans_.begin(), spans_.end(), [&](const RedactedSpan* s) { return s->file < loc.file; });
    for (auto it = first; it != spans_.end() && (*it)->file == loc.file; ++it) {
      const RedactedSpan& s = **it;
      uint32_t end_line = std::max(s.end_line, s.line);
      for (uint32_t n = s.line; n >= 1 && n <= end_line && n <= lines_.size(); ++n) {
        bool first_line = n == s.line, last_line = n == end_line && s.end_line >= s.line;
        mask(lines_[n - 1], first_line ? s.col : 0, last_line ? s.end_col : 0);
      }
    }
  }
  return loc.line <= lines_.size() ? lines_[loc.line - 1] : std::string();
}

}  // namespace ig
