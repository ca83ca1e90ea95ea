// `ingressguard serve` as the API server meets it: the real binary on
// 127.0.0.1 with a certificate made here, a client that verifies it against
// the CA and the Service name, and AdmissionReview v1 JSON over keep-alive
// HTTPS. Every wait is a bounded poll.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "admission/review.h"
#include "testing/certgen.h"
#include "testing/https_client.h"
#include "testing/process.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using ig::testing::ChildProcess;
using ig::testing::HttpsClient;
using ig::testing::HttpsClientOptions;

namespace {

const std::string kServiceName = "ingressguard.ingressguard.svc";

// namespace shop owns shop.example.com (shared with state_test.cpp).
const std::string kState =
    ig::testing::read_file((fs::path(IG_SOURCE_DIR) / "tests" / "admission" / "shop-state.yaml").string());

json ingress(const std::string& ns, const std::string& name, const std::string& host, bool tls = true) {
  json o = {{"apiVersion", "networking.k8s.io/v1"},
            {"kind", "Ingress"},
            {"metadata", {{"name", name}, {"namespace", ns}}},
            {"spec",
             {{"ingressClassName", "nginx"},
              {"rules",
               json::array({{{"host", host},
                             {"http",
                              {{"paths", json::array({{{"path", "/"},
                                                       {"pathType", "Prefix"},
                                                       {"backend", {{"service", {{"name", "web"}, {"port", {{"number", 80}}}}}}}}})}}}}})}}}};
  if (tls) o["spec"]["tls"] = json::array({{{"hosts", {host}}, {"secretName", name + "-tls"}}});
  return o;
}

std::string review(const std::string& uid, const std::string& op, const json& object, bool dry_run = false) {
  json req = {{"uid", uid},
              {"kind", {{"group", "networking.k8s.io"}, {"version", "v1"}, {"kind", "Ingress"}}},
              {"resource", {{"group", "networking.k8s.io"}, {"version", "v1"}, {"resource", "ingresses"}}},
              {"operation", op},
              {"namespace", object["metadata"]["namespace"]},
              {"name", object["metadata"]["name"]},
              {"userInfo", {{"username", "kubernetes-admin"}}},
              {"dryRun", dry_run}};
  if (op == "DELETE") {
    req["object"] = nullptr;
    req["oldObject"] = object;
  } else {
    req["object"] = object;
  }
  return json{{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", req}}.dump();
}

// Checks every rule of the response contract and returns response.
json checked_response(const ig::testing::HttpsResponse& r, const std::string& uid) {
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "", "application/json");
  json doc = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << r.body;
  if (doc.is_discarded()) return {};
  EXPECT_EQ(doc.value("apiVersion", ""), "admission.k8s.io/v1");
  EXPECT_EQ(doc.value("kind", ""), "AdmissionReview");
  json res = doc["response"];
  EXPECT_EQ(res.value("uid", ""), uid);
  EXPECT_TRUE(res["allowed"].is_boolean());
  EXPECT_FALSE(res.contains("patch"));
  EXPECT_FALSE(res.contains("patchType"));
  if (!res.value("allowed", true)) {
    EXPECT_EQ(res["status"].value("code", 0), 403);
    EXPECT_FALSE(res["status"].value("message", "").empty());
  }
  if (res.contains("warnings")) {
    for (const auto& w : res["warnings"]) EXPECT_LE(w.get<std::string>().size(), 120u) << w;
  }
  return res;
}

// One server process with its certificate, state and logs in a directory of its own.
class Webhook {
 public:
  explicit Webhook(std::vector<std::string> extra = {}, const std::string& state = kState,
                   const std::function<std::vector<std::string>(Webhook&)>& before_start = nullptr) {
    static std::atomic<int> n{0};
    dir_ = fs::temp_directory_path() / ("ig-serve-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "state");
    ig::testing::CertSpec ca;
    ca.dns_names = {"ingressguard test CA"};
    ca.ca = true;
    ca_ = ig::testing::make_certificate(ca);
    issue_serving_certificate();
    ig::testing::write_file((dir_ / "state" / "state.yaml").string(), state);
    if (before_start) {
      auto more = before_start(*this);  // files of its own, and the flags naming them
      extra.insert(extra.end(), more.begin(), more.end());
    }
    std::vector<std::string> argv = {IG_BINARY,      "serve",        "--listen",     "127.0.0.1:0",
                                     "--tls-cert",   cert_path(),    "--tls-key",    key_path(),
                                     "--state",      (dir_ / "state").string(), "--read-timeout-ms", "1000",
                                     "--drain-timeout-ms", "3000"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>(argv, log_path(), (dir_ / "stderr.txt").string());
    auto line = ig::testing::wait_for_line(log_path(), "\"listening\"", 10s);
    if (!line) {
      ADD_FAILURE() << "server did not start: " << ig::testing::read_file((dir_ / "stderr.txt").string());
      return;
    }
    std::string address = json::parse(*line)["address"];
    port_ = static_cast<unsigned short>(std::stoi(address.substr(address.rfind(':') + 1)));
  }
  ~Webhook() {
    process_.reset();
    fs::remove_all(dir_);
  }

  // A new serving certificate from the same CA (the files are replaced by rename, as a Secret volume does).
  void issue_serving_certificate() {
    ig::testing::CertSpec spec;
    spec.dns_names = {kServiceName};
    spec.not_after_days = 30;
    spec.issuer = &ca_;
    auto kp = ig::testing::make_certificate(spec);
    ig::testing::write_file(key_path(), kp.key_pem);
    ig::testing::write_file(cert_path(), kp.cert_pem);
  }

  std::unique_ptr<HttpsClient> client(int max_tls = 0, const std::string& name = kServiceName,
                                      const ig::testing::KeyPair* client_cert = nullptr) const {
    HttpsClientOptions o;
    o.ca_pem = ca_.cert_pem;
    o.server_name = name;
    o.max_tls = max_tls;
    if (client_cert) {
      o.client_cert_pem = client_cert->cert_pem;
      o.client_key_pem = client_cert->key_pem;
    }
    return std::make_unique<HttpsClient>(port_, o);
  }
  std::string log() const { return ig::testing::read_file(log_path()); }
  std::string log_path() const { return (dir_ / "log.jsonl").string(); }
  std::string cert_path() const { return (dir_ / "tls.crt").string(); }
  std::string key_path() const { return (dir_ / "tls.key").string(); }
  fs::path dir() const { return dir_; }
  const ig::testing::KeyPair& ca() const { return ca_; }
  unsigned short port() const { return port_; }
  ChildProcess& process() { return *process_; }

 private:
  fs::path dir_;
  ig::testing::KeyPair ca_;
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_ = 0;
};

class Serve : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { hook_ = new Webhook(); }
  static void TearDownTestSuite() {
    delete hook_;
    hook_ = nullptr;
  }
  static Webhook* hook_;
};
Webhook* Serve::hook_ = nullptr;

// A self-signed serving pair for the Service name, written as tls.crt and tls.key into `dir`.
ig::testing::KeyPair write_serving_pair(const fs::path& dir) {
  fs::create_directories(dir);
  ig::testing::CertSpec spec;
  spec.dns_names = {kServiceName};
  auto kp = ig::testing::make_certificate(spec);
  ig::testing::write_file((dir / "tls.crt").string(), kp.cert_pem);
  ig::testing::write_file((dir / "tls.key").string(), kp.key_pem);
  return kp;
}

// A plain TCP connection to 127.0.0.1:port (-1 on failure).
int connect_loopback(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool has_rule(const json& res, const std::string& id) {
  return res.value("status", json::object()).value("message", "").find(id) != std::string::npos;
}

}  // namespace

// Tests CREATE (denied and allowed), UPDATE and DELETE over one verified keep-alive connection, with the whole contract checked.
TEST_F(Serve, ContractOverHttps) {
  auto c = hook_->client();
  EXPECT_EQ(c->tls_version().rfind("TLSv1.", 0), 0u);
  auto r = c->request("POST", "/validate?timeout=10s", review("c-1", "CREATE", ingress("team", "open", "*.example.com", false)));
  json res = checked_response(r, "c-1");
  EXPECT_FALSE(res.value("allowed", true));
  EXPECT_TRUE(has_rule(res, "IG101")) << res.dump();
  EXPECT_TRUE(r.keep_alive);

  res = checked_response(c->request("POST", "/validate", review("c-2", "CREATE", ingress("team", "good", "good.example.com"))), "c-2");
  EXPECT_TRUE(res.value("allowed", false)) << res.dump();
  res = checked_response(c->request("POST", "/validate", review("c-3", "UPDATE", ingress("team", "good", "good.example.com"))), "c-3");
  EXPECT_TRUE(res.value("allowed", false)) << res.dump();
  res = checked_response(c->request("POST", "/validate", review("c-4", "DELETE", ingress("team", "good", "good.example.com"))), "c-4");
  EXPECT_TRUE(res.value("allowed", false));
  EXPECT_FALSE(res.contains("warnings"));
}

// Tests the Kubernetes API test fixture review: answered 200 with its uid.
TEST_F(Serve, KubernetesFixtureReview) {
  fs::path f = fs::path(IG_SOURCE_DIR) / ".." / "shared" / "corpus" / "admission" / "kubernetes-api-testdata" /
               "admission.k8s.io.v1.AdmissionReview.json";
  if (!fs::exists(f)) GTEST_SKIP() << "admission corpus not found";
  json doc = json::parse(ig::testing::read_file(f.string()));
  auto r = hook_->client()->request("POST", "/validate", doc.dump());
  checked_response(r, doc["request"].value("uid", ""));
}

// Tests that the state counts (a host of the state's namespace `shop`), and that neither a dryRun nor, without
// --client-ca, an allowed CREATE from an unauthenticated client adds to it (nobody is known to be the API
// server: a stranger could otherwise claim a host before its owner and get the owner denied).
TEST_F(Serve, StateDryRunAndUnauthenticatedCreatesAddNothing) {
  auto c = hook_->client();
  json res = checked_response(c->request("POST", "/validate", review("s-1", "CREATE", ingress("attacker", "grab", "shop.example.com"))), "s-1");
  EXPECT_FALSE(res.value("allowed", true));
  EXPECT_TRUE(has_rule(res, "IG105")) << res.dump();

  res = checked_response(c->request("POST", "/validate", review("s-2", "CREATE", ingress("a", "x", "dry.example.com"), true)), "s-2");
  EXPECT_TRUE(res.value("allowed", false));
  res = checked_response(c->request("POST", "/validate", review("s-3", "CREATE", ingress("b", "x", "dry.example.com"), true)), "s-3");
  EXPECT_TRUE(res.value("allowed", false)) << "a dryRun request changed the state: " << res.dump();

  res = checked_response(c->request("POST", "/validate", review("s-4", "CREATE", ingress("a", "y", "real.example.com"))), "s-4");
  EXPECT_TRUE(res.value("allowed", false));
  res = checked_response(c->request("POST", "/validate", review("s-5", "CREATE", ingress("b", "y", "real.example.com"), true)), "s-5");
  EXPECT_TRUE(res.value("allowed", false)) << "an unauthenticated CREATE claimed a host: " << res.dump();
  EXPECT_NE(hook_->log().find("\"state_learning\":false"), std::string::npos) << hook_->log();
}

// Tests malformed JSON (400 with line:col), a wrong apiVersion (400), wrong method (405) and unknown path (404).
TEST_F(Serve, BadRequests) {
  auto c = hook_->client();
  auto r = c->request("POST", "/validate", "{\"apiVersion\": \"admission.k8s.io/v1\",\n  \"kind\": }");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("2:"), std::string::npos) << r.body;
  r = c->request("POST", "/validate", R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("admission.k8s.io/v1"), std::string::npos);
  EXPECT_EQ(hook_->client()->request("GET", "/validate").status, 405);
  EXPECT_EQ(hook_->client()->request("GET", "/nope").status, 404);
}

// Tests the CVE-2026-24514 lesson: a body announced over 3 MiB gets 413 before it is read; oversized headers get 431.
TEST_F(Serve, OversizedRequests) {
  std::string reply = hook_->client()->send_raw(
      "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4194304\r\n\r\n{");
  EXPECT_NE(reply.find("HTTP/1.1 413"), std::string::npos) << reply;
  reply = hook_->client()->send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_NE(reply.find("HTTP/1.1 431"), std::string::npos) << reply.substr(0, 200);
  EXPECT_EQ(hook_->client()->request("GET", "/healthz").status, 200);
}

// Tests a slowloris client: headers that never end are cut off at the read timeout (1 s here): the connection is closed.
TEST_F(Serve, SlowHeadersTimeOut) {
  auto start = std::chrono::steady_clock::now();
  std::string reply = hook_->client()->send_raw("POST /validate HTTP/1.1\r\nHost: x\r\n");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(reply, "");
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 4s) << "the connection stayed open past the read timeout";
}

// Tests that plain HTTP on the TLS port is dropped and the server keeps serving.
TEST_F(Serve, PlainHttpIsRefused) {
  int fd = connect_loopback(hook_->port());
  ASSERT_GE(fd, 0);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  char buf[256];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0).find("200"), std::string::npos);
  EXPECT_EQ(hook_->client()->request("GET", "/healthz").status, 200);
}

// Tests that TLS 1.1 is refused, and that a client expecting another Service name rejects the certificate.
TEST_F(Serve, TlsPolicy) {
  EXPECT_THROW(hook_->client(TLS1_1_VERSION), std::runtime_error);
  EXPECT_THROW(hook_->client(0, "other.default.svc"), std::runtime_error);
  EXPECT_NO_THROW(hook_->client(TLS1_2_VERSION));
}

// Tests 8 concurrent API-server connections of 25 requests each: every answer is the right one for its uid.
TEST_F(Serve, ConcurrentClients) {
  std::atomic<int> wrong{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      try {
        auto c = hook_->client();
        for (int i = 0; i < 25; ++i) {
          std::string uid = "k-" + std::to_string(t) + "-" + std::to_string(i);
          bool bad = i % 2 == 0;
          auto r = c->request("POST", "/validate",
                              review(uid, "CREATE", ingress("ns" + std::to_string(t), "i" + std::to_string(i),
                                                            "h" + std::to_string(t) + "-" + std::to_string(i) + ".example.com", !bad), true));
          json doc = json::parse(r.body, nullptr, false);
          if (r.status != 200 || doc.is_discarded() || doc["response"].value("uid", "") != uid ||
              doc["response"].value("allowed", bad) == bad)
            ++wrong;
          ++done;
        }
      } catch (const std::exception&) {
        ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(done.load(), 200);
  EXPECT_EQ(wrong.load(), 0);
}

// Tests /healthz, /readyz and /metrics (requests by kind/operation/decision, findings by rule, latency histogram).
TEST_F(Serve, ProbesAndMetrics) {
  auto c = hook_->client();
  c->request("POST", "/validate", review("m-1", "CREATE", ingress("team", "m", "*.metrics.example.com", false), true));
  EXPECT_EQ(c->request("GET", "/healthz").status, 200);
  EXPECT_EQ(c->request("GET", "/readyz").status, 200);
  auto m = c->request("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("ingressguard_admission_requests_total{kind=\"Ingress\",operation=\"CREATE\",decision=\"denied\"}"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("ingressguard_admission_findings_total{rule=\"IG101\"}"), std::string::npos);
  EXPECT_NE(m.body.find("ingressguard_admission_duration_seconds_bucket{le=\"+Inf\"}"), std::string::npos);
  EXPECT_NE(m.body.find("ingressguard_state_objects "), std::string::npos);
}

// Tests the repeated-key amplification attack over HTTPS: a 300 KiB review whose Ingress repeats
// annotation keys (about 30,000 repeats over 5,000 keys; the fixture's 1 s read deadline keeps a
// sanitizer build from taking the 3 MiB the API server allows, measured in docs/serve.md) is
// answered with a response of a few KiB (20 warnings at most), and the next request as before.
TEST_F(Serve, RepeatedKeyReviewGetsABoundedAnswer) {
  std::string annotations = R"("annotations":{)";
  for (int i = 0; annotations.size() < (300u << 10); ++i)
    annotations += R"("a)" + std::to_string(i % 5000) + R"(":"x",)";
  annotations += R"("z":"y"},)";
  std::string body = review("amp-1", "CREATE", ingress("team", "amp", "amp.example.com"), true);
  size_t meta = body.find(R"("metadata":{)");
  ASSERT_NE(meta, std::string::npos);
  body.insert(meta + 12, annotations);
  ASSERT_LT(body.size(), size_t{3} << 20);
  // A sanitizer build takes a while over a review this size: wait for the answer longer than usual.
  ig::testing::HttpsClientOptions o;
  o.ca_pem = hook_->ca().cert_pem;
  o.server_name = kServiceName;
  o.timeout = std::chrono::seconds(60);
  auto c = std::make_unique<HttpsClient>(hook_->port(), o);
  auto r = c->request("POST", "/validate", body);
  json res = checked_response(r, "amp-1");
  EXPECT_LT(r.body.size(), 16384u) << r.body.size();
  ASSERT_TRUE(res.contains("warnings")) << res.dump();
  EXPECT_LE(res["warnings"].size(), ig::kMaxWarnings);
  EXPECT_NE(res["warnings"].back().get<std::string>().find("more findings"), std::string::npos) << res.dump();
  res = checked_response(c->request("POST", "/validate", review("amp-2", "CREATE", ingress("team", "ok", "ok.example.com"), true)), "amp-2");
  EXPECT_TRUE(res.value("allowed", false)) << res.dump();
}

// Tests that a rotated certificate is served to new connections while open ones keep working, without a failed request.
TEST(ServeLifecycle, CertificateReload) {
  Webhook hook;
  auto old_conn = hook.client();
  std::string first = old_conn->peer_serial();
  hook.issue_serving_certificate();
  std::string now = first;
  for (int i = 0; i < 100 && now == first; ++i) {  // bounded: 10 s
    std::this_thread::sleep_for(100ms);
    now = hook.client()->peer_serial();
  }
  EXPECT_NE(now, first) << "the new certificate was not picked up";
  EXPECT_EQ(old_conn->request("GET", "/healthz").status, 200);
  EXPECT_NE(hook.log().find("certificate reloaded"), std::string::npos);
}

// Tests that SIGHUP reloads the state from its files: a host added there is then claimed.
TEST(ServeLifecycle, SighupReloadsState) {
  Webhook hook;
  auto probe = [&] {
    auto r = hook.client()->request("POST", "/validate", review("h-1", "CREATE", ingress("b", "x", "later.example.com"), true));
    return json::parse(r.body)["response"].value("allowed", false);
  };
  EXPECT_TRUE(probe());
  ig::testing::write_file((hook.dir() / "state" / "more.yaml").string(), ingress("a", "later", "later.example.com").dump());
  hook.process().signal(SIGHUP);
  bool allowed = true;
  for (int i = 0; i < 100 && allowed; ++i) {  // bounded: 10 s
    std::this_thread::sleep_for(100ms);
    allowed = probe();
  }
  EXPECT_FALSE(allowed);
  EXPECT_NE(hook.log().find("state reloaded"), std::string::npos);
}

// Tests SIGTERM: the server stops accepting, closes idle keep-alive connections and exits 0 well before the drain timeout.
TEST(ServeLifecycle, SigtermDrains) {
  Webhook hook;
  auto idle = hook.client();
  EXPECT_EQ(idle->request("GET", "/healthz").status, 200);
  hook.process().signal(SIGTERM);
  auto code = hook.process().wait_exit(5s);
  ASSERT_TRUE(code.has_value()) << "still running 5 s after SIGTERM";
  EXPECT_EQ(*code, 0);
  std::string log = hook.log();
  EXPECT_NE(log.find("\"draining\""), std::string::npos);
  EXPECT_NE(log.find("\"stopped\""), std::string::npos);
  EXPECT_EQ(log.find("drain timeout"), std::string::npos);
}

// Tests audit mode: nothing is denied or warned, and each decision is a JSON log line with its rules.
TEST(ServeLifecycle, AuditModeLogsDecisions) {
  Webhook hook({"--mode", "audit"});
  auto r = hook.client()->request("POST", "/validate", review("a-1", "CREATE", ingress("team", "open", "*.example.com", false)));
  json res = checked_response(r, "a-1");
  EXPECT_TRUE(res.value("allowed", false));
  EXPECT_FALSE(res.contains("warnings"));
  auto line = ig::testing::wait_for_line(hook.log_path(), "\"a-1\"", 5s);
  ASSERT_TRUE(line.has_value());
  json entry = json::parse(*line);
  EXPECT_EQ(entry.value("event", ""), "decision");
  EXPECT_EQ(entry.value("mode", ""), "audit");
  EXPECT_TRUE(entry.value("allowed", false));
  EXPECT_NE(entry["rules"].dump().find("IG101"), std::string::npos);
}

// Tests that a state file with a syntax error stops the start with its file:line:col and exit 2.
TEST(ServeLifecycle, BrokenStateRefusesToStart) {
  fs::path dir = fs::temp_directory_path() / ("ig-serve-bad-" + std::to_string(::getpid()));
  write_serving_pair(dir);
  ig::testing::write_file((dir / "bad.yaml").string(), "kind: Ingress\nmetadata: {name: [\n");
  ChildProcess p({IG_BINARY, "serve", "--listen", "127.0.0.1:0", "--tls-cert", (dir / "tls.crt").string(), "--tls-key",
                  (dir / "tls.key").string(), "--state", (dir / "bad.yaml").string()},
                 (dir / "out.txt").string(), (dir / "err.txt").string());
  auto code = p.wait_exit(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  std::string err = ig::testing::read_file((dir / "err.txt").string());
  EXPECT_NE(err.find("bad.yaml:"), std::string::npos) << err;
  fs::remove_all(dir);
}

// Tests --client-ca: /validate answers only a client with a certificate from that CA; the probes stay open for the kubelet.
TEST(ServeLifecycle, ClientCertificateRequired) {
  ig::testing::KeyPair client_ca, api_server, stranger;
  {
    ig::testing::CertSpec spec;
    spec.dns_names = {"api server client CA"};
    spec.ca = true;
    client_ca = ig::testing::make_certificate(spec);
    spec.ca = false;
    spec.dns_names = {"kube-apiserver"};
    spec.issuer = &client_ca;
    api_server = ig::testing::make_certificate(spec);
    spec.dns_names = {"some pod"};
    spec.issuer = nullptr;
    stranger = ig::testing::make_certificate(spec);
  }
  Webhook hook({}, kState, [&](Webhook& h) {
    std::string ca_file = (h.dir() / "client-ca.pem").string();
    ig::testing::write_file(ca_file, client_ca.cert_pem);
    return std::vector<std::string>{"--client-ca", ca_file};
  });
  unsigned short port = hook.port();
  auto connect = [&](const ig::testing::KeyPair* cert) {
    HttpsClientOptions o;
    o.ca_pem = hook.ca().cert_pem;
    o.server_name = kServiceName;
    if (cert) {
      o.client_cert_pem = cert->cert_pem;
      o.client_key_pem = cert->key_pem;
    }
    return std::make_unique<HttpsClient>(port, o);
  };
  std::string body = review("t-1", "CREATE", ingress("team", "x", "x.example.com"));
  EXPECT_EQ(connect(nullptr)->request("POST", "/validate", body).status, 403);
  EXPECT_EQ(connect(nullptr)->request("GET", "/healthz").status, 200);
  // A certificate from another CA fails the handshake (with TLS 1.3 the client learns it on its first read).
  bool refused = false;
  try {
    refused = connect(&stranger)->request("POST", "/validate", body).status != 200;
  } catch (const std::runtime_error&) {
    refused = true;
  }
  EXPECT_TRUE(refused);
  auto r = connect(&api_server)->request("POST", "/validate", body);
  EXPECT_TRUE(checked_response(r, "t-1").value("allowed", false));
  // The API server's allowed CREATE is added to the state: the host is then claimed.
  auto claim = connect(&api_server)->request("POST", "/validate", review("t-2", "CREATE", ingress("other", "x", "x.example.com"), true));
  json res = checked_response(claim, "t-2");
  EXPECT_FALSE(res.value("allowed", true)) << res.dump();
  EXPECT_TRUE(has_rule(res, "IG105")) << res.dump();
  EXPECT_NE(hook.log().find("\"state_learning\":true"), std::string::npos) << hook.log();
}

// Tests the connection cap: with --max-connections 4, four open TLS connections are served, a fifth is closed
// before its handshake (and counted), and once one closes a new one is served again.
TEST(ServeLifecycle, ConnectionsBeyondTheCapAreRefused) {
  Webhook hook({"--max-connections", "4"});
  std::vector<std::unique_ptr<HttpsClient>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(hook.client());
    EXPECT_EQ(open.back()->request("GET", "/healthz").status, 200);
  }
  bool refused = false;
  try {
    refused = hook.client()->request("GET", "/healthz").status != 200;
  } catch (const std::runtime_error&) {
    refused = true;
  }
  EXPECT_TRUE(refused) << "a fifth connection was served";
  auto metrics = open.front()->request("GET", "/metrics").body;
  EXPECT_NE(metrics.find("ingressguard_refused_connections_total 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ingressguard_open_connections 4"), std::string::npos) << metrics;
  open.pop_back();
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {  // bounded: the close reaches the server asynchronously
    try {
      status = hook.client()->request("GET", "/healthz").status;
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_EQ(status, 200);
  EXPECT_NE(hook.log().find("\"max_connections\":4"), std::string::npos);
}

// Tests that accepted connections send without Nagle's delay (TCP_NODELAY): otherwise the first answer on a
// new TLS 1.3 connection often waits for the client's delayed ACK (about 40 ms). Seen with strace.
TEST(ServeLifecycle, AcceptedConnectionsSetNoDelay) {
  if (ig::testing::run_shell("strace -f -o /dev/null true 2>/dev/null").code != 0)
    GTEST_SKIP() << "strace cannot trace here";
  fs::path dir = fs::temp_directory_path() / ("ig-serve-nodelay-" + std::to_string(::getpid()));
  auto kp = write_serving_pair(dir);
  std::string trace = (dir / "strace.txt").string();
  ChildProcess p({"/usr/bin/strace", "-f", "-e", "trace=setsockopt", "-o", trace, IG_BINARY, "serve", "--listen",
                  "127.0.0.1:0", "--tls-cert", (dir / "tls.crt").string(), "--tls-key", (dir / "tls.key").string()},
                 (dir / "log.jsonl").string(), (dir / "err.txt").string());
  auto line = ig::testing::wait_for_line((dir / "log.jsonl").string(), "\"listening\"", 20s);
  ASSERT_TRUE(line.has_value()) << ig::testing::read_file((dir / "err.txt").string());
  std::string address = json::parse(*line)["address"];
  auto port = static_cast<unsigned short>(std::stoi(address.substr(address.rfind(':') + 1)));
  HttpsClientOptions o;
  o.ca_pem = kp.cert_pem;
  o.server_name = kServiceName;
  EXPECT_EQ(HttpsClient(port, o).request("GET", "/healthz").status, 200);
  // strace detaches on SIGTERM and would leave the server running: stop the server, strace follows.
  auto child = ig::testing::run_shell("pgrep -P " + std::to_string(p.pid()));
  if (child.code == 0) ::kill(std::stoi(child.out), SIGTERM);
  else p.signal(SIGKILL);
  EXPECT_TRUE(p.wait_exit(10s).has_value());
  EXPECT_NE(ig::testing::read_file(trace).find("TCP_NODELAY, [1]"), std::string::npos) << ig::testing::read_file(trace);
  fs::remove_all(dir);
}

namespace {
// CPU time (user + system, clock ticks) the process has used so far.
long cpu_ticks(pid_t pid) {
  std::string stat = ig::testing::read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream in(stat.substr(close_paren + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; in >> field; ++i) {  // fields 14 and 15 (1-based) are utime and stime
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return utime + stime;
}
}  // namespace

// Tests connection exhaustion: with its file descriptors used up by idle connections the server backs off
// instead of spinning on accept errors, and serves again once they close.
TEST(ServeLifecycle, FileDescriptorExhaustion) {
#ifdef IG_SANITIZED
  // UBSan's type checks read /proc/self/maps: with no descriptor left they report
  // a false "invalid vptr" and abort. The regular build runs this test.
  GTEST_SKIP() << "needs a build without sanitizers";
#endif
  fs::path dir = fs::temp_directory_path() / ("ig-serve-fd-" + std::to_string(::getpid()));
  auto kp = write_serving_pair(dir);
  ChildProcess p({"/bin/sh", "-c", "ulimit -n 40 && exec \"$0\" \"$@\"", IG_BINARY, "serve", "--listen", "127.0.0.1:0",
                  "--tls-cert", (dir / "tls.crt").string(), "--tls-key", (dir / "tls.key").string(), "--read-timeout-ms",
                  "4000"},
                 (dir / "log.jsonl").string(), (dir / "err.txt").string());
  auto line = ig::testing::wait_for_line((dir / "log.jsonl").string(), "\"listening\"", 10s);
  ASSERT_TRUE(line.has_value()) << ig::testing::read_file((dir / "err.txt").string());
  std::string address = json::parse(*line)["address"];
  auto port = static_cast<unsigned short>(std::stoi(address.substr(address.rfind(':') + 1)));
  std::vector<int> fds;
  for (int i = 0; i < 60; ++i) {  // more than the server's 40 descriptors
    int fd = connect_loopback(port);
    if (fd >= 0) fds.push_back(fd);
  }
  std::this_thread::sleep_for(300ms);
  long before = cpu_ticks(p.pid());
  std::this_thread::sleep_for(1s);
  long used = cpu_ticks(p.pid()) - before;
  EXPECT_LT(used, 30) << "the server spun on accept errors (" << used << " ticks in 1 s)";
  for (int fd : fds) ::close(fd);
  HttpsClientOptions o;
  o.ca_pem = kp.cert_pem;
  o.server_name = kServiceName;
  o.timeout = 1000ms;
  int status = 0;
  std::string last_error;
  for (int i = 0; i < 50 && status != 200; ++i) {  // bounded: 50 tries of at most 1 s
    try {
      status = HttpsClient(port, o).request("GET", "/healthz").status;
    } catch (const std::exception& e) {
      last_error = e.what();
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_EQ(status, 200) << last_error << "\n" << ig::testing::read_file((dir / "err.txt").string()).substr(0, 2000);
  p.signal(SIGTERM);
  EXPECT_TRUE(p.wait_exit(10s).has_value());
  fs::remove_all(dir);
}
