#include "logs/input.h"

#include <simdjson.h>

#include <cctype>
#include <cstring>

namespace ig::logs {

struct Unwrapper::Json {
  simdjson::ondemand::parser parser;
  std::string buf;
};

Unwrapper::Unwrapper(size_t max_line) : max_line_(max_line), json_(std::make_unique<Json>()) {}
Unwrapper::~Unwrapper() = default;

namespace {

// "2026-03-01T10:15:02.123456789Z stdout F " : returns the offset of the
// payload and whether the chunk is partial; 0 when the line is not CRI.
size_t cri_header(std::string_view raw, bool& partial) {
  if (raw.size() < 30 || raw[4] != '-' || raw[10] != 'T' || raw[0] < '0' || raw[0] > '9') return 0;
  size_t sp = raw.find(' ', 19);
  if (sp == std::string_view::npos || sp > 40) return 0;
  std::string_view rest = raw.substr(sp + 1);
  if (rest.substr(0, 7) != "stdout " && rest.substr(0, 7) != "stderr ") return 0;
  if (rest.size() < 9 || (rest[7] != 'F' && rest[7] != 'P') || rest[8] != ' ') {
    // A CRI line without its tag (older runtimes): treat as full.
    if (rest.size() >= 8 && (rest[7] == 'F' || rest[7] == 'P') && rest.size() == 8) {
      partial = rest[7] == 'P';
      return raw.size();
    }
    return 0;
  }
  partial = rest[7] == 'P';
  return sp + 1 + 9;
}

// "Sep 15 16:13:46 host nginx[2869]: " or "host nginx[2833]: " (syslog,
// journal): the offset after it, 0 when there is none.
size_t syslog_prefix(std::string_view raw) {
  if (raw.empty() || !std::isalpha(static_cast<unsigned char>(raw[0]))) return 0;
  size_t tag_end = raw.find("]: ");
  if (tag_end == std::string_view::npos || tag_end > 160) return 0;
  size_t open = raw.rfind('[', tag_end);
  if (open == std::string_view::npos || open == 0 || open + 1 == tag_end) return 0;
  for (size_t i = open + 1; i < tag_end; ++i)
    if (raw[i] < '0' || raw[i] > '9') return 0;
  return tag_end + 3;
}

}  // namespace

bool Unwrapper::unwrap(std::string_view raw, std::string_view& payload) {
  bool partial = false;
  std::string_view inner = raw;
  bool wrapped = false;
  if (size_t off = cri_header(raw, partial)) {
    inner = raw.substr(off);
    wrapped = true;
  } else if (raw.size() > 8 && raw.substr(0, 8) == "{\"log\":\"") {
    json_->buf.assign(raw);
    json_->buf.resize(raw.size() + simdjson::SIMDJSON_PADDING);
    simdjson::ondemand::document doc;
    std::string_view log;
    if (!json_->parser.iterate(json_->buf.data(), raw.size(), json_->buf.size()).get(doc) &&
        !doc["log"].get_string().get(log)) {
      partial = log.empty() || log.back() != '\n';
      if (!partial) log.remove_suffix(1);
      if (!log.empty() && log.back() == '\r') log.remove_suffix(1);
      inner = log;
      wrapped = true;
    }
  }
  if (!wrapped && raw.size() > 6 && raw.substr(0, 5) == "[pod/") {
    size_t close = raw.find("] ");
    if (close != std::string_view::npos && close < 300) inner = raw.substr(close + 2);
  } else if (!wrapped) {
    inner = raw.substr(syslog_prefix(raw));
  }
  if (partial || joining_) {
    size_t room = max_line_ - std::min(max_line_, joined_.size());
    joined_.append(inner.substr(0, std::min(room, inner.size())));
    if (partial) {
      joining_ = true;
      return false;
    }
    joining_ = false;
    // The joined text lives in joined_ until the next call.
    payload_ = std::move(joined_);
    joined_.clear();
    payload = payload_;
    return true;
  }
  payload = inner;
  return true;
}

}  // namespace ig::logs
