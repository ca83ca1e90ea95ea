#include "logs/metrics_endpoint.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

#include "core/cidr.h"

namespace ig::logs {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr int kMaxConnections = 16;
constexpr size_t kMaxHeaderBytes = 8 * 1024;
constexpr auto kRequestTimeout = std::chrono::seconds(5);

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket&& s, const std::function<std::string()>& render, std::atomic<int>& open)
      : stream_(std::move(s)), render_(render), open_(open) {
    parser_.header_limit(kMaxHeaderBytes);
    parser_.body_limit(0);
  }
  ~Connection() { --open_; }

  void run() {
    stream_.expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == http::error::header_limit) return reply(http::status::request_header_fields_too_large, "too large\n");
      if (ec == http::error::body_limit) return reply(http::status::payload_too_large, "no body expected\n");
      return;  // timed out, closed, or not HTTP: nothing to answer
    }
    const auto& req = parser_.get();
    if (req.method() != http::verb::get && req.method() != http::verb::head)
      return reply(http::status::method_not_allowed, "GET only\n");
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    if (target == "/healthz") return reply(http::status::ok, "ok\n");
    if (target == "/metrics") return reply(http::status::ok, render_(), "text/plain; version=0.0.4; charset=utf-8");
    reply(http::status::not_found, "not found (/metrics, /healthz)\n");
  }

  void reply(http::status status, std::string body, const char* type = "text/plain; charset=utf-8") {
    res_.result(status);
    res_.version(11);
    res_.set(http::field::content_type, type);
    res_.set(http::field::connection, "close");
    res_.keep_alive(false);
    bool head = parser_.is_header_done() && parser_.get().method() == http::verb::head;
    res_.body() = head ? std::string() : std::move(body);
    res_.prepare_payload();
    stream_.expires_after(kRequestTimeout);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{kMaxHeaderBytes};
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> res_;
  const std::function<std::string()>& render_;
  std::atomic<int>& open_;
};

}  // namespace

struct MetricsEndpoint::Impl {
  // Declared before the io_context: connections still queued in it at destruction use them.
  std::function<std::string()> render;
  std::atomic<int> open{0};
  std::string address;
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) {
        if (open.load() >= kMaxConnections) {
          beast::error_code ignored;
          s.close(ignored);
        } else {
          ++open;
          std::make_shared<Connection>(std::move(s), render, open)->run();
        }
      }
      accept();
    });
  }
};

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsEndpoint::~MetricsEndpoint() {
  net::post(impl_->io, [i = impl_.get()] {
    beast::error_code ignored;
    i->acceptor.close(ignored);
    i->io.stop();
  });
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(const std::string& listen,
                                                                std::function<std::string()> render) {
  std::string error;
  auto where = parse_listen_address(listen, error);
  if (!where) return Error{error, {}};
  auto impl = std::make_unique<Impl>();
  impl->render = std::move(render);
  tcp::endpoint endpoint(net::ip::make_address(to_string(where->address)), where->port);
  beast::error_code ec;
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Error{"--listen " + listen + ": " + ec.message(), {}};
  auto local = impl->acceptor.local_endpoint(ec);
  std::string host = local.address().to_string();
  impl->address = (local.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(local.port());
  impl->accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(impl)));
}

std::string MetricsEndpoint::address() const { return impl_->address; }

}  // namespace ig::logs
