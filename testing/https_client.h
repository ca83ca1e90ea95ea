// A small HTTPS/1.1 client for tests and benchmarks, acting as the API server
// does towards a webhook: it verifies the server's certificate against a CA
// bundle and a name (SNI and subjectAltName), then sends requests over one
// keep-alive connection. Loopback only; every call is bounded by a timeout.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace ig::testing {

struct HttpsResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = false;
};

struct HttpsClientOptions {
  std::string ca_pem;        // trusted CA certificate(s), PEM text
  std::string server_name;   // SNI and the name the certificate must hold
  std::string client_cert_pem;  // presented when set (with its key)
  std::string client_key_pem;
  int min_tls = 0;           // e.g. TLS1_2_VERSION; 0: library default
  int max_tls = 0;           // e.g. TLS1_1_VERSION to check that old versions are refused
  std::chrono::milliseconds timeout{5000};
};

class HttpsClient {
 public:
  // Connects to 127.0.0.1:port and completes the TLS handshake; throws
  // std::runtime_error on failure (untrusted certificate, wrong name, refused version).
  HttpsClient(unsigned short port, const HttpsClientOptions& options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  HttpsResponse request(const std::string& method, const std::string& target, const std::string& body = "",
                        const std::string& content_type = "application/json");
  // Sends raw bytes after the handshake (malformed or partial requests) and
  // reads whatever comes back until the server closes or the timeout passes.
  std::string send_raw(const std::string& bytes);
  // The serial number of the certificate the server presented, in hex.
  std::string peer_serial() const;
  std::string tls_version() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ig::testing
