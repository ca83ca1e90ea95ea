// Parsers from bytes to Node trees. Both stop at the first error and return it
// with its position; documents completed before the error were already
// delivered to the sink.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "load/node.h"

namespace ig {

// Parses a (multi-document) YAML stream with libyaml. Keeps the Helm
// `# Source: path` comment preceding a document as that document's origin.
std::optional<Error> parse_yaml(std::string_view buf, const ParseLimits& limits, DocumentSink& sink);

// Parses one JSON value with simdjson On-Demand. `buf` must live in a
// std::string whose capacity exceeds its size by at least kJsonPadding bytes.
std::optional<Error> parse_json(const std::string& buf, const ParseLimits& limits, DocumentSink& sink);

inline constexpr size_t kJsonPadding = 64;

// A JSON parser to parse many documents with (its buffers are kept between them).
class JsonParser {
 public:
  JsonParser();
  ~JsonParser();
  // Parses `buf`, whose memory is readable for `capacity` >= buf.size() + kJsonPadding bytes. `origin` is
  // where buf starts in the input it was cut from: every mark (and error) is given in the input's terms.
  // `nesting`, when the caller knows it: the deepest nesting of objects and arrays in buf.
  std::optional<Error> parse(std::string_view buf, size_t capacity, Mark origin, const ParseLimits& limits,
                             DocumentSink& sink, std::optional<size_t> nesting = std::nullopt);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The first byte that is not text, as kubectl's decoders see it: not UTF-8
// (both formats), or for YAML (`yaml` true) a character YAML does not allow
// (control characters other than tab, line feed and carriage return; NUL;
// U+FFFE and U+FFFF). Its offset and what it is ("invalid UTF-8 byte 0xff",
// "NUL byte", "control character 0x07"), or nullopt when all is text.
struct BadByte {
  size_t offset = 0;
  std::string what;
};
std::optional<BadByte> first_non_text_byte(std::string_view buf, bool yaml);

}  // namespace ig
