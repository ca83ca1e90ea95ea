// Connections the prober makes: TCP with a deadline, TLS handshakes with a
// chosen protocol version (OpenSSL), and one bounded HTTP/1.1 exchange
// parsed with Boost.Beast. Everything is RAII and time-bounded; nothing here
// retries or loops without a bound.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/unique_fd.h"

namespace ig::probe {

struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  void operator()(X509* x) const { X509_free(x); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslDeleter>;
using X509Ptr = std::unique_ptr<X509, SslDeleter>;

using Socket = ig::UniqueFd;

// Connects to address:port (a numeric IPv4/IPv6 address) within `timeout`.
Result<Socket> connect_tcp(const std::string& address, uint16_t port, std::chrono::milliseconds timeout);

struct TlsRequest {
  int version = 0;                 // TLS1_VERSION ... TLS1_3_VERSION; 0 = what both support
  std::string sni;                 // empty: no SNI
  std::string cipher_list;         // TLS <= 1.2 suites (OpenSSL names); empty = OpenSSL's defaults at SECLEVEL 0
  std::string ciphersuites;        // TLS 1.3 suites; empty = OpenSSL's defaults
  std::string ca_file;             // verify against this bundle; empty = system roots
  std::string groups;              // key-exchange groups offered (OpenSSL names, ':'-separated); empty = defaults
};

struct TlsSession {
  Socket socket;
  SslCtxPtr ctx;
  SslPtr ssl;
  int version = 0;                 // negotiated
  std::string cipher;              // negotiated suite (OpenSSL name)
  std::string group;               // negotiated key-exchange group (OpenSSL name); empty when none
  long verify_result = 0;          // X509_V_OK when the chain verifies
  bool client_cert_requested = false;
  X509Ptr peer;                    // leaf certificate
};

// Connects and performs a TLS handshake; an Error when the server refuses.
Result<TlsSession> tls_handshake(const std::string& address, uint16_t port, const TlsRequest& req,
                                 std::chrono::milliseconds timeout);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined with ", "
  std::string body;                            // at most the first 64 KiB
};

// Sends one HTTP/1.1 request (Connection: close) over plain TCP (`tls` null)
// or an established TLS session, and reads the answer within `timeout`.
Result<HttpResponse> http_exchange(Socket& plain, TlsSession* tls, const std::string& method, const std::string& host,
                                   const std::string& target, const std::vector<std::pair<std::string, std::string>>& extra,
                                   std::chrono::milliseconds timeout);

// The two halves of http_exchange, for a caller holding several requests in
// flight: send the request (false on failure or timeout), later read its answer.
bool send_request(Socket& plain, TlsSession* tls, const std::string& method, const std::string& host,
                  const std::string& target, const std::vector<std::pair<std::string, std::string>>& extra,
                  std::chrono::milliseconds timeout);
Result<HttpResponse> read_response(Socket& plain, TlsSession* tls, bool head, std::chrono::milliseconds timeout);

// Header values come from the server under test, so they are read by linear
// scans (never a backtracking regex): one pass, no recursion, any length.
// The max-age directive of a Strict-Transport-Security value (case-insensitive,
// optional quotes); nullopt when absent or not a number. Saturates at 10^12.
std::optional<long long> hsts_max_age(std::string_view value);
// Whether a Server value carries a version number ("nginx/1.25.3": digits, a dot, digits).
bool discloses_version(std::string_view server);
// At most `max` bytes of a server-supplied value for a report, with control
// bytes written as \xNN and a note of how much was cut.
std::string echo_value(std::string_view value, size_t max = 200);

}  // namespace ig::probe
