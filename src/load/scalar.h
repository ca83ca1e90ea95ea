// kubectl's decoding of scalars (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1):
// unquoted yes/on/y are booleans, 0777 is octal 511, 1_000 is 1000; a quoted
// value always stays a string.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "load/node.h"

namespace ig {

enum class ScalarType { Null, Bool, Int, Float, String };

// Type of an unquoted scalar under YAML 1.1 resolution.
ScalarType resolve_plain(std::string_view text);
ScalarType scalar_type(const Node& n);

std::optional<bool> parse_bool_11(std::string_view text);
std::optional<int64_t> parse_int_11(std::string_view text);

// Value accessors that follow kubectl: nullopt when the node is absent or has
// another type (a quoted "true" is a string, not a boolean).
std::optional<bool> as_bool(const Node* n);
std::optional<int64_t> as_int(const Node* n);
// Text of a scalar that decodes to a string; nullopt for other types.
std::optional<std::string_view> as_string(const Node* n);
// Text of any scalar, whatever its type ("80", "true", "web").
std::optional<std::string_view> scalar_text(const Node* n);

}  // namespace ig
