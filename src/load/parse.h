// Parsers from bytes to Node trees. Both stop at the first error and return it
// with its position; documents completed before the error were already
// delivered to the sink.
#pragma once

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

}  // namespace ig
