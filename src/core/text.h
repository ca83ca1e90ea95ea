// Text that came from outside (a server's header, a log line, a manifest value)
// on its way to a terminal, a log or a report: control bytes escaped, length cut.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ig {

// How many bytes of an outside value any message echoes at most.
inline constexpr size_t kMaxEchoedValue = 256;

// `value` with every control byte (below 0x20, and 0x7f) written as \xNN, so an
// escape sequence cannot move the cursor or erase a line, and cut after `max`
// bytes of input with "... (N bytes)" saying how long it was. Bytes >= 0x80
// are kept (UTF-8 text stays readable).
std::string safe_text(std::string_view value, size_t max = kMaxEchoedValue);

}  // namespace ig
