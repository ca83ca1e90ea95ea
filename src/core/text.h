// Text that came from outside (a server's header, a log line, a manifest value)
// on its way to a terminal, a log or a report: control bytes escaped, length cut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ig {

// How many bytes of an outside value any message echoes at most.
inline constexpr size_t kMaxEchoedValue = 256;

// `value` as text a terminal shows as it is, cut after `max` bytes of input
// (never inside a character) with "... (N bytes)" saying how long it was.
// Escaped, so that no escape sequence can move the cursor, erase or rewrite a
// line, or reorder what is shown:
//   control bytes (below 0x20, and 0x7f)   \xNN
//   bytes that are not UTF-8               \xNN   (a lone 0x9b is CSI on 8-bit terminals)
//   C1 controls U+0080-U+009F              \u0080
//   bidirectional overrides and isolates   \u202e  (U+202A-U+202E, U+2066-U+2069)
// Other UTF-8 text is kept as it is.
std::string safe_text(std::string_view value, size_t max = kMaxEchoedValue);

// The length of the well-formed UTF-8 character at s[i] (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF) and its code point;
// 0 when the bytes there are not one. ASCII is a character of length 1.
size_t utf8_char(std::string_view s, size_t i, uint32_t& cp);

// `text` (a message that quotes values) with every run of non-space bytes
// longer than `max_word` cut to its first `max_word` bytes and "... (N bytes)"
// (a 1 MB host in a finding stays readable), then the whole cut after
// `max_total` bytes the same way. Never cuts inside a UTF-8 character.
inline constexpr size_t kMaxMessageBytes = 2048;
std::string cut_long_words(std::string text, size_t max_word = kMaxEchoedValue, size_t max_total = kMaxMessageBytes);

// safe_text without a length cut: for text the tool shows in full (file
// paths, messages, log fields that have their own bounds).
inline std::string terminal_text(std::string_view value) { return safe_text(value, std::string_view::npos); }

// Every digit replaced by '#': a message that still says the same when the line numbers in it move.
std::string digits_masked(std::string_view s);

// A time (seconds since the epoch) as its UTC date, 2026-12-07.
std::string utc_date(int64_t seconds);

}  // namespace ig
