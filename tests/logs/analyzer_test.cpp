#include "logs/analyzer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logs/format.h"
#include "logs/pipeline.h"

namespace ig::logs {
namespace {

// Runs combined-format lines through the real pipeline and collects the alerts.
struct LogRun {
  std::vector<Alert> alerts;
  Analyzer analyzer;
  LogPipeline pipeline;
  explicit LogRun(AnalyzerConfig cfg = AnalyzerConfig::defaults(), std::string format = "combined")
      : analyzer(std::move(cfg), [this](const Alert& a) { alerts.push_back(a); }), pipeline(analyzer, format) {
    pipeline.begin_input(0);
  }
  void lines(const std::vector<std::string>& ls) {
    for (const auto& l : ls) pipeline.feed(l + "\n");
  }
  void done() {
    pipeline.end_input();
    analyzer.finish();
  }
  std::vector<const Alert*> of(Detector d) const {
    std::vector<const Alert*> v;
    for (const auto& a : alerts)
      if (a.detector == d) v.push_back(&a);
    return v;
  }
};

// Seconds after 2026-03-01T10:00:00Z in time_local form.
std::string at(int seconds) {
  int h = 10 + seconds / 3600, m = (seconds / 60) % 60, s = seconds % 60;
  char b[64];
  snprintf(b, sizeof b, "01/Mar/2026:%02d:%02d:%02d +0000", h, m, s);
  return b;
}

std::string line(const std::string& client, int seconds, const std::string& request, int status,
                 const std::string& agent = "Mozilla/5.0", const std::string& referer = "-") {
  return client + " - - [" + at(seconds) + "] \"" + request + "\" " + std::to_string(status) + " 100 \"" + referer +
         "\" \"" + agent + "\"";
}

// Tests that 11 distinct 404s within ten seconds fire IG801 once, with the window and evidence line numbers.
TEST(LogDetectors, ProbingFiresOnTheEleventhDistinctPath) {
  LogRun r;
  std::vector<std::string> ls;
  for (int i = 0; i < 11; ++i) ls.push_back(line("203.0.113.9", i / 2, "GET /p" + std::to_string(i) + " HTTP/1.1", 404));
  r.lines(ls);
  r.done();
  auto a = r.of(Detector::Probing);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->client, "203.0.113.9");
  EXPECT_EQ(a[0]->count, 11u);
  EXPECT_EQ(a[0]->start_ms, 1772359200000);
  EXPECT_EQ(a[0]->end_ms, 1772359205000);
  ASSERT_EQ(a[0]->evidence.size(), 3u);
  EXPECT_EQ(a[0]->evidence.back().line, 11u);
  EXPECT_NE(a[0]->evidence.back().text.find("GET /p10 "), std::string::npos);
}

// Tests that a busy client with hundreds of 404s spread over hours is never flagged (rate, not total).
TEST(LogDetectors, SlowSteady404sAreNotProbing) {
  LogRun r;
  std::vector<std::string> ls;
  for (int i = 0; i < 700; ++i) ls.push_back(line("198.51.100.77", i * 15, "GET /missing/" + std::to_string(i) + " HTTP/1.1", 404));
  r.lines(ls);
  r.done();
  EXPECT_TRUE(r.of(Detector::Probing).empty());
  EXPECT_EQ(r.analyzer.summary().requests, 700u);
}

// Tests that repeating one URL does not fill the distinct-path bucket, and static files do not count.
TEST(LogDetectors, ProbingCountsDistinctNonStaticPaths) {
  LogRun r;
  std::vector<std::string> ls;
  for (int i = 0; i < 50; ++i) ls.push_back(line("192.0.2.1", 0, "GET /same HTTP/1.1", 404));
  for (int i = 0; i < 50; ++i) ls.push_back(line("192.0.2.2", 0, "GET /img/" + std::to_string(i) + ".png HTTP/1.1", 404));
  r.lines(ls);
  r.done();
  EXPECT_TRUE(r.of(Detector::Probing).empty());
}

// Tests that after an alert the key is muted, and fires again once the mute has passed.
TEST(LogDetectors, MuteAfterAlert) {
  LogRun r;
  std::vector<std::string> ls;
  for (int burst : {0, 60, 400}) {
    for (int i = 0; i < 11; ++i)
      ls.push_back(line("203.0.113.9", burst, "GET /b" + std::to_string(burst) + "/" + std::to_string(i) + " HTTP/1.1", 404));
  }
  r.lines(ls);
  r.done();
  auto a = r.of(Detector::Probing);
  ASSERT_EQ(a.size(), 2u);  // the burst at 60 s falls inside the 5-minute mute of the first alert
  EXPECT_EQ(a[1]->start_ms, 1772359200000 + 400'000);
}

// Tests that secrets probing is critical when one of them was served (2xx).
TEST(LogDetectors, SensitiveFilesServedIsCritical) {
  LogRun r;
  r.lines({line("203.0.113.2", 0, "GET /.env HTTP/1.1", 404), line("203.0.113.2", 0, "GET /.git/config HTTP/1.1", 200),
           line("203.0.113.2", 1, "GET /db.sql.gz HTTP/1.1", 404), line("203.0.113.2", 1, "GET /.htpasswd HTTP/1.1", 403),
           line("203.0.113.2", 2, "GET /.aws/credentials HTTP/1.1", 404),
           line("203.0.113.3", 0, "GET /.well-known/acme-challenge/x HTTP/1.1", 404)});
  r.done();
  auto a = r.of(Detector::SensitiveFiles);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->severity, Severity::Critical);
  EXPECT_NE(a[0]->detail.find("1 answered 2xx"), std::string::npos);
}

// Tests single-request detectors: a CVE signature in the path, Log4Shell in the User-Agent and the Referer, and an open-proxy probe.
TEST(LogDetectors, SingleRequestSignatures) {
  LogRun r;
  r.lines({line("192.0.2.10", 0, "GET /vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php HTTP/1.1", 404),
           line("192.0.2.11", 0, "GET / HTTP/1.1", 200, "${jndi:ldap://x/a}"),
           line("192.0.2.12", 0, "GET / HTTP/1.1", 200, "Mozilla/5.0", "${jndi:${lower:l}dap://x}"),
           line("192.0.2.13", 0, "CONNECT example.org:443 HTTP/1.1", 400),
           // A product endpoint answered 200 is that product in use, not a probe.
           line("192.0.2.14", 0, "GET /_ignition/execute-solution HTTP/1.1", 200)});
  r.done();
  auto cve = r.of(Detector::CveProbe);
  ASSERT_EQ(cve.size(), 3u);
  EXPECT_EQ(cve[0]->detail, "CVE-2017-9841");
  EXPECT_EQ(cve[1]->detail, "CVE-2021-44228");
  EXPECT_EQ(cve[2]->client, "192.0.2.12");
  ASSERT_EQ(r.of(Detector::OpenProxy).size(), 1u);
}

// Tests brute force from the access log (401s) and from nginx's error log (basic-auth failures) in the same stream.
TEST(LogDetectors, BruteForceFromAccessAndErrorLog) {
  LogRun r;
  std::vector<std::string> ls;
  for (int i = 0; i < 6; ++i) ls.push_back(line("192.0.2.20", i, "POST /api/login HTTP/1.1", 401));
  for (int i = 0; i < 6; ++i)
    ls.push_back("2026/03/01 10:00:0" + std::to_string(i) +
                 " [error] 31#31: *7 user \"admin\": password mismatch, client: 192.0.2.21, server: shop, request: \"GET /admin HTTP/1.1\", host: \"shop\"");
  r.lines(ls);
  r.done();
  auto a = r.of(Detector::BruteForce);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0]->client, "192.0.2.20");
  EXPECT_EQ(a[1]->client, "192.0.2.21");
  EXPECT_EQ(r.analyzer.summary().error_log_events, 6u);
}

// Tests that a basic-auth attempt logged twice (error-log line, then the 401) counts once: three attempts are
// six lines and no alert; six attempts fire.
TEST(LogDetectors, BasicAuthAttemptsCountOnce) {
  auto attempts = [](int n) {
    std::vector<std::string> ls;
    for (int i = 0; i < n; ++i) {
      ls.push_back("2026/03/01 10:00:0" + std::to_string(i) +
                   " [error] 31#31: *7 user \"admin\": password mismatch, client: 192.0.2.30, server: shop, request: \"GET /admin HTTP/1.1\", host: \"shop\"");
      ls.push_back(line("192.0.2.30", i, "GET /admin HTTP/1.1", 401));
    }
    return ls;
  };
  LogRun three;
  three.lines(attempts(3));
  three.done();
  EXPECT_TRUE(three.of(Detector::BruteForce).empty());
  LogRun six;
  six.lines(attempts(6));
  six.done();
  auto a = six.of(Detector::BruteForce);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->count, 6u);
}

// Tests the failure ratio: a busy client (a NAT) with 1,200 API calls over ten minutes, whose bursts of seven
// 401s on ordinary calls (expired tokens) are a small share of its traffic, is not a brute force and is counted as
// held back; the same address POSTing wrong passwords to the login endpoint is; an address of its own guessing
// tokens on the same API path is (all its requests fail); several user names sent with basic auth are.
TEST(LogDetectors, BruteForceJudgedAgainstTheClientsOwnTraffic) {
  LogRun r;
  std::vector<std::string> ls;
  const std::string nat = "198.51.100.10";
  for (int s = 0; s < 600; ++s) {
    ls.push_back(line(nat, s, "GET /api/v1/orders/" + std::to_string(s) + " HTTP/1.1", 200, "okhttp/4.12.0"));
    ls.push_back(line(nat, s, "POST /api/v1/cart HTTP/1.1", 200, "okhttp/4.12.0"));
    if (s % 120 == 60)
      for (int i = 0; i < 7; ++i) ls.push_back(line(nat, s, "GET /api/v1/orders HTTP/1.1", 401, "okhttp/4.12.0"));
  }
  for (int i = 0; i < 6; ++i) ls.push_back(line("203.0.113.40", 700 + i, "GET /api/v1/orders HTTP/1.1", 401));
  for (int i = 0; i < 6; ++i) ls.push_back(line(nat, 800 + i, "POST /api/login HTTP/1.1", 401));
  const char* users[] = {"admin", "root", "guest", "test", "backup", "deploy"};
  for (int i = 0; i < 6; ++i)
    ls.push_back("203.0.113.41 - " + std::string(users[i]) + " [" + at(900 + i) +
                 "] \"GET /admin/ HTTP/1.1\" 401 100 \"-\" \"curl/8.5.0\"");
  r.lines(ls);
  r.done();
  auto a = r.of(Detector::BruteForce);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0]->client, "203.0.113.40");
  EXPECT_NE(a[0]->detail.find("0 of 6 on credential endpoints"), std::string::npos) << a[0]->detail;
  EXPECT_NE(a[0]->detail.find("6 failures in 6 requests"), std::string::npos) << a[0]->detail;
  EXPECT_EQ(a[1]->client, nat);
  EXPECT_NE(a[1]->detail.find("6 of 6 on credential endpoints"), std::string::npos) << a[1]->detail;
  EXPECT_EQ(a[2]->client, "203.0.113.41");
  EXPECT_NE(a[2]->detail.find("6 distinct user names"), std::string::npos) << a[2]->detail;
  EXPECT_EQ(r.analyzer.summary().held_back, 10u);  // each burst's sixth and seventh 401 (the bucket is held full)
  // With the ratio off (the configuration key), the bursts are alerts again.
  auto off = parse_analyzer_config("detectors:\n  auth-brute-force:\n    min-failure-ratio: 0\n", "t.yaml");
  ASSERT_TRUE(off) << off.error().message;
  LogRun r0(*off);
  r0.lines(ls);
  r0.done();
  EXPECT_GT(r0.of(Detector::BruteForce).size(), 3u);
  EXPECT_FALSE(parse_analyzer_config("detectors:\n  http-probing:\n    min-failure-ratio: 0.5\n", "t.yaml"));
  EXPECT_FALSE(parse_analyzer_config("detectors:\n  auth-brute-force:\n    min-failure-ratio: 2\n", "t.yaml"));
}

// Tests a 401 that no upstream answered (ingress-nginx logs "-" for the upstream fields when its own
// authentication, basic auth or an auth-url service, refused the request) as a credential failure: from a busy
// client, a burst of such 401s is a brute force, while the same burst answered 401 by the backend is held back.
TEST(LogDetectors, ProxyAnswered401IsACredentialFailure) {
  auto nginx = [](const std::string& client, int s, int status, const std::string& upstream) {
    return client + " - - [" + at(s) + "] \"GET /api/v1/orders HTTP/1.1\" " + std::to_string(status) +
           " 1 \"-\" \"okhttp/4.12.0\" 10 0.001 [shop-api-80] [] " + (upstream == "-" ? "-" : "10.0.0.1:80") +
           " 1 0.001 " + upstream + " abc";
  };
  for (const std::string denied_by : {"-", "401"}) {
    LogRun r(AnalyzerConfig::defaults(), "ingress-nginx");
    std::vector<std::string> ls;
    for (int s = 0; s < 300; ++s)
      for (int i = 0; i < 3; ++i) ls.push_back(nginx("198.51.100.20", s, 200, "200"));
    for (int i = 0; i < 7; ++i) ls.push_back(nginx("198.51.100.20", 300, 401, denied_by));
    r.lines(ls);
    r.done();
    auto a = r.of(Detector::BruteForce);
    if (denied_by == "-") {
      ASSERT_EQ(a.size(), 1u);
      EXPECT_NE(a[0]->detail.find("6 of 6 on credential endpoints"), std::string::npos) << a[0]->detail;
    } else {
      EXPECT_TRUE(a.empty());
      EXPECT_EQ(r.analyzer.summary().held_back, 2u);
    }
  }
}

// Tests the malformed-request detector on TLS bytes sent to the HTTP port.
TEST(LogDetectors, TlsOnPlainPort) {
  LogRun r;
  std::vector<std::string> ls;
  for (int i = 0; i < 12; ++i)
    ls.push_back("203.0.113.50 - - [" + at(i / 2) + R"(] "\x16\x03\x01\x02\x00\x01" 400 150 "-" "-")");
  r.lines(ls);
  r.done();
  auto a = r.of(Detector::Malformed);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->detail, "TLS handshake sent to the plain-HTTP port");
}

// Tests the per-service spike and 5xx detectors against a learned baseline, with small thresholds.
TEST(LogDetectors, ServiceSpikeAnd5xx) {
  AnalyzerConfig cfg = AnalyzerConfig::defaults();
  cfg.service_spike.min_count = 50;
  cfg.upstream_errors.min_count = 10;
  cfg.global_spike.enabled = false;
  LogRun r(cfg, "ingress-nginx");
  auto nginx = [](const std::string& client, int s, int status) {
    return client + " - - [" + at(s) + "] \"GET /x HTTP/1.1\" " + std::to_string(status) +
           " 1 \"-\" \"ua\" 10 0.001 [shop-web-80] [] 10.0.0.1:80 1 0.001 " + std::to_string(status) + " abc";
  };
  std::vector<std::string> ls;
  for (int minute = 0; minute < 10; ++minute)
    for (int i = 0; i < 10; ++i) ls.push_back(nginx("10.0.0." + std::to_string(i), minute * 60 + i, 200));
  for (int i = 0; i < 120; ++i) ls.push_back(nginx("10.0.1." + std::to_string(i % 200), 600 + i / 4, i % 2 ? 503 : 200));
  r.lines(ls);
  r.done();
  auto spike = r.of(Detector::ServiceSpike);
  ASSERT_EQ(spike.size(), 1u);
  EXPECT_EQ(spike[0]->service, "shop-web-80");
  auto errors = r.of(Detector::UpstreamErrors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]->service, "shop-web-80");
  // Steady traffic with a quiet gap does not alert.
  LogRun steady(cfg, "ingress-nginx");
  std::vector<std::string> s2;
  for (int minute = 0; minute < 30; ++minute)
    if (minute < 10 || minute > 20)
      for (int i = 0; i < 10; ++i) s2.push_back(nginx("10.0.0." + std::to_string(i), minute * 60 + i, 200));
  steady.lines(s2);
  steady.done();
  EXPECT_TRUE(steady.alerts.empty());
}

// Tests that per-key state stays at its cap with 200,000 distinct probing clients (memory bounded).
TEST(LogDetectors, StateIsCappedWithManyClients) {
  AnalyzerConfig cfg = AnalyzerConfig::defaults();
  cfg.max_keys = 1000;
  cfg.max_clients_summary = 500;
  LogRun r(cfg);
  std::string batch;
  for (int i = 0; i < 200'000; ++i) {
    std::string client = "10." + std::to_string(i / 65536) + "." + std::to_string((i / 256) % 256) + "." + std::to_string(i % 256);
    batch += line(client, i / 1000, "GET /.env HTTP/1.1", 404) + "\n";
    if (batch.size() > (1 << 20)) {
      r.pipeline.feed(batch);
      batch.clear();
    }
  }
  r.pipeline.feed(batch);
  r.done();
  EXPECT_LE(r.analyzer.tracked_keys(Detector::Probing), 1000u);
  EXPECT_LE(r.analyzer.tracked_keys(Detector::SensitiveFiles), 1000u);
  EXPECT_TRUE(r.analyzer.summary().clients_approximate);
  EXPECT_LE(r.analyzer.summary().distinct_clients, 1000u);
  EXPECT_EQ(r.analyzer.summary().requests, 200'000u);
}

// Tests that unparsed lines are counted with samples and never stop the analysis.
TEST(LogDetectors, UnparsedLinesAreCounted) {
  LogRun r;
  r.lines({"\x01\x02 binary junk", line("192.0.2.1", 0, "GET / HTTP/1.1", 200), "another odd line"});
  r.done();
  const Summary& s = r.analyzer.summary();
  EXPECT_EQ(s.unparsed, 2u);
  EXPECT_EQ(s.requests, 1u);
  ASSERT_EQ(s.unparsed_samples.size(), 2u);
  EXPECT_EQ(s.unparsed_samples[0].line, 1u);
  EXPECT_EQ(s.unparsed_samples[0].text, "\\x01\\x02 binary junk");
}

// Tests that evidence redacts secret-looking query values and escapes control bytes.
TEST(LogDetectors, EvidenceRedactsSecrets) {
  EXPECT_EQ(evidence_text(R"("GET /cb?code=1&access_token=eyJhbGciOi&x=1 HTTP/1.1")", 300),
            R"("GET /cb?code=1&access_token=REDACTED&x=1 HTTP/1.1")");
  EXPECT_EQ(evidence_text("/login?Password=hunter2", 300), "/login?Password=REDACTED");
  EXPECT_EQ(evidence_text("abc\x1b[31m", 300), "abc\\x1B[31m");
  EXPECT_EQ(evidence_text(std::string(500, 'a'), 10), std::string(10, 'a') + "...");
}

// Tests the config file: thresholds change behaviour, mistakes are reported with line:col.
TEST(LogConfig, ThresholdsAndErrors) {
  auto cfg = parse_analyzer_config("detectors:\n  IG801:\n    capacity: 2\n    leak: 1m\n  traffic-spike:\n    enabled: false\n"
                                   "limits:\n  max-keys: 50\n",
                                   "t.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  EXPECT_EQ(cfg->buckets[static_cast<size_t>(Detector::Probing)].capacity, 2u);
  EXPECT_EQ(cfg->buckets[static_cast<size_t>(Detector::Probing)].leak_ms, 60'000);
  EXPECT_FALSE(cfg->global_spike.enabled);
  EXPECT_EQ(cfg->max_keys, 50u);
  LogRun r(*cfg);
  r.lines({line("192.0.2.1", 0, "GET /a HTTP/1.1", 404), line("192.0.2.1", 30, "GET /b HTTP/1.1", 404),
           line("192.0.2.1", 59, "GET /c HTTP/1.1", 404)});
  r.done();
  EXPECT_EQ(r.of(Detector::Probing).size(), 1u);

  auto bad = parse_analyzer_config("detectors:\n  IG801:\n    leak: soon\n", "t.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.substr(0, 11), "t.yaml:3:11");
  auto unknown = parse_analyzer_config("detectors:\n  IG999: {}\n", "t.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("t.yaml:2:3: unknown detector 'IG999'"), std::string::npos);
  EXPECT_FALSE(parse_analyzer_config("limits:\n  max-keys: 0\n", "t.yaml").ok());
  EXPECT_FALSE(parse_analyzer_config("[1, 2", "t.yaml").ok());
}

// Tests that detector IDs and names are unique and every detector is documented.
TEST(LogConfig, CatalogueIsComplete) {
  const auto& c = detector_catalog();
  for (size_t i = 0; i < c.size(); ++i) {
    EXPECT_FALSE(c[i].description.empty()) << c[i].id;
    for (size_t j = i + 1; j < c.size(); ++j) {
      EXPECT_NE(c[i].id, c[j].id);
      EXPECT_NE(c[i].name, c[j].name);
    }
  }
}

}  // namespace
}  // namespace ig::logs

namespace ig::logs {
namespace {

// Tests that two threads (decode + match on one, detectors on the other) give exactly the alerts and
// summary of one thread, for JSON lines (fields unescaped in the decoder's buffer), joined CRI chunks and junk.
TEST(LogPipelineThreads, TwoThreadsMatchOne) {
  std::string input;
  for (int i = 0; i < 30; ++i)
    input += R"({"ClientHost":"203.0.113.)" + std::to_string(i % 3) + R"(","DownstreamStatus":404,"RequestMethod":"GET","RequestPath":"/a\u002f)" +
             std::to_string(i) + R"(","StartUTC":"2026-01-14T09:45:3)" + std::to_string(i % 10) +
             R"(Z","request_User-Agent":"Nikto","ServiceName":"web@k8s"})" + "\n";
  input += "2026-03-01T10:15:02.1Z stdout P {\"ClientHost\":\"198.51.100.1\",\"DownstreamStatus\":200,\n";
  input += "2026-03-01T10:15:02.2Z stdout F \"RequestPath\":\"/.env\",\"RequestMethod\":\"GET\"}\n";
  input += "\x01\x02 junk\n";
  auto run = [&](int threads) {
    std::vector<std::string> alerts;
    Analyzer analyzer(AnalyzerConfig::defaults(), [&](const Alert& a) {
      std::string s = std::string(info(a.detector).id) + " " + a.client + " " + std::to_string(a.count);
      for (const auto& e : a.evidence) s += " " + std::to_string(e.line) + ":" + e.text;
      alerts.push_back(s);
    });
    {
      LogPipeline p(analyzer, "json", 64 * 1024, threads);
      p.begin_input(0);
      for (size_t i = 0; i < input.size(); i += 97) p.feed(std::string_view(input).substr(i, 97));
      p.end_input();
      p.drain();
    }
    analyzer.finish();
    const Summary& s = analyzer.summary();
    alerts.push_back("summary " + std::to_string(s.lines) + " " + std::to_string(s.requests) + " " +
                     std::to_string(s.unparsed) + " " + std::to_string(s.statuses[404]));
    return alerts;
  };
  auto one = run(1), two = run(2);
  EXPECT_EQ(one, two);
  EXPECT_GE(one.size(), 4u);  // IG801 and IG804 per client... and the summary
  EXPECT_EQ(one.back(), "summary 32 31 1 30");
}

}  // namespace
}  // namespace ig::logs
