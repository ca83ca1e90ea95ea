// One access-log request (or nginx error-log event) as decoded from a line.
// The string views point into the line being analysed (or into the JSON
// parser's buffer) and are valid only while that line is processed.
#pragma once

#include <cstdint>
#include <string_view>

namespace ig::logs {

// What kind of event a line carried.
enum class EventKind : uint8_t {
  Access,          // a request from the access log
  AuthFailure,     // error log: basic-auth user unknown / password mismatch / PAM failure
  RateLimited,     // error log: limiting or delaying requests by zone
  Forbidden,       // error log: access forbidden by rule (allow/deny)
  FileNotFound,    // error log: open() failed / is not found
  TlsHandshake,    // error log: SSL_do_handshake() failed
  OtherError,      // error log: any other message
};

struct LogRecord {
  EventKind kind = EventKind::Access;
  std::string_view client;      // remote address (or first X-Forwarded-For entry for Envoy)
  std::string_view user;        // remote user, "-" when none
  int64_t time_ms = 0;          // epoch milliseconds from the log's own timestamp; 0 = unknown
  std::string_view request;     // raw request line as logged (escaped as nginx escapes it)
  std::string_view method;      // empty when the request line is malformed
  std::string_view target;      // path and query as requested
  std::string_view protocol;    // HTTP/1.1 ...; empty when absent
  int status = 0;               // 0 when unknown ("-")
  int64_t bytes = -1;           // response body bytes; -1 unknown
  std::string_view referer;
  std::string_view user_agent;
  std::string_view service;     // proxy_upstream_name, Traefik router/service, HAProxy backend
  std::string_view host;        // Host header / vhost when the format has one
  int upstream_status = 0;      // the last upstream's status; 0 when the format has none; -1 when it has one and
                                // no upstream answered ("-": nginx answered itself, e.g. basic auth or auth-url)
  std::string_view message;     // error-log message text

  // Back to the empty record (cheaper than assigning a new one on every line).
  void reset() {
    kind = EventKind::Access;
    client = user = request = method = target = protocol = referer = user_agent = service = host = message = {};
    time_ms = 0;
    status = 0;
    bytes = -1;
    upstream_status = 0;
  }
};

}  // namespace ig::logs
