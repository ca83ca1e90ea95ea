// How Kubernetes and its controllers read the values written in manifests:
// Go booleans, comma lists, CIDRs, TLS host patterns. Shared by the rules, the
// exposure graph and the webhook state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ig {

// Go's strconv.ParseBool, which ingress-nginx uses for boolean annotations and keys.
std::optional<bool> parse_go_bool(std::string_view v);

// Splits on `sep` and trims blanks; drops empty items.
std::vector<std::string_view> split_list(std::string_view v, char sep);
std::string_view trim(std::string_view v);
std::string to_lower(std::string_view v);

// True when `cidr` covers every address of its family (prefix length 0).
bool is_open_cidr(std::string_view cidr);

// TLS host coverage: exact match, or `*.example.com` covering one label.
bool tls_host_covers(std::string_view pattern, std::string_view host);

}  // namespace ig
