#include "logs/blocklist.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "testing/process.h"

namespace ig::logs {
namespace {

namespace fs = std::filesystem;

using ig::testing::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Alert alert(const std::string& client, Detector d = Detector::BruteForce, Severity s = Severity::High) {
  Alert a{};
  a.detector = d;
  a.severity = s;
  a.client = client;
  return a;
}

constexpr int64_t kNow = 1'800'000'000;

// Tests what is blocked: an address at or above the severity (IPv6 in its canonical form); not a lower
// severity, not a never-block range, not a name. The file is written only at commit, and the command runs then.
TEST(Blocklist, DecidesWritesAndRuns) {
  TempDir dir("ig-block");
  BlocklistOptions o;
  o.path = dir / "deny.conf";
  o.decisions = dir / "decisions.jsonl";
  o.duration_ms = 1'800'000;
  o.never.push_back(*parse_cidr("10.0.0.0/8"));
  o.on_change = {"touch", dir / "reloaded"};
  auto b = Blocklist::open(o, kNow);
  ASSERT_TRUE(b) << b.error().message;
  Blocklist& bl = **b;
  EXPECT_EQ(slurp(o.path).find("deny "), std::string::npos);  // written empty at the start, for nginx's include
  bl.consider(alert("203.0.113.5"), kNow);
  bl.consider(alert("2001:DB8::0:1"), kNow);
  bl.consider(alert("203.0.113.6", Detector::Probing, Severity::Medium), kNow);  // below the severity
  bl.consider(alert("10.1.2.3"), kNow);                                           // never blocked
  bl.consider(alert("not-an-address\n; include /etc/passwd"), kNow);              // not an address
  EXPECT_FALSE(fs::exists(dir / "reloaded"));
  std::string error;
  bl.commit(kNow, error);
  EXPECT_EQ(error, "");
  std::string text = slurp(o.path);
  EXPECT_NE(text.find("deny 203.0.113.5; # until 1800001800 "), std::string::npos) << text;
  EXPECT_NE(text.find("deny 2001:db8::1; # until"), std::string::npos) << text;
  EXPECT_NE(text.find("IG805 auth-brute-force"), std::string::npos);
  EXPECT_EQ(text.find("203.0.113.6"), std::string::npos);
  EXPECT_EQ(text.find("10.1.2.3"), std::string::npos);
  EXPECT_EQ(text.find("passwd"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "reloaded"));
  EXPECT_EQ(bl.stats().decisions, 2u);
  EXPECT_EQ(bl.stats().refused, 2u);
  EXPECT_EQ(bl.stats().reloads, 1u);
  // The decisions feed, one JSON line each, in CrowdSec's decision shape.
  std::istringstream lines(slurp(o.decisions));
  std::string first;
  ASSERT_TRUE(std::getline(lines, first));
  auto j = nlohmann::json::parse(first);
  EXPECT_EQ(j["origin"], "ingressguard");
  EXPECT_EQ(j["type"], "ban");
  EXPECT_EQ(j["scope"], "Ip");
  EXPECT_EQ(j["value"], "203.0.113.5");
  EXPECT_EQ(j["duration"], "30m0s");
  EXPECT_EQ(j["scenario"], "IG805 auth-brute-force");
  // Nothing new: no write, no run.
  fs::remove(dir / "reloaded");
  bl.commit(kNow + 1, error);
  EXPECT_FALSE(fs::exists(dir / "reloaded"));
  EXPECT_EQ(bl.stats().writes, 1u);  // one change (the empty file written at the start is not counted)
}

// Tests expiry, the cap (the entry expiring first makes room) and a restart that reads the file back.
TEST(Blocklist, ExpiresCapsAndSurvivesARestart) {
  TempDir dir("ig-block");
  BlocklistOptions o;
  o.path = dir / "deny.conf";
  o.duration_ms = 600'000;
  o.max_entries = 2;
  std::string error;
  {
    auto b = Blocklist::open(o, kNow);
    ASSERT_TRUE(b);
    (*b)->consider(alert("192.0.2.1"), kNow);
    (*b)->consider(alert("192.0.2.2"), kNow + 10);
    (*b)->consider(alert("192.0.2.3"), kNow + 20);  // the cap: 192.0.2.1 expires first and goes
    (*b)->commit(kNow + 20, error);
    EXPECT_EQ((*b)->stats().evicted, 1u);
    EXPECT_EQ((*b)->stats().active, 2u);
  }
  std::string text = slurp(o.path);
  EXPECT_EQ(text.find("192.0.2.1;"), std::string::npos);
  EXPECT_NE(text.find("192.0.2.3;"), std::string::npos);
  // A restart 605 s later: 192.0.2.2's decision (until +610) is kept, then expires.
  auto again = Blocklist::open(o, kNow + 605);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->stats().active, 2u);
  (*again)->expire(kNow + 611);
  (*again)->commit(kNow + 611, error);
  text = slurp(o.path);
  EXPECT_EQ(text.find("192.0.2.2;"), std::string::npos);
  EXPECT_NE(text.find("192.0.2.3;"), std::string::npos);
  EXPECT_EQ((*again)->stats().expired, 1u);
}

// Tests the failures that must not pass silently: a path that cannot be written fails at the start; a command
// that fails is reported and counted, and the next change runs it again.
TEST(Blocklist, FailuresAreReported) {
  TempDir dir("ig-block");
  BlocklistOptions bad;
  bad.path = dir / "missing-dir/deny.conf";
  auto b = Blocklist::open(bad, kNow);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("--blocklist"), std::string::npos);
  BlocklistOptions o;
  o.path = dir / "deny.conf";
  o.on_change = {"false"};
  auto ok = Blocklist::open(o, kNow);
  ASSERT_TRUE(ok);
  (*ok)->consider(alert("198.51.100.9"), kNow);
  std::string error;
  (*ok)->commit(kNow, error);
  EXPECT_EQ(error, "--on-change failed");
  EXPECT_EQ((*ok)->stats().reload_errors, 1u);
}

}  // namespace
}  // namespace ig::logs
