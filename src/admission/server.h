// `ingressguard serve`: the HTTPS shell around decide() (review.h). Boost.Beast
// over Asio and OpenSSL; HTTP/1.1 with keep-alive; TLS 1.2 and 1.3 only.
//
//   POST /validate  AdmissionReview v1 in, AdmissionReview v1 out
//   GET  /healthz   200 while the process runs
//   GET  /readyz    200 once listening with state loaded; 503 while draining
//   GET  /metrics   Prometheus text
//
// Bodies over the cap get 413, a malformed review 400, both without being
// judged. Reads and the TLS handshake are bounded in time. The serving
// certificate is reloaded when its files change (new connections get it,
// open ones keep theirs); SIGHUP reloads the state; SIGTERM drains.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "admission/review.h"

namespace ig {

struct ServeOptions {
  std::string listen = "0.0.0.0:8443";  // ADDR:PORT; port 0 picks a free port
  std::string tls_cert;
  std::string tls_key;
  // CA of the API server's client certificate (AdmissionConfiguration
  // kubeconfig): when set, /validate answers only a client that presents a
  // certificate it issued; the probes stay open for the kubelet. Only then
  // are allowed reviews added to the state (nobody else is known to be the
  // API server).
  std::string client_ca;
  std::optional<std::string> policy;
  std::vector<std::string> state;  // manifests or `kubectl get -o json` output
  AdmissionOptions admission;
  size_t max_body_bytes = kDefaultMaxReviewBytes;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_timeout{10'000};       // handshake, and each request's headers and body
  std::chrono::milliseconds idle_timeout{60'000};       // a keep-alive connection with no request
  std::chrono::milliseconds drain_timeout{20'000};      // SIGTERM: longest wait for requests in flight
  std::chrono::milliseconds cert_check_interval{2'000}; // how often the certificate files are looked at
  size_t max_connections = 512;  // open at once; more are closed before the handshake
  int threads = 2;
  bool log_all = false;  // log every decision (always in audit mode), else only denials and warnings
};

// Runs until SIGTERM or SIGINT. Logs go to `log` (JSON lines: one per
// decision, and server events); the first line says where it listens.
int run_serve(const ServeOptions& options, std::ostream& log, std::ostream& err);

}  // namespace ig
