#include "admission/server.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <malloc.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cmath>
#include <ctime>
#include <list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>
#include <tuple>

#include "admission/state.h"
#include "core/cidr.h"
#include "core/text.h"
#include "rules/rule.h"

namespace ig {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Reviews at least this large give their memory back to the system once answered.
constexpr size_t kTrimAfterBodyBytes = 256 << 10;
// ... and so do this many closed connections.
constexpr size_t kTrimAfterClosedConnections = 256;
// The first read of a request; the parser asks for more as it needs it.
constexpr size_t kFirstReadBytes = 2048;

// Labels come from a fixed set, so a client cannot grow the metrics without bound.
std::string kind_label(const AdmissionRequest& r) { return judged_kind(r.group, r.kind) ? r.kind : "other"; }
std::string operation_label(const std::string& op) {
  return op == "CREATE" || op == "UPDATE" || op == "DELETE" || op == "CONNECT" ? op : "other";
}

class Metrics {
 public:
  void record(const AdmissionRequest& r, const std::string& decision, double seconds, const Decision& d) {
    std::lock_guard lock(mu_);
    ++requests_[{kind_label(r), operation_label(r.operation), decision}];
    for (const std::string& id : d.rules) ++findings_[id];
    observe(seconds);
  }
  void record_error(int status, double seconds) {
    std::lock_guard lock(mu_);
    ++errors_[status];
    observe(seconds);
  }
  void count_cert_reload() { ++cert_reloads_; }
  void count_state_reload(bool ok) { ++(ok ? state_reloads_ : state_reload_failures_); }
  void count_tls_failure() { ++tls_failures_; }
  void count_refused_connection() { ++refused_connections_; }

  std::string render(size_t state_objects, size_t open_connections) const {
    std::lock_guard lock(mu_);
    std::string out;
    out += "# HELP ingressguard_admission_requests_total Admission reviews judged, by kind, operation and decision.\n";
    out += "# TYPE ingressguard_admission_requests_total counter\n";
    for (const auto& [k, n] : requests_)
      out += "ingressguard_admission_requests_total{kind=\"" + std::get<0>(k) + "\",operation=\"" + std::get<1>(k) +
             "\",decision=\"" + std::get<2>(k) + "\"} " + std::to_string(n) + "\n";
    out += "# HELP ingressguard_admission_rejected_requests_total Requests answered 4xx/5xx without a decision.\n";
    out += "# TYPE ingressguard_admission_rejected_requests_total counter\n";
    for (const auto& [code, n] : errors_)
      out += "ingressguard_admission_rejected_requests_total{code=\"" + std::to_string(code) + "\"} " + std::to_string(n) + "\n";
    out += "# HELP ingressguard_admission_findings_total Reviewed objects with findings, by rule (an object counts once per rule).\n";
    out += "# TYPE ingressguard_admission_findings_total counter\n";
    for (const auto& [id, n] : findings_)
      out += "ingressguard_admission_findings_total{rule=\"" + id + "\"} " + std::to_string(n) + "\n";
    out += "# HELP ingressguard_admission_duration_seconds Time from a complete request to its response.\n";
    out += "# TYPE ingressguard_admission_duration_seconds histogram\n";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += buckets_[i];
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[i]);
      out += "ingressguard_admission_duration_seconds_bucket{le=\"" + std::string(le) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "ingressguard_admission_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(count_) + "\n";
    char sum[64];
    std::snprintf(sum, sizeof sum, "%.9f", sum_);
    out += "ingressguard_admission_duration_seconds_sum " + std::string(sum) + "\n";
    out += "ingressguard_admission_duration_seconds_count " + std::to_string(count_) + "\n";
    auto gauge = [&](const char* name, const char* help, const char* type, uint64_t v) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
             std::to_string(v) + "\n";
    };
    gauge("ingressguard_state_objects", "Objects in the webhook's view of the cluster.", "gauge", state_objects);
    gauge("ingressguard_open_connections", "Connections open now.", "gauge", open_connections);
    gauge("ingressguard_refused_connections_total", "Connections closed at once because --max-connections were open.",
          "counter", refused_connections_);
    gauge("ingressguard_certificate_reloads_total", "Serving certificate reloads.", "counter", cert_reloads_);
    gauge("ingressguard_state_reloads_total", "State reloads (SIGHUP) that succeeded.", "counter", state_reloads_);
    gauge("ingressguard_state_reload_failures_total", "State reloads that failed (the old state stays).", "counter",
          state_reload_failures_);
    gauge("ingressguard_tls_handshake_failures_total", "TLS handshakes that failed or timed out.", "counter", tls_failures_);
    return out;
  }

 private:
  void observe(double seconds) {
    size_t i = 0;
    while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
    if (i < kBuckets.size()) ++buckets_[i];
    sum_ += seconds;
    ++count_;
  }
  static constexpr std::array<double, 13> kBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01,
                                                   0.025,  0.05,    0.1,    0.25,  0.5,   1.0};
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> requests_;
  std::map<std::string, uint64_t> findings_;
  std::map<int, uint64_t> errors_;
  std::array<uint64_t, kBuckets.size()> buckets_{};
  double sum_ = 0;
  uint64_t count_ = 0;
  std::atomic<uint64_t> cert_reloads_{0}, state_reloads_{0}, state_reload_failures_{0}, tls_failures_{0},
      refused_connections_{0};
};

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

const char* mode_name(AdmissionMode m) {
  return m == AdmissionMode::Enforce ? "enforce" : m == AdmissionMode::Warn ? "warn" : "audit";
}

// What identifies a version of the certificate files: a Secret volume swaps a
// symlink, which changes the inode and the time.
struct FileStamp {
  int64_t mtime_ns = 0;
  int64_t size = 0;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};
std::optional<FileStamp> stamp(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileStamp{static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                   static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)};
}

// TLS 1.2+ with forward-secret AEAD suites (Mozilla intermediate). Throws on
// unreadable files or a key that does not match; the messages never hold key bytes.
std::shared_ptr<ssl::context> make_tls_context(const std::string& cert, const std::string& key,
                                              const std::string& client_ca) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* raw = ctx->native_handle();
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX_set_options(raw, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  // An idle keep-alive connection holds no OpenSSL record buffers (about 34 KB each otherwise).
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_cipher_list(raw,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                          "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  ctx->use_certificate_chain_file(cert);
  ctx->use_private_key_file(key, ssl::context::pem);
  if (SSL_CTX_check_private_key(raw) != 1) throw std::runtime_error("the private key does not match the certificate");
  if (!client_ca.empty()) {
    // Asked for, not required at the handshake: the kubelet's probes have no certificate.
    ctx->load_verify_file(client_ca);
    ctx->set_verify_mode(ssl::verify_peer);
  }
  return ctx;
}

std::optional<tcp::endpoint> parse_listen(const std::string& s, std::string& error) {
  auto l = parse_listen_address(s, error);
  if (!l) return std::nullopt;
  return tcp::endpoint(net::ip::make_address(to_string(l->address)), l->port);
}

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<ssl::context> ctx, Server& server);
  ~Session();
  void start();
  // Draining: a connection waiting for its next request is closed now.
  void close_if_idle();

 private:
  void on_handshake(beast::error_code ec);
  void wait_request();
  void read_request();
  void on_read(beast::error_code ec);
  void respond();
  void on_write(beast::error_code ec, bool close);
  void fail_and_close(http::status status, const std::string& text);
  void close();
  bool client_verified() {
    SSL* ssl = stream_.native_handle();
    return SSL_get0_peer_certificate(ssl) != nullptr && SSL_get_verify_result(ssl) == X509_V_OK;
  }

  std::shared_ptr<ssl::context> ctx_;  // declared first: the stream refers to it
  beast::ssl_stream<beast::tcp_stream> stream_;
  Server& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool idle_ = false;
};

class Server {
 public:
  Server(const ServeOptions& options, std::shared_ptr<ClusterState> state, std::ostream& log)
      : options_(options), state_(std::move(state)), log_(log), ioc_(options.threads), acceptor_(ioc_),
        signals_(ioc_, SIGTERM, SIGINT, SIGHUP), cert_timer_(ioc_), drain_timer_(ioc_), accept_timer_(ioc_) {}

  bool start(std::string& error) {
    try {
      tls_ = make_tls_context(options_.tls_cert, options_.tls_key, options_.client_ca);
      cert_stamp_ = {stamp(options_.tls_cert), stamp(options_.tls_key)};
    } catch (const std::exception& e) {
      error = "cannot use --tls-cert/--tls-key: " + std::string(e.what());
      return false;
    }
    auto endpoint = parse_listen(options_.listen, error);
    if (!endpoint) return false;
    beast::error_code ec;
    acceptor_.open(endpoint->protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(*endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      error = "cannot listen on " + options_.listen + ": " + ec.message();
      return false;
    }
    auto local = acceptor_.local_endpoint();
    std::string where = (local.address().is_v6() ? "[" + local.address().to_string() + "]" : local.address().to_string()) +
                        ":" + std::to_string(local.port());
    log_event({{"event", "listening"},
               {"address", where},
               {"mode", mode_name(options_.admission.mode)},
               {"deny_at", std::string(to_string(options_.admission.deny_at))},
               {"state_objects", state()->size()},
               {"max_connections", options_.max_connections},
               // Allowed reviews are added to the state only from the API server (--client-ca).
               {"state_learning", !options_.client_ca.empty()}});
    accept();
    watch_signals();
    watch_certificate();
    ready_ = true;
    return true;
  }

  void run() {
    std::vector<std::thread> threads;
    for (int i = 1; i < options_.threads; ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
    if (reload_thread_.joinable()) reload_thread_.join();
    log_event({{"event", "stopped"}});
  }

  std::shared_ptr<ClusterState> state() const {
    std::lock_guard lock(state_mu_);
    return state_;
  }
  const ServeOptions& options() const { return options_; }
  Metrics& metrics() { return metrics_; }
  bool draining() const { return draining_; }
  bool ready() const { return ready_ && !draining_; }

  void session_started(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(sessions_mu_);
    ++active_;
    if (sessions_.size() > 256) sessions_.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
    sessions_.push_back(s);
  }
  void session_ended() {
    std::lock_guard lock(sessions_mu_);
    if (--active_ == 0 && draining_) net::post(ioc_, [this] { drain_timer_.cancel(); });
    // Connections closed in numbers (a burst, a flood) give their memory back to the system.
    if (++closed_since_trim_ >= kTrimAfterClosedConnections || (active_ == 0 && closed_since_trim_ >= 16)) {
      closed_since_trim_ = 0;
      net::post(ioc_, [] { malloc_trim(0); });
    }
  }
  size_t open_connections() const { return active_; }

  void log_decision(const AdmissionRequest& r, const Decision& d, double seconds) {
    bool log = options_.log_all || options_.admission.mode == AdmissionMode::Audit || !d.allowed || !d.warnings.empty();
    if (!log) return;
    // The uid is at most 128 bytes (decode_review); the names are cut like any echoed value.
    auto echoed = [](const std::string& v) { return cut_long_words(v, kMaxEchoedValue, kMaxEchoedValue); };
    nlohmann::json line = {{"time", now_rfc3339()},       {"event", "decision"},       {"uid", r.uid},
                           {"kind", echoed(r.kind)},      {"namespace", echoed(r.ns)}, {"name", echoed(r.name)},
                           {"operation", r.operation},  {"dry_run", r.dry_run}, {"allowed", d.allowed},
                           {"mode", mode_name(options_.admission.mode)},      {"rules", d.rules},
                           {"latency_ms", std::round(seconds * 1e6) / 1e3}};
    write_log(line);
  }
  void log_event(nlohmann::json line) {
    line["time"] = now_rfc3339();
    write_log(line);
  }

 private:
  void write_log(const nlohmann::json& line) {
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::lock_guard lock(log_mu_);
    log_ << text << '\n';
    log_.flush();
  }

  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        // Out of file descriptors or memory: back off instead of spinning on the error.
        accept_timer_.expires_after(std::chrono::milliseconds(100));
        accept_timer_.async_wait([this](beast::error_code e) {
          if (!e && !draining_) accept();
        });
        return;
      } else {
        if (active_ >= options_.max_connections) {
          // Refused before the handshake: a flood of idle connections costs a descriptor for an instant.
          metrics_.count_refused_connection();
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          // The answer goes out at once instead of waiting for the client's delayed ACK.
          beast::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          std::shared_ptr<ssl::context> ctx;
          {
            std::lock_guard lock(tls_mu_);
            ctx = tls_;
          }
          auto session = std::make_shared<Session>(std::move(socket), std::move(ctx), *this);
          session_started(session);
          session->start();
        }
      }
      if (!draining_) accept();
    });
  }

  void watch_signals() {
    signals_.async_wait([this](beast::error_code ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        reload_state();
        watch_signals();
        return;
      }
      drain();
    });
  }

  void reload_state() {
    if (reloading_.exchange(true)) {
      log_event({{"event", "state reload skipped"}, {"reason", "a reload is already running"}});
      return;
    }
    if (reload_thread_.joinable()) reload_thread_.join();
    reload_thread_ = std::thread([this] {
      std::vector<LoadError> errors;
      auto fresh = ClusterState::load(options_.state, options_.policy, errors);
      if (!errors.empty()) {
        const LoadError& e = errors.front();
        log_event({{"event", "state reload failed"},
                   {"error", e.file + ":" + std::to_string(e.mark.line) + ":" + std::to_string(e.mark.col) + ": " + e.message},
                   {"errors", errors.size()}});
        metrics_.count_state_reload(false);
      } else {
        size_t n = fresh->size();
        {
          std::lock_guard lock(state_mu_);
          state_ = std::move(fresh);
        }
        metrics_.count_state_reload(true);
        log_event({{"event", "state reloaded"}, {"state_objects", n}});
      }
      reloading_ = false;
    });
  }

  void watch_certificate() {
    cert_timer_.expires_after(options_.cert_check_interval);
    cert_timer_.async_wait([this](beast::error_code ec) {
      if (ec || draining_) return;
      std::pair<std::optional<FileStamp>, std::optional<FileStamp>> now{stamp(options_.tls_cert), stamp(options_.tls_key)};
      if (now != cert_stamp_ && now != failed_stamp_) {
        try {
          auto ctx = make_tls_context(options_.tls_cert, options_.tls_key, options_.client_ca);
          {
            std::lock_guard lock(tls_mu_);
            tls_ = std::move(ctx);
          }
          cert_stamp_ = now;
          metrics_.count_cert_reload();
          log_event({{"event", "certificate reloaded"}});
        } catch (const std::exception& e) {
          // Half-written files during a rotation: keep serving the old pair, try again on the next change.
          failed_stamp_ = now;
          log_event({{"event", "certificate reload failed"}, {"error", e.what()}});
        }
      }
      watch_certificate();
    });
  }

  void drain() {
    if (draining_.exchange(true)) return;
    log_event({{"event", "draining"}});
    beast::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    cert_timer_.cancel();
    accept_timer_.cancel();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& w : sessions_)
        if (auto s = w.lock()) live.push_back(std::move(s));
      if (active_ == 0) return;
    }
    for (auto& s : live) s->close_if_idle();
    drain_timer_.expires_after(options_.drain_timeout);
    drain_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) {
        log_event({{"event", "drain timeout"}, {"open_connections", active_.load()}});
        ioc_.stop();
      }
    });
  }

  const ServeOptions& options_;
  mutable std::mutex state_mu_;
  std::shared_ptr<ClusterState> state_;
  std::ostream& log_;
  std::mutex log_mu_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  net::steady_timer cert_timer_;
  net::steady_timer drain_timer_;
  net::steady_timer accept_timer_;
  std::mutex tls_mu_;
  std::shared_ptr<ssl::context> tls_;
  std::pair<std::optional<FileStamp>, std::optional<FileStamp>> cert_stamp_, failed_stamp_;
  Metrics metrics_;
  std::atomic<bool> draining_{false}, ready_{false}, reloading_{false};
  std::thread reload_thread_;
  std::mutex sessions_mu_;
  std::list<std::weak_ptr<Session>> sessions_;
  std::atomic<size_t> active_{0};
  size_t closed_since_trim_ = 0;  // under sessions_mu_
};

Session::Session(tcp::socket&& socket, std::shared_ptr<ssl::context> ctx, Server& server)
    : ctx_(std::move(ctx)), stream_(std::move(socket), *ctx_), server_(server) {}

Session::~Session() { server_.session_ended(); }

void Session::start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    beast::get_lowest_layer(self->stream_).expires_after(self->server_.options().read_timeout);
    self->stream_.async_handshake(ssl::stream_base::server,
                                  [self](beast::error_code ec) { self->on_handshake(ec); });
  });
}

void Session::close_if_idle() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->idle_) beast::get_lowest_layer(self->stream_).cancel();
  });
}

void Session::on_handshake(beast::error_code ec) {
  if (ec) {
    server_.metrics().count_tls_failure();
    return;
  }
  wait_request();
}

// Between requests a connection may sit idle (idle_timeout); once the first
// bytes arrive, the whole request must come within read_timeout.
void Session::wait_request() {
  if (server_.draining()) return close();
  if (buffer_.size() > 0) return read_request();
  idle_ = true;
  beast::get_lowest_layer(stream_).expires_after(server_.options().idle_timeout);
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes), [self = shared_from_this()](beast::error_code ec, size_t n) {
    self->idle_ = false;
    if (ec) return;  // closed, timed out or drained: nothing was asked
    self->buffer_.commit(n);
    self->read_request();
  });
}

void Session::read_request() {
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_.options().max_header_bytes));
  parser_->body_limit(server_.options().max_body_bytes);
  beast::get_lowest_layer(stream_).expires_after(server_.options().read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void Session::on_read(beast::error_code ec) {
  if (ec == http::error::body_limit)
    return fail_and_close(http::status::payload_too_large,
                          "request body over the limit of " + std::to_string(server_.options().max_body_bytes) + " bytes\n");
  if (ec == http::error::header_limit)
    return fail_and_close(http::status::request_header_fields_too_large, "request headers too large\n");
  if (ec == beast::error::timeout) return;  // the stream has closed the socket: nothing can be answered
  if (ec == http::error::end_of_stream || ec == net::ssl::error::stream_truncated || ec == net::error::eof) return close();
  if (ec) {
    if (ec.category() == http::make_error_code(http::error::bad_target).category())  // any other HTTP parse error
      return fail_and_close(http::status::bad_request, "malformed HTTP request: " + ec.message() + "\n");
    return close();
  }
  respond();
}

void Session::respond() {
  auto t0 = Clock::now();
  const auto& req = parser_->get();
  response_ = {};
  response_.version(11);
  response_.keep_alive(req.keep_alive() && !server_.draining());
  auto text = [&](http::status s, std::string body) {
    response_.result(s);
    response_.set(http::field::content_type, "text/plain; charset=utf-8");
    response_.body() = std::move(body);
  };
  std::string_view target(req.target().data(), req.target().size());
  target = target.substr(0, target.find('?'));  // the API server adds ?timeout=10s
  try {
    if (target == "/validate") {
      if (req.method() != http::verb::post) {
        text(http::status::method_not_allowed, "use POST\n");
        response_.set(http::field::allow, "POST");
      } else if (!server_.options().client_ca.empty() && !client_verified()) {
        text(http::status::forbidden, "a client certificate issued by the --client-ca is required\n");
        server_.metrics().record_error(403, 0);
      } else {
        DecodeResult decoded = decode_review(req.body(), server_.options().max_body_bytes);
        if (!decoded.request) {
          text(static_cast<http::status>(decoded.http_status), decoded.error + "\n");
          server_.metrics().record_error(decoded.http_status, std::chrono::duration<double>(Clock::now() - t0).count());
        } else {
          const AdmissionRequest& r = *decoded.request;
          auto state = server_.state();
          Decision d = decide(r, server_.options().admission, *state);
          // Only the API server changes the state: without --client-ca nobody is known to be it,
          // and an allowed CREATE from anyone could claim a host before its owner.
          if (d.allowed && !r.dry_run && judged_kind(r.group, r.kind) && !server_.options().client_ca.empty())
            state->admit(r);
          response_.result(http::status::ok);
          response_.set(http::field::content_type, "application/json");
          response_.body() = encode_response(r, d);
          double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
          std::string decision = !d.allowed ? "denied" : d.warnings.empty() ? "allowed" : "warned";
          server_.metrics().record(r, decision, seconds, d);
          server_.log_decision(r, d, seconds);
          // A large review's parse tree and snapshot are freed by now: hand the
          // pages back, so a burst of large reviews does not leave the pod at its limit.
          if (req.body().size() >= kTrimAfterBodyBytes) malloc_trim(0);
        }
      }
    } else if (target == "/healthz") {
      text(http::status::ok, "ok\n");
    } else if (target == "/readyz") {
      if (server_.ready()) text(http::status::ok, "ready\n");
      else text(http::status::service_unavailable, "draining\n");
    } else if (target == "/metrics") {
      text(http::status::ok, server_.metrics().render(server_.state()->size(), server_.open_connections()));
      response_.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    } else {
      text(http::status::not_found, "not found\n");
    }
  } catch (const std::exception& e) {
    // No exception leaves a request; the API server sees an error it can apply its failurePolicy to.
    text(http::status::internal_server_error, "internal error\n");
    server_.log_event({{"event", "internal error"}, {"error", e.what()}});
  }
  response_.prepare_payload();
  bool close = !response_.keep_alive();
  // The read deadline covered the request; the answer gets its own (a slow decision must not
  // leave the write with a deadline already past, which drops the answer).
  beast::get_lowest_layer(stream_).expires_after(server_.options().read_timeout);
  http::async_write(stream_, response_, [self = shared_from_this(), close](beast::error_code ec, size_t) {
    self->on_write(ec, close);
  });
}

void Session::on_write(beast::error_code ec, bool close_after) {
  if (ec) return;
  if (close_after) return close();
  // An idle connection keeps neither the last request (up to the body limit) nor its answer.
  parser_.reset();
  response_ = {};
  if (buffer_.size() == 0) buffer_.shrink_to_fit();
  wait_request();
}

void Session::fail_and_close(http::status status, const std::string& text) {
  server_.metrics().record_error(static_cast<int>(status), 0);
  response_ = {};
  response_.version(11);
  response_.result(status);
  response_.keep_alive(false);
  response_.set(http::field::content_type, "text/plain; charset=utf-8");
  response_.body() = text;
  response_.prepare_payload();
  beast::get_lowest_layer(stream_).expires_after(server_.options().read_timeout);
  http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->on_write(ec, true);
  });
}

void Session::close() {
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  });
}

}  // namespace

int run_serve(const ServeOptions& options, std::ostream& log, std::ostream& err) {
  std::vector<LoadError> errors;
  auto state = ClusterState::load(options.state, options.policy, errors);
  if (!errors.empty()) {
    for (const LoadError& e : errors)
      err << terminal_text(e.file) << ":" << e.mark.line << ":" << e.mark.col << ": " << terminal_text(e.message) << '\n';
    err << "ingressguard serve: the state or the policy has errors; not starting\n";
    return 2;
  }
  Server server(options, std::move(state), log);
  std::string error;
  if (!server.start(error)) {
    err << "ingressguard serve: " << error << '\n';
    return 2;
  }
  server.run();
  return 0;
}

}  // namespace ig
