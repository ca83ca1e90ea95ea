#include <algorithm>
#include <fstream>

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
  std::stable_sort(spans_.begin(), spans_.end(), [](const RedactedSpan* a, const RedactedSpan* b) {
    return a->file != b->file ? a->file < b->file : a->line < b->line;
  });
}

void SourceLines::open(uint32_t file) {
  cached_file_ = file;
  content_.clear();
  content_.shrink_to_fit();
  const SourceFile& f = c_.files[file];
  if (f.path == "-" || !f.content.empty()) {
    text_ = f.content;
  } else {
    std::ifstream in(f.path, std::ios::binary | std::ios::ate);
    auto size = in ? static_cast<std::streamoff>(in.tellg()) : 0;
    if (size > 0) {
      content_.resize(static_cast<size_t>(size));
      in.seekg(0);
      in.read(content_.data(), size);
      content_.resize(static_cast<size_t>(in.gcount()));
    }
    text_ = content_;
  }
  auto first = std::partition_point(spans_.begin(), spans_.end(), [&](const RedactedSpan* s) { return s->file < file; });
  auto last = std::partition_point(first, spans_.end(), [&](const RedactedSpan* s) { return s->file <= file; });
  file_spans_.assign(first, last);
  reach_.clear();
  for (const RedactedSpan* sp : file_spans_)
    reach_.push_back(std::max(reach_.empty() ? 0u : reach_.back(), std::max(sp->end_line, sp->line)));
  cursor_line_ = 1;
  cursor_offset_ = 0;
}

std::string SourceLines::line(const Loc& loc) {
  if (loc.line == 0 || loc.file >= c_.files.size()) return {};
  if (cached_file_ != loc.file) open(loc.file);
  if (loc.line < cursor_line_) {  // asked out of order: read again from the start
    cursor_line_ = 1;
    cursor_offset_ = 0;
  }
  while (cursor_line_ < loc.line) {
    size_t nl = text_.find('\n', cursor_offset_);
    if (nl == std::string_view::npos) return {};
    cursor_offset_ = nl + 1;
    ++cursor_line_;
  }
  if (cursor_offset_ >= text_.size()) return {};
  size_t end = text_.find('\n', cursor_offset_);
  std::string l(text_.substr(cursor_offset_, end == std::string_view::npos ? std::string_view::npos : end - cursor_offset_));
  if (!l.empty() && l.back() == '\r') l.pop_back();
  // The spans that cover this line: sorted by their first line, so only those starting at or before it.
  auto past = std::partition_point(file_spans_.begin(), file_spans_.end(),
                                   [&](const RedactedSpan* s) { return s->line <= loc.line; });
  // Walk back from the last span that starts on or before the line, while an earlier one can still reach it.
  for (size_t i = static_cast<size_t>(past - file_spans_.begin()); i-- > 0 && reach_[i] >= loc.line;) {
    const RedactedSpan& s = *file_spans_[i];
    uint32_t end_line = std::max(s.end_line, s.line);
    if (loc.line > end_line) continue;
    bool first_line = loc.line == s.line, last_line = loc.line == end_line && s.end_line >= s.line;
    mask(l, first_line ? s.col : 0, last_line ? s.end_col : 0);
  }
  return l;
}

}  // namespace ig
