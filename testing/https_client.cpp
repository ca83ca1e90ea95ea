#include "testing/https_client.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <stdexcept>

namespace ig::testing {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;

struct HttpsClient::Impl {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  HttpsClientOptions options;

  // Runs the pending asynchronous operation to completion or the timeout.
  void wait(const char* what, const beast::error_code& ec, const bool& done) {
    ioc.restart();
    ioc.run_for(options.timeout);
    if (!done) {
      beast::get_lowest_layer(*stream).close();
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(200));
      throw std::runtime_error(std::string(what) + ": timed out");
    }
    if (ec) throw std::runtime_error(std::string(what) + ": " + ec.message());
  }
};

HttpsClient::HttpsClient(unsigned short port, const HttpsClientOptions& options) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  m.ctx.set_verify_mode(ssl::verify_peer);
  m.ctx.add_certificate_authority(net::buffer(options.ca_pem));
  if (!options.client_cert_pem.empty()) {
    m.ctx.use_certificate_chain(net::buffer(options.client_cert_pem));
    m.ctx.use_private_key(net::buffer(options.client_key_pem), ssl::context::pem);
  }
  if (options.min_tls) SSL_CTX_set_min_proto_version(m.ctx.native_handle(), options.min_tls);
  if (options.max_tls) {
    SSL_CTX_set_max_proto_version(m.ctx.native_handle(), options.max_tls);
    SSL_CTX_set_security_level(m.ctx.native_handle(), 0);  // Debian refuses TLS < 1.2 at level 2
    SSL_CTX_set_cipher_list(m.ctx.native_handle(), "DEFAULT:@SECLEVEL=0");
  }
  m.stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(m.ioc, m.ctx);
  SSL* ssl = m.stream->native_handle();
  SSL_set_tlsext_host_name(ssl, options.server_name.c_str());
  X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), options.server_name.c_str(), 0);

  beast::error_code ec;
  bool done = false;
  net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
  beast::get_lowest_layer(*m.stream).async_connect(ep, [&](beast::error_code e) { ec = e; done = true; });
  m.wait("connect", ec, done);
  done = false;
  m.stream->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; done = true; });
  m.wait("TLS handshake", ec, done);
}

HttpsClient::~HttpsClient() {
  beast::error_code ignored;
  beast::get_lowest_layer(*impl_->stream).socket().close(ignored);
}

HttpsResponse HttpsClient::request(const std::string& method, const std::string& target, const std::string& body,
                                   const std::string& content_type) {
  Impl& m = *impl_;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, m.options.server_name);
  req.keep_alive(true);
  if (!body.empty() || method == "POST") {
    req.set(http::field::content_type, content_type);
    req.body() = body;
  }
  req.prepare_payload();
  beast::error_code ec;
  bool done = false;
  http::async_write(*m.stream, req, [&](beast::error_code e, size_t) { ec = e; done = true; });
  m.wait("write", ec, done);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  done = false;
  http::async_read(*m.stream, m.buffer, parser, [&](beast::error_code e, size_t) { ec = e; done = true; });
  m.wait("read", ec, done);
  auto& res = parser.get();
  HttpsResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  out.keep_alive = res.keep_alive();
  return out;
}

std::string HttpsClient::send_raw(const std::string& bytes) {
  Impl& m = *impl_;
  beast::error_code ec;
  bool done = false;
  net::async_write(*m.stream, net::buffer(bytes), [&](beast::error_code e, size_t) { ec = e; done = true; });
  m.wait("write", ec, done);
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + m.options.timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    char buf[4096];
    size_t n = 0;
    done = false;
    m.stream->async_read_some(net::buffer(buf), [&](beast::error_code e, size_t k) { ec = e; n = k; done = true; });
    m.ioc.restart();
    m.ioc.run_for(deadline - std::chrono::steady_clock::now());
    if (!done) break;
    out.append(buf, n);
    if (ec) break;  // closed by the server
  }
  return out;
}

std::string HttpsClient::peer_serial() const {
  X509* cert = SSL_get1_peer_certificate(impl_->stream->native_handle());
  if (!cert) return {};
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out = hex;
  OPENSSL_free(hex);
  BN_free(bn);
  X509_free(cert);
  return out;
}

std::string HttpsClient::tls_version() const { return SSL_get_version(impl_->stream->native_handle()); }

}  // namespace ig::testing
