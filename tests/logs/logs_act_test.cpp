// `ingressguard logs` as a sidecar that acts, against a real nginx on 127.0.0.1: it follows nginx's access log,
// serves /metrics, writes the deny list nginx includes and reloads nginx. Clients come from distinct loopback
// addresses (127.0.0.2 the attacker, .3 a normal client, .4 the prober, which is never blocked). And the
// sidecar's manifest (deploy/logs-sidecar), rendered with kubectl and scanned.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "testing/process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const char* kNginx = "/usr/sbin/nginx";

// One HTTP/1.0 request from `from` to 127.0.0.1:port; the response (empty when the connection failed).
std::string request(const std::string& from, uint16_t port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, from.c_str(), &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  std::string out;
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0 &&
      connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0) {
    std::string req = "GET " + path + " HTTP/1.0\r\nHost: shop.test\r\n\r\n";
    if (send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0 && out.size() < 65536;) out.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return out;
}

int status(const std::string& from, uint16_t port, const std::string& path) {
  std::string r = request(from, port, path);
  return r.size() > 12 && r.rfind("HTTP/1.", 0) == 0 ? std::atoi(r.c_str() + 9) : 0;
}

bool served(uint16_t port) { return status("127.0.0.1", port, "/") == 200; }

// Tests the loop a sidecar closes: the attacker is served, probes for secrets, is detected, and after the deny
// list is written and nginx reloaded it is refused (403), while a normal client keeps its 200s and the prober,
// which made the same requests, is never blocked. /metrics counts the alert, the decision, the refusal and the
// reload; /healthz answers.
TEST(LogsAct, DetectsBlocksAndReloadsRealNginx) {
  if (!fs::exists(kNginx)) GTEST_SKIP() << "nginx not installed (scripts/bootstrap.sh installs nginx-light)";
  ig::testing::TempDir tmp("ig-logs-act");
  const std::string& dir = tmp.path();
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                           fs::perms::others_exec);
  const uint16_t port = ig::testing::free_port();
  std::ofstream(dir + "/index.html") << "shop\n";
  std::string conf = "daemon off;\nworker_processes 1;\npid " + dir + "/nginx.pid;\nerror_log " + dir +
                     "/error.log;\nevents { worker_connections 64; }\nhttp {\n  access_log " + dir + "/access.log;\n";
  for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
    conf += std::string("  ") + t + "_temp_path " + dir + "/" + t + ";\n";
  conf += "  server {\n    listen 127.0.0.1:" + std::to_string(port) + ";\n    root " + dir +
          ";\n    include " + dir + "/deny.conf;\n  }\n}\n";
  std::ofstream(dir + "/nginx.conf") << conf;
  std::ofstream(dir + "/access.log").flush();

  // The sidecar first: it writes the (empty) deny list that nginx includes.
  std::string reload = std::string(kNginx) + " -c " + dir + "/nginx.conf -p " + dir + "/ -s reload";
  ig::testing::ChildProcess sidecar({IG_BINARY, "logs", "--follow", dir + "/access.log", "--format", "json",
                                     "--listen", "127.0.0.1:0", "--blocklist", dir + "/deny.conf", "--block-for", "10m",
                                     "--never-block", "127.0.0.4", "--on-change", reload, "--fail-on", "never"},
                                    dir + "/sidecar.out", dir + "/sidecar.err");
  auto listening = ig::testing::wait_for_line(dir + "/sidecar.err", "metrics on http://", 10s);
  ASSERT_TRUE(listening) << ig::testing::read_file(dir + "/sidecar.err");
  uint16_t metrics_port = static_cast<uint16_t>(std::atoi(listening->c_str() + listening->rfind(':') + 1));
  ASSERT_TRUE(fs::exists(dir + "/deny.conf"));

  ig::testing::ChildProcess nginx({kNginx, "-c", dir + "/nginx.conf", "-p", dir + "/"}, dir + "/nginx.out",
                                  dir + "/nginx.err");
  for (int i = 0; i < 100 && !served(port); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(served(port)) << ig::testing::read_file(dir + "/nginx.err") << ig::testing::read_file(dir + "/error.log");

  EXPECT_EQ(status("127.0.0.2", port, "/"), 200);  // the attacker is served at first
  EXPECT_EQ(status("127.0.0.3", port, "/"), 200);
  for (const std::string& from : {"127.0.0.4", "127.0.0.2"})
    for (const char* p : {"/.env", "/.git/config", "/.aws/credentials", "/backup.sql", "/.htpasswd"})
      EXPECT_EQ(status(from, port, p), 404);

  int attacker = 200;
  for (int i = 0; i < 100 && attacker != 403; ++i) {  // bounded: 10 s
    std::this_thread::sleep_for(100ms);
    attacker = status("127.0.0.2", port, "/");
  }
  EXPECT_EQ(attacker, 403) << ig::testing::read_file(dir + "/deny.conf") << ig::testing::read_file(dir + "/sidecar.err");
  EXPECT_EQ(status("127.0.0.3", port, "/"), 200);  // the normal client
  EXPECT_EQ(status("127.0.0.4", port, "/"), 200);  // the prober: its alert was refused
  std::string deny = ig::testing::read_file(dir + "/deny.conf");
  EXPECT_NE(deny.find("deny 127.0.0.2; # until "), std::string::npos) << deny;
  EXPECT_EQ(deny.find("127.0.0.4"), std::string::npos) << deny;
  EXPECT_EQ(deny.find("127.0.0.3"), std::string::npos) << deny;

  std::string metrics = request("127.0.0.1", metrics_port, "/metrics");
  EXPECT_NE(metrics.find("HTTP/1.1 200"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(metrics.find("ingressguard_logs_alerts_total{detector=\"IG802\",name=\"sensitive-files\",severity=\"high\"} 2"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ingressguard_logs_block_decisions_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ingressguard_logs_block_refused_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ingressguard_logs_blocked_addresses 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ingressguard_logs_on_change_runs_total{result=\"ok\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ingressguard_logs_unparsed_lines_total 0\n"), std::string::npos) << metrics;
  EXPECT_NE(request("127.0.0.1", metrics_port, "/healthz").find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(request("127.0.0.1", metrics_port, "/report").find("HTTP/1.1 404"), std::string::npos);

  sidecar.signal(SIGTERM);
  auto code = sidecar.wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
  std::string out = ig::testing::read_file(dir + "/sidecar.out");
  EXPECT_NE(out.find("\"detector\":\"IG802\""), std::string::npos);
  EXPECT_NE(out.find("\"type\":\"summary\""), std::string::npos);
  nginx.signal(SIGQUIT);
  nginx.wait_exit(10s);
}

}  // namespace

namespace {

// Tests the sidecar Component (deploy/logs-sidecar): the example renders with the real kubectl; our own scan of
// it is clean (the one exemption is the example controller's IG310, ingress-nginx being retired); the controller
// writes its access log into the volume the sidecar reads; the sidecar runs restricted with /healthz probes; and
// the arguments it is given start the real binary (on a temporary file, metrics on a free port).
TEST(LogsSidecar, DeployRendersScansCleanAndItsArgumentsRun) {
  if (ig::testing::run_shell("command -v kubectl").code != 0) GTEST_SKIP() << "kubectl missing";
  auto rendered = ig::testing::run_shell("kubectl kustomize " + std::string(IG_SOURCE_DIR) + "/deploy/logs-sidecar/example");
  ASSERT_EQ(rendered.code, 0);
  const std::string& y = rendered.out;
  ig::testing::TempDir tmp("ig-sidecar");
  const std::string& dir = tmp.path();
  std::ofstream(dir + "/rendered.yaml") << y;
  auto scan = ig::testing::run_shell(std::string(IG_BINARY) + " scan --no-policy --format json " + dir + "/rendered.yaml");
  EXPECT_EQ(scan.code, 0) << scan.out;
  auto doc = nlohmann::json::parse(scan.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << scan.out;
  EXPECT_EQ(doc["findings"].size(), 1u) << scan.out;  // the exempted one, listed with its reason
  EXPECT_EQ(doc["summary"]["findings"], 0) << scan.out;
  EXPECT_EQ(doc["summary"]["suppressed"], 1) << scan.out;
  for (const auto& f : doc["findings"]) EXPECT_EQ(f["rule"], "IG310") << f.dump();
  for (const char* expected : {"access-log-path: /var/log/ingress/access.log", "mountPath: /var/log/ingress",
                               "name: ingressguard-logs", "readOnlyRootFilesystem: true", "runAsNonRoot: true",
                               "path: /healthz", "sizeLimit: 256Mi", "containerPort: 9910"})
    EXPECT_NE(y.find(expected), std::string::npos) << expected;
  // Both containers mount the shared volume.
  size_t mounts = 0;
  for (size_t at = 0; (at = y.find("mountPath: /var/log/ingress\n", at)) != std::string::npos; ++at) ++mounts;
  EXPECT_EQ(mounts, 2u);
  // The sidecar's arguments, as rendered, run the real binary.
  size_t at = y.find("- logs\n");
  ASSERT_NE(at, std::string::npos);
  size_t indent = at - y.rfind('\n', at) - 1;
  std::vector<std::string> argv{IG_BINARY};
  for (size_t pos = at - indent; pos < y.size() && y.compare(pos, indent + 2, std::string(indent, ' ') + "- ") == 0;) {
    size_t eol = y.find('\n', pos);
    argv.push_back(y.substr(pos + indent + 2, eol - pos - indent - 2));
    pos = eol + 1;
  }
  ASSERT_GE(argv.size(), 5u);
  EXPECT_EQ(argv[1], "logs");
  for (auto& a : argv) {
    if (a == "/var/log/ingress/access.log") a = dir + "/access.log";
    if (a == "--listen=:9910") a = "--listen=127.0.0.1:0";
  }
  std::ofstream(dir + "/access.log").flush();
  ig::testing::ChildProcess sidecar(argv, dir + "/out", dir + "/err");
  auto listening = ig::testing::wait_for_line(dir + "/err", "metrics on http://127.0.0.1:", 10s);
  EXPECT_TRUE(listening) << ig::testing::read_file(dir + "/err");
  sidecar.signal(SIGTERM);
  auto code = sidecar.wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << ig::testing::read_file(dir + "/err");
}

}  // namespace
