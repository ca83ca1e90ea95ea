// The plain-HTTP listener of a long-running `logs --follow`: GET /metrics (Prometheus text, from a callback)
// and GET /healthz. One thread; at most 16 connections at once (more are closed at accept); each request's
// headers within 8 KiB and 5 seconds, no body; one request per connection. It serves nothing else.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace ig::logs {

class MetricsEndpoint {
 public:
  // `render` is called on the endpoint's thread for each /metrics request; it must be thread-safe.
  static Result<std::unique_ptr<MetricsEndpoint>> start(const std::string& listen, std::function<std::string()> render);
  ~MetricsEndpoint();  // stops the thread
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The address it listens on ("127.0.0.1:9910"), with the port chosen when 0 was asked.
  std::string address() const;

  struct Impl;

 private:
  explicit MetricsEndpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ig::logs
