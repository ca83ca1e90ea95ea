// `ingressguard probe` against real nginx servers on 127.0.0.1 (ports chosen
// at run time) with certificates made in the test: a weak server, a hardened
// one, ingress-nginx's fake certificate, a client-certificate server; and the
// request budget.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <map>
#include <string>

#include "core/text.h"
#include "probe/connection.h"
#include "core/severity.h"
#include "testing/certgen.h"
#include "testing/process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const char* kNginx = "/usr/sbin/nginx";

using ig::testing::free_port;

bool accepts(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// One nginx with the given server blocks ({{TLS}} and {{HTTP}} stand for its two ports).
class Nginx {
 public:
  explicit Nginx(const std::string& servers) : tls_port_(free_port()), http_port_(free_port()) {
    char tmpl[] = "/tmp/ig-probe-XXXXXX";
    dir_ = mkdtemp(tmpl);
    // nginx started as root serves files as its worker user: the pages must be readable by others.
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
    std::string conf = "daemon off;\nworker_processes 1;\npid " + dir_ + "/nginx.pid;\nerror_log " + dir_ +
                       "/error.log;\nevents { worker_connections 64; }\nhttp {\n  access_log " + dir_ +
                       "/access.log;\n";
    for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
      conf += std::string("  ") + t + "_temp_path " + dir_ + "/" + t + ";\n";
    std::string body = servers;
    replace(body, "{{TLS}}", std::to_string(tls_port_));
    replace(body, "{{HTTP}}", std::to_string(http_port_));
    replace(body, "{{DIR}}", dir_);
    conf += body + "}\n";
    std::ofstream(dir_ + "/nginx.conf") << conf;
  }
  void start() {
    proc_ = std::make_unique<ig::testing::ChildProcess>(
        std::vector<std::string>{kNginx, "-c", dir_ + "/nginx.conf", "-p", dir_ + "/"}, dir_ + "/stdout", dir_ + "/stderr");
    for (int i = 0; i < 100 && !accepts(tls_port_); ++i) std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(accepts(tls_port_)) << ig::testing::read_file(dir_ + "/stderr") << ig::testing::read_file(dir_ + "/error.log");
  }
  ~Nginx() {
    proc_.reset();
    fs::remove_all(dir_);
  }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/" + name) << text; }
  // NAME.crt and NAME.key.
  void write_pair(const std::string& name, const ig::testing::KeyPair& pair) {
    write(name + ".crt", pair.cert_pem);
    write(name + ".key", pair.key_pem);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  uint16_t tls_port() const { return tls_port_; }
  uint16_t http_port() const { return http_port_; }

 private:
  static void replace(std::string& s, const std::string& from, const std::string& to) {
    for (size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, from.size(), to);
  }
  std::string dir_;
  uint16_t tls_port_, http_port_;
  std::unique_ptr<ig::testing::ChildProcess> proc_;
};

// A certificate spec: names, then the fields that differ from the defaults.
ig::testing::CertSpec spec(std::vector<std::string> names, const std::function<void(ig::testing::CertSpec&)>& set = {}) {
  ig::testing::CertSpec s;
  s.dns_names = std::move(names);
  if (set) set(s);
  return s;
}

struct Probe {
  int code;
  nlohmann::json doc;
  std::map<std::string, nlohmann::json> checks;  // by ID
};

Probe probe(const Nginx& n, const std::string& extra) {
  std::string host = "shop.example.test";
  std::string cmd = std::string(IG_BINARY) + " probe https://" + host + ":" + std::to_string(n.tls_port()) + "/ --resolve " +
                    host + ":" + std::to_string(n.tls_port()) + ":127.0.0.1 --http-port " + std::to_string(n.http_port()) +
                    " --rate 1000 --timeout-ms 2000 --format json " + extra + " 2>&1";
  auto r = ig::testing::run_shell(cmd);
  Probe p{r.code, nlohmann::json::parse(r.out, nullptr, false), {}};
  if (p.doc.is_discarded()) {
    ADD_FAILURE() << r.out;
    return p;
  }
  for (const auto& c : p.doc["targets"][0]["checks"]) p.checks[c["id"]] = c;
  return p;
}

std::string status(const Probe& p, const std::string& id) {
  auto it = p.checks.find(id);
  return it == p.checks.end() ? "missing" : it->second["status"].get<std::string>();
}

class ProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kNginx)) GTEST_SKIP() << "nginx not installed (scripts/bootstrap.sh installs nginx-light)";
  }
};

}  // namespace

// Tests a weak server: TLS 1.0/1.1, CBC suites, a self-signed 1024-bit RSA certificate, no HSTS, no redirect, /.env served.
TEST_F(ProbeTest, WeakServerFailsTheChecks) {
  Nginx n(R"(
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    server_name shop.example.test;
    ssl_certificate {{DIR}}/weak.crt;
    ssl_certificate_key {{DIR}}/weak.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers ALL:@SECLEVEL=0;
    location / {
      add_header Access-Control-Allow-Origin $http_origin always;
      add_header Access-Control-Allow-Credentials true always;
      return 200 "shop\n";
    }
    location = /.env { return 200 "DB_PASSWORD=x\n"; }
    location = /admin { return 200 "admin console\n"; }
  }
  server {
    listen 127.0.0.1:{{HTTP}};
    location / { return 200 "plain\n"; }
  }
)");
  auto weak = ig::testing::make_certificate(spec({"shop.example.test"}, [](auto& s) { s.key = "rsa:1024"; }));
  n.write_pair("weak", weak);
  n.start();
  Probe p = probe(n, "");
  EXPECT_EQ(p.code, 1);
  EXPECT_EQ(status(p, "IG901"), "fail");  // TLS 1.0
  EXPECT_EQ(status(p, "IG902"), "fail");  // TLS 1.1
  EXPECT_EQ(status(p, "IG905"), "fail");  // suites outside Mozilla intermediate
  EXPECT_NE(p.checks["IG905"]["evidence"].get<std::string>().find("AES128-SHA"), std::string::npos);
  EXPECT_EQ(status(p, "IG907"), "warn");  // the legacy versions' suites listed
  // testssl.sh's cipher categories with its ratings: ALL:@SECLEVEL=0 lets anonymous suites in (critical, as
  // testssl rates them) and obsolete CBC (low).
  std::map<std::string, nlohmann::json> categories;
  for (const auto& c : p.doc["targets"][0]["checks"])
    if (c["id"] == "IG909") categories[c["title"].get<std::string>()] = c;
  ASSERT_TRUE(categories.count("anonymous (no authentication) suites accepted")) << p.doc.dump(1).substr(0, 4000);
  const auto& anon = categories["anonymous (no authentication) suites accepted"];
  EXPECT_EQ(anon["status"], "fail");
  EXPECT_EQ(anon["severity"], "critical");
  EXPECT_NE(anon["evidence"].get<std::string>().find("AECDH-AES256-SHA (TLS 1.2, TLS 1.0, TLS 1.1)"), std::string::npos)
      << anon["evidence"];
  EXPECT_EQ(categories["obsolete CBC suites accepted"]["severity"], "low");
  EXPECT_NE(categories["obsolete CBC suites accepted"]["evidence"].get<std::string>().find("AES128-SHA ("), std::string::npos);
  EXPECT_EQ(status(p, "IG910"), "fail");  // self-signed: not trusted
  EXPECT_EQ(status(p, "IG913"), "fail");  // RSA 1024
  EXPECT_EQ(status(p, "IG920"), "fail");  // no HSTS
  EXPECT_EQ(status(p, "IG924"), "warn");  // nginx/1.x in Server
  EXPECT_EQ(status(p, "IG925"), "fail");  // plain HTTP without redirect
  EXPECT_EQ(status(p, "IG927"), "fail");
  EXPECT_EQ(p.checks["IG927"]["evidence"], "/.env, /admin");
  EXPECT_EQ(status(p, "IG928"), "fail");  // any Origin reflected with credentials  // the catch-all 200 for other paths is the baseline
}

// Tests the text report on a terminal (a pseudo-terminal from util-linux's `script`): statuses coloured (a failed
// check in its severity's colour, pass green), plain when piped or with --no-color; and a header value the server
// chose (here a right-to-left override in Referrer-Policy: a control byte would make the answer malformed) escaped,
// never written raw to the terminal.
TEST_F(ProbeTest, TextReportColoursOnATerminalAndEscapesServerText) {
  Nginx n(R"(
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    server_name shop.example.test;
    ssl_certificate {{DIR}}/shop.crt;
    ssl_certificate_key {{DIR}}/shop.key;
    location / {
      add_header Referrer-Policy "no-referrer)" "\xe2\x80\xae" R"(reversed" always;
      return 200 "shop\n";
    }
  }
  server {
    listen 127.0.0.1:{{HTTP}};
    location / { return 200 "plain\n"; }
  }
)");
  n.write_pair("shop", ig::testing::make_certificate(spec({"shop.example.test"})));
  n.start();
  std::string host = "shop.example.test";
  std::string cmd = std::string(IG_BINARY) + " probe https://" + host + ":" + std::to_string(n.tls_port()) + "/ --resolve " +
                    host + ":" + std::to_string(n.tls_port()) + ":127.0.0.1 --http-port " + std::to_string(n.http_port()) +
                    " --rate 1000 --timeout-ms 2000 --fail-on never";
  auto tty = ig::testing::run_shell("script -qec '" + cmd + "' /dev/null");
  EXPECT_EQ(tty.code, 0) << tty.out;
  EXPECT_NE(tty.out.find("IG923"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find(std::string(ig::terminal_color(ig::Severity::High)) + "fail"), std::string::npos) << tty.out;  // IG910
  EXPECT_NE(tty.out.find("\x1b[32mpass"), std::string::npos) << tty.out;
  EXPECT_EQ(tty.out.find("\xe2\x80\xae"), std::string::npos) << "server text reached the terminal raw";
  EXPECT_NE(tty.out.find("no-referrer\\u202ereversed"), std::string::npos) << tty.out;
  auto plain = ig::testing::run_shell(cmd);
  EXPECT_EQ(plain.out.find('\x1b'), std::string::npos) << plain.out;
  auto no_color = ig::testing::run_shell("script -qec '" + cmd + " --no-color' /dev/null");
  EXPECT_EQ(no_color.out.find('\x1b'), std::string::npos) << no_color.out;
}

// Tests a hardened server: Mozilla intermediate, a certificate from the test's CA, HSTS two years, headers,
// a 301 to HTTPS, unknown hosts refused by a default server.
TEST_F(ProbeTest, HardenedServerPasses) {
  Nginx n(R"(
  server_tokens off;
  ssl_protocols TLSv1.2 TLSv1.3;  # nginx 1.22 takes the protocols of the listening socket's default server
  ssl_ecdh_curve X25519:prime256v1:secp384r1;  # and its groups
  server {
    listen 127.0.0.1:{{TLS}} ssl default_server;
    ssl_certificate {{DIR}}/other.crt;
    ssl_certificate_key {{DIR}}/other.key;
    return 404;
  }
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    server_name shop.example.test;
    ssl_certificate {{DIR}}/leaf.crt;
    ssl_certificate_key {{DIR}}/leaf.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    add_header Strict-Transport-Security "max-age=63072000" always;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options DENY always;
    add_header Referrer-Policy no-referrer always;
    location / { return 200 "shop\n"; }
  }
  server {
    listen 127.0.0.1:{{HTTP}};
    location / { return 301 https://$host$request_uri; }
  }
)");
  auto ca = ig::testing::make_certificate(spec({"Probe Test CA"}, [](auto& s) { s.san = false; s.ca = true; }));
  auto leaf = ig::testing::make_certificate(spec({"shop.example.test"}, [&](auto& s) { s.not_after_days = 90; s.issuer = &ca; }));
  auto other = ig::testing::make_certificate(spec({"default.invalid"}, [&](auto& s) { s.not_after_days = 90; s.issuer = &ca; }));
  n.write("ca.crt", ca.cert_pem);
  n.write_pair("leaf", leaf);
  n.write_pair("other", other);
  n.start();
  Probe p = probe(n, "--ca " + n.path("ca.crt"));
  EXPECT_EQ(p.code, 0) << p.doc.dump(2);
  for (const char* id : {"IG901", "IG902", "IG903", "IG904", "IG905", "IG906", "IG908", "IG909", "IG910", "IG911", "IG912", "IG913", "IG914", "IG915",
                         "IG917", "IG920", "IG921", "IG922", "IG923", "IG924", "IG925", "IG926", "IG927", "IG928"})
    EXPECT_EQ(status(p, id), "pass") << id << ": " << p.checks[id].dump();
  EXPECT_EQ(p.doc["summary"]["fail"], 0);
  // The same server judged by Mozilla modern: TLS 1.2 is one version too many.
  Probe m = probe(n, "--ca " + n.path("ca.crt") + " --profile modern");
  EXPECT_EQ(status(m, "IG903"), "fail") << m.checks["IG903"].dump();
  EXPECT_EQ(status(m, "IG913"), "pass");  // an EC key
  EXPECT_EQ(m.code, 1);
}

// Tests Mozilla modern: TLS 1.3 only with an ECDSA certificate passes; an RSA certificate of a year is warned about.
TEST_F(ProbeTest, ModernProfile) {
  Nginx n(R"(
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    ssl_certificate {{DIR}}/leaf.crt;
    ssl_certificate_key {{DIR}}/leaf.key;
    ssl_protocols TLSv1.3;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    location / { return 200 "ok\n"; }
  }
)");
  auto ca = ig::testing::make_certificate(spec({"Probe Test CA"}, [](auto& s) { s.san = false; s.ca = true; }));
  n.write("ca.crt", ca.cert_pem);
  n.write_pair("leaf", ig::testing::make_certificate(spec({"shop.example.test"}, [&](auto& s) {
                 s.not_after_days = 89;  // from yesterday
                 s.issuer = &ca;
               })));
  n.start();
  Probe p = probe(n, "--ca " + n.path("ca.crt") + " --profile modern");
  for (const char* id : {"IG901", "IG902", "IG903", "IG904", "IG906", "IG908", "IG911", "IG913"})
    EXPECT_EQ(status(p, id), "pass") << id << ": " << p.checks[id].dump();
  EXPECT_EQ(p.checks["IG903"]["title"], "TLS 1.2 refused");
  EXPECT_EQ(status(p, "IG905"), "missing");  // no TLS 1.2 suites to judge
}

// Tests an RSA certificate valid for a year under Mozilla modern: a warning on the key type and on the lifetime.
TEST_F(ProbeTest, ModernProfileWantsShortEcdsaCertificates) {
  Nginx n(R"(
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    ssl_certificate {{DIR}}/leaf.crt;
    ssl_certificate_key {{DIR}}/leaf.key;
    ssl_protocols TLSv1.3;
    location / { return 200 "ok\n"; }
  }
)");
  n.write_pair("leaf", ig::testing::make_certificate(spec({"shop.example.test"}, [](auto& s) {
                 s.key = "rsa:2048";
                 s.not_after_days = 365;
               })));
  n.start();
  Probe p = probe(n, "--profile modern");
  EXPECT_EQ(status(p, "IG913"), "warn") << p.checks["IG913"].dump();
  EXPECT_EQ(status(p, "IG911"), "warn") << p.checks["IG911"].dump();
  EXPECT_EQ(p.checks["IG911"]["title"], "certificate lifetime above 90 days (Mozilla modern)");
  // nginx's default groups (OpenSSL's) include X448 and P-521, outside Mozilla's list.
  EXPECT_EQ(status(p, "IG908"), "warn");
  EXPECT_NE(p.checks["IG908"]["evidence"].get<std::string>().find("X448"), std::string::npos) << p.checks["IG908"].dump();
}

// Tests that ingress-nginx's fallback certificate is recognised.
TEST_F(ProbeTest, FakeCertificate) {
  Nginx n(R"(
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    ssl_certificate {{DIR}}/fake.crt;
    ssl_certificate_key {{DIR}}/fake.key;
    location / { return 404; }
  }
)");
  auto fake = ig::testing::make_certificate(
      spec({"ingress.local"}, [](auto& s) { s.common_name = "Kubernetes Ingress Controller Fake Certificate"; }));
  n.write_pair("fake", fake);
  n.start();
  Probe p = probe(n, "");
  EXPECT_EQ(status(p, "IG915"), "fail");
  EXPECT_EQ(status(p, "IG912"), "fail");  // the host is not in it either
  EXPECT_EQ(p.code, 1);
}

// Tests that a server requiring client certificates is seen asking for one.
TEST_F(ProbeTest, ClientCertificateRequested) {
  Nginx n(R"(
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    ssl_certificate {{DIR}}/leaf.crt;
    ssl_certificate_key {{DIR}}/leaf.key;
    ssl_client_certificate {{DIR}}/ca.crt;
    ssl_verify_client on;
    location / { return 200 "ok\n"; }
  }
)");
  auto ca = ig::testing::make_certificate(spec({"Client CA"}, [](auto& s) { s.san = false; s.ca = true; }));
  auto leaf = ig::testing::make_certificate(spec({"shop.example.test"}, [&](auto& s) { s.not_after_days = 90; s.issuer = &ca; }));
  n.write("ca.crt", ca.cert_pem);
  n.write_pair("leaf", leaf);
  n.start();
  Probe p = probe(n, "--ca " + n.path("ca.crt"));
  EXPECT_EQ(p.checks["IG916"]["title"], "server asks for a client certificate");
}

// Tests that the request budget bounds the run: with --max-requests 4 no more than four connections are made.
TEST_F(ProbeTest, RequestBudgetIsAHardCap) {
  Nginx n(R"(
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    ssl_certificate {{DIR}}/leaf.crt;
    ssl_certificate_key {{DIR}}/leaf.key;
    location / { return 200 "ok\n"; }
  }
)");
  auto leaf = ig::testing::make_certificate(spec({"shop.example.test"}));
  n.write_pair("leaf", leaf);
  n.start();
  Probe p = probe(n, "--max-requests 4");
  EXPECT_LE(p.doc["summary"]["connections"].get<int>(), 4);
  std::string access = ig::testing::read_file(n.path("access.log"));
  EXPECT_LE(std::count(access.begin(), access.end(), '\n'), 4);
  // Checks whose requests were never made are skipped, never passed.
  EXPECT_EQ(status(p, "IG927"), "skip") << p.checks["IG927"].dump();
}

// Tests that sensitive paths the server never answers (nginx's 444 closes the connection) are an error, not a
// pass: without an answer nothing is known about them.
TEST_F(ProbeTest, SensitivePathsWithoutAnAnswerAreNotPassed) {
  Nginx n(R"(
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    ssl_certificate {{DIR}}/leaf.crt;
    ssl_certificate_key {{DIR}}/leaf.key;
    location / { return 404; }
    location ~ ^/(\.env|\.git|server-status|admin) { return 444; }
  }
)");
  n.write_pair("leaf", ig::testing::make_certificate(spec({"shop.example.test"})));
  n.start();
  Probe p = probe(n, "");
  EXPECT_EQ(status(p, "IG927"), "error") << p.checks["IG927"].dump();
  EXPECT_NE(p.checks["IG927"]["evidence"].get<std::string>().find("/.env"), std::string::npos);
}

// Tests declared versus enforced with --from: Ingresses promise allowlists, auth and rate limits; nginx keeps
// some of the promises and breaks others (one trusts X-Forwarded-For from anywhere).
TEST_F(ProbeTest, DeclaredDefensesAgainstLiveAnswers) {
  Nginx n(R"(
  limit_req_zone $binary_remote_addr zone=perip:1m rate=5r/s;
  ssl_certificate {{DIR}}/leaf.crt;
  ssl_certificate_key {{DIR}}/leaf.key;
  server { listen 127.0.0.1:{{TLS}} ssl default_server; return 404; }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name allow.shop.test;
           location / { allow 10.0.0.0/8; deny all; root {{DIR}}/www; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name trusting.shop.test;
           set_real_ip_from 0.0.0.0/0; real_ip_header X-Forwarded-For;
           location / { allow 10.0.0.0/8; deny all; root {{DIR}}/www; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name open.shop.test; location / { return 200 "open\n"; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name limited.shop.test;
           location / { limit_req zone=perip burst=2 nodelay; limit_req_status 429; root {{DIR}}/www; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name unlimited.shop.test; location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name basic.shop.test;
           location / { auth_basic "shop"; auth_basic_user_file {{DIR}}/htpasswd; root {{DIR}}/www; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name noauth.shop.test; location / { return 200 "secret\n"; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name authreq.shop.test;
           location / { auth_request /_auth; root {{DIR}}/www; }
           location = /_auth { internal; return 401; } }
  limit_conn_zone $binary_remote_addr zone=perconn:1m;
  server { listen 127.0.0.1:{{TLS}} ssl; server_name conns.shop.test;
           location / { limit_conn perconn 1; limit_conn_status 503; root {{DIR}}/www; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name freeconns.shop.test; location / { root {{DIR}}/www; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name mtls.shop.test;
           ssl_client_certificate {{DIR}}/ca.crt; ssl_verify_client on; location / { root {{DIR}}/www; } }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name nomtls.shop.test; location / { root {{DIR}}/www; } }
)");
  auto ca = ig::testing::make_certificate(spec({"Probe Test CA"}, [](auto& s) { s.san = false; s.ca = true; }));
  std::vector<std::string> hosts = {"allow.shop.test", "trusting.shop.test", "open.shop.test", "limited.shop.test",
                                    "unlimited.shop.test", "basic.shop.test", "noauth.shop.test", "authreq.shop.test",
                                    "conns.shop.test", "freeconns.shop.test", "mtls.shop.test", "nomtls.shop.test"};
  auto leaf = ig::testing::make_certificate(spec(hosts, [&](auto& s) { s.not_after_days = 90; s.issuer = &ca; }));
  n.write("ca.crt", ca.cert_pem);
  n.write_pair("leaf", leaf);
  n.write("htpasswd", "shop:$apr1$8kBz3Q0p$8u0b5i9ksWgS8N3yBqJ8N/\n");
  // Access rules run in nginx's access phase: a `return` would answer before them, so the pages are files.
  fs::create_directories(n.path("www"));
  n.write("www/index.html", "shop\n");
  // A large answer keeps a request in flight while the prober does not read it (limit_conn counts those).
  n.write("www/big.bin", std::string(4 << 20, 'x'));
  std::string manifests;
  auto ingress = [&](const std::string& name, const std::string& annotations, const std::string& path = "/") {
    manifests += "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name +
                 "\n  namespace: shop\n  annotations:\n" + annotations + "spec:\n  ingressClassName: nginx\n  tls:\n" +
                 "  - hosts: [" + name + ".shop.test]\n    secretName: shop-tls\n  rules:\n  - host: " + name +
                 ".shop.test\n    http:\n      paths:\n      - path: " + path + "\n        pathType: Prefix\n        backend:\n" +
                 "          service: {name: web, port: {number: 80}}\n";
  };
  ingress("allow", "    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/8\n");
  ingress("trusting", "    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/8\n");
  ingress("open", "    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/8\n");
  ingress("limited", "    nginx.ingress.kubernetes.io/limit-rps: \"5\"\n");
  ingress("unlimited", "    nginx.ingress.kubernetes.io/limit-rps: \"5\"\n");
  ingress("basic", "    nginx.ingress.kubernetes.io/auth-type: basic\n    nginx.ingress.kubernetes.io/auth-secret: shop-users\n");
  ingress("noauth", "    nginx.ingress.kubernetes.io/auth-type: basic\n    nginx.ingress.kubernetes.io/auth-secret: shop-users\n");
  ingress("authreq", "    nginx.ingress.kubernetes.io/auth-url: https://auth.shop.svc/check\n");
  ingress("conns", "    nginx.ingress.kubernetes.io/limit-connections: \"1\"\n", "/big.bin");
  ingress("freeconns", "    nginx.ingress.kubernetes.io/limit-connections: \"1\"\n", "/big.bin");
  ingress("mtls", "    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n"
                  "    nginx.ingress.kubernetes.io/auth-tls-secret: shop/client-ca\n");
  ingress("nomtls", "    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n"
                    "    nginx.ingress.kubernetes.io/auth-tls-secret: shop/client-ca\n");
  n.write("ingresses.yaml", manifests);
  n.start();
  std::string cmd = std::string(IG_BINARY) + " probe --from " + n.path("ingresses.yaml") + " --https-port " +
                    std::to_string(n.tls_port()) + " --resolve '*:" + std::to_string(n.tls_port()) + ":127.0.0.1' --http-port " +
                    std::to_string(n.http_port()) + " --ca " + n.path("ca.crt") +
                    " --rate 1000 --max-requests 3000 --timeout-ms 2000 --format json 2>&1";
  auto r = ig::testing::run_shell(cmd);
  auto doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  std::map<std::string, std::map<std::string, std::string>> st;  // host -> check -> status
  for (const auto& t : doc["targets"]) {
    std::string url = t["url"];
    std::string host = url.substr(8, url.find(':', 8) - 8);
    for (const auto& c : t["checks"]) st[host][c["id"]] = c["status"];
  }
  ASSERT_EQ(st.size(), hosts.size()) << r.out;
  // TLS versions and suites are measured once for the listener all seven hosts share.
  int measured = 0;
  for (const auto& t : doc["targets"])
    for (const auto& c : t["checks"])
      if (c["id"] == "IG901" && !c.contains("measured_on")) ++measured;
  EXPECT_EQ(measured, 1);
  EXPECT_EQ(st["allow.shop.test"]["IG940"], "pass");
  EXPECT_EQ(st["allow.shop.test"]["IG941"], "pass");
  EXPECT_EQ(st["trusting.shop.test"]["IG940"], "pass");
  EXPECT_EQ(st["trusting.shop.test"]["IG941"], "fail");  // X-Forwarded-For: 10.0.0.1 gets in
  EXPECT_EQ(st["open.shop.test"]["IG940"], "fail");
  EXPECT_EQ(st["limited.shop.test"]["IG943"], "pass");
  EXPECT_EQ(st["limited.shop.test"]["IG944"], "pass");
  EXPECT_EQ(st["unlimited.shop.test"]["IG943"], "fail");
  EXPECT_EQ(st["basic.shop.test"]["IG942"], "pass");
  EXPECT_EQ(st["noauth.shop.test"]["IG942"], "fail");
  EXPECT_EQ(st["authreq.shop.test"]["IG942"], "pass");  // auth_request answering 401
  EXPECT_EQ(st["conns.shop.test"]["IG945"], "pass");
  EXPECT_EQ(st["freeconns.shop.test"]["IG945"], "warn");
  EXPECT_EQ(st["mtls.shop.test"]["IG946"], "pass");
  EXPECT_EQ(st["nomtls.shop.test"]["IG946"], "fail");
  EXPECT_EQ(r.code, 1);
  // The run stayed within its budget, counted on the server's side too.
  std::string access = ig::testing::read_file(n.path("access.log"));
  EXPECT_LE(std::count(access.begin(), access.end(), '\n'), doc["summary"]["connections"].get<long>());
}

// Tests two hosts on one listener with their own certificates and suites: nginx picks the suites of the
// server the SNI names, so each host's suites are measured and judged on their own.
TEST_F(ProbeTest, HostsWithTheirOwnCertificateAreMeasuredApart) {
  Nginx n(R"(
  ssl_protocols TLSv1.2;
  server { listen 127.0.0.1:{{TLS}} ssl default_server; server_name strict.shop.test;
           ssl_certificate {{DIR}}/strict.crt; ssl_certificate_key {{DIR}}/strict.key;
           ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384; return 200; }
  server { listen 127.0.0.1:{{TLS}} ssl; server_name loose.shop.test;
           ssl_certificate {{DIR}}/loose.crt; ssl_certificate_key {{DIR}}/loose.key;
           ssl_ciphers ALL; return 200; }
)");
  n.write_pair("strict", ig::testing::make_certificate(spec({"strict.shop.test"})));
  n.write_pair("loose", ig::testing::make_certificate(spec({"loose.shop.test"})));
  n.start();
  std::string port = std::to_string(n.tls_port());
  auto r = ig::testing::run_shell(std::string(IG_BINARY) + " probe https://strict.shop.test:" + port + "/ https://loose.shop.test:" +
                                  port + "/ --resolve '*:" + port + ":127.0.0.1' --rate 1000 --format json 2>&1");
  auto doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  ASSERT_EQ(doc["targets"].size(), 2u);
  auto check = [&](int target, const std::string& id) {
    for (const auto& c : doc["targets"][target]["checks"])
      if (c["id"] == id) return c;
    return nlohmann::json();
  };
  EXPECT_EQ(check(0, "IG905")["status"], "pass") << check(0, "IG905").dump();
  EXPECT_EQ(check(1, "IG905")["status"], "fail") << check(1, "IG905").dump();
  EXPECT_FALSE(check(1, "IG905").contains("measured_on"));
}

// Tests the attack of a hostile server answering with a 24 KB Strict-Transport-Security and a 4 KB Server header (it
// crashed a regex-based reader by stack overflow): the probe finishes, reads the max-age, and echoes the values cut.
TEST_F(ProbeTest, HugeHeadersFromAHostileServerAreReadLinearly) {
  std::string chunk(4000, 'a');
  Nginx n(R"(
  server {
    listen 127.0.0.1:{{TLS}} ssl;
    server_name shop.example.test;
    ssl_certificate {{DIR}}/leaf.crt;
    ssl_certificate_key {{DIR}}/leaf.key;
    set $a ")" + chunk + R"(";
    set $b "$a$a$a$a$a$a";
    location / {
      add_header Strict-Transport-Security "max-age=63072000; x=$b" always;
      add_header Server "1.2.3$a" always;
      return 200 "ok\n";
    }
  }
)");
  auto leaf = ig::testing::make_certificate(spec({"shop.example.test"}));
  n.write_pair("leaf", leaf);
  n.start();
  Probe p = probe(n, "");
  ASSERT_FALSE(p.doc.is_discarded());
  EXPECT_EQ(status(p, "IG920"), "pass");  // max-age two years, read before the 28 KB tail
  EXPECT_EQ(status(p, "IG924"), "warn");
  EXPECT_LT(p.checks["IG920"]["evidence"].get<std::string>().size(), 4200u);
  EXPECT_NE(p.checks["IG920"]["evidence"].get<std::string>().find(" bytes)"), std::string::npos);
}

// Tests the linear header readers on the shapes servers send, on huge values, and on control bytes.
TEST(ProbeHeaders, HstsMaxAgeAndVersionAreReadWithoutRegex) {
  using ig::probe::discloses_version;
  using ig::probe::hsts_max_age;
  EXPECT_EQ(hsts_max_age("max-age=63072000; includeSubDomains"), 63072000);
  EXPECT_EQ(hsts_max_age("includeSubDomains; MAX-AGE = \"31536000\""), 31536000);
  EXPECT_EQ(hsts_max_age("preload"), std::nullopt);
  EXPECT_EQ(hsts_max_age("max-age=abc"), std::nullopt);
  EXPECT_EQ(hsts_max_age("max-age=" + std::string(5000, '9')), 1000000000000LL);  // saturates
  EXPECT_EQ(hsts_max_age(std::string(1 << 20, ';') + "max-age=5"), 5);
  EXPECT_TRUE(discloses_version("nginx/1.25.3"));
  EXPECT_FALSE(discloses_version("nginx"));
  EXPECT_FALSE(discloses_version(std::string(1 << 20, '.')));
  EXPECT_EQ(ig::safe_text("a\x1b[2Kb\n"), "a\\x1b[2Kb\\x0a");
  EXPECT_EQ(ig::safe_text(std::string(300, 'x'), 10), "xxxxxxxxxx... (300 bytes)");
}

// Tests the argument errors: no address for a name, a plain-HTTP URL, nothing to probe.
TEST(ProbeCli, ArgumentErrors) {
  auto r = ig::testing::run_shell(std::string(IG_BINARY) + " probe https://shop.example.test/ 2>&1");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("--resolve shop.example.test:443:ADDRESS"), std::string::npos) << r.out;
  r = ig::testing::run_shell(std::string(IG_BINARY) + " probe http://shop.example.test/ 2>&1");
  EXPECT_EQ(r.code, 2);
  r = ig::testing::run_shell(std::string(IG_BINARY) + " probe 2>&1");
  EXPECT_EQ(r.code, 2);
  // Unreachable: a closed loopback port is an error (exit 2), not a pass.
  r = ig::testing::run_shell(std::string(IG_BINARY) + " probe https://127.0.0.1:" + std::to_string(free_port()) +
                             "/ --timeout-ms 500 --format json 2>&1");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("\"IG930\""), std::string::npos) << r.out;
  // --output to a path that cannot be written: exit 2 before anything is probed.
  auto unwritable = ig::testing::run_shell(std::string(IG_BINARY) + " probe https://127.0.0.1:1/ --output /nonexistent-dir/r.txt 2>&1");
  EXPECT_EQ(unwritable.code, 2);
  EXPECT_NE(unwritable.out.find("cannot write /nonexistent-dir/r.txt"), std::string::npos) << unwritable.out;
}
