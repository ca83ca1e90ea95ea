// `ingressguard logs` run as a user runs it: on generated logs with a ground
// truth, on a file that grows and is rotated under --follow, on container
// logs from stdin, and on bad input.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "testing/process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using Outcome = ig::testing::ShellResult;
Outcome sh(const std::string& cmd) { return ig::testing::run_shell(cmd); }

Outcome logs(const std::string& args) { return sh(std::string(IG_BINARY) + " logs " + args + " 2>&1"); }

// /tmp/ig-logs-XXXXXX, removed at the end of the test.
struct TempDir : ig::testing::TempDir {
  TempDir() : ig::testing::TempDir("ig-logs") {}
};

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> v;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    std::string l = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!l.empty()) v.push_back(nlohmann::json::parse(l));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return v;
}

std::string nginx_line(const std::string& client, const std::string& request, int status) {
  return client + " - - [01/Mar/2026:10:15:02 +0000] \"" + request + "\" " + std::to_string(status) +
         " 150 \"-\" \"curl/8.5.0\" 80 0.001 [shop-web-80] [] 10.244.1.5:8080 150 0.001 " + std::to_string(status) +
         " 0123456789abcdef0123456789abcdef";
}

void append(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::app);
  f << text;
}

}  // namespace

// Tests a generated 400,000-line ingress-nginx log: every injected attack raises its alert, nothing else
// does. Quiet: the busy client whose 404s are spread over the hour, and eight busy API clients (NATs) whose
// expiring tokens give bursts of seven 401s every ten minutes. Among them, three brute forces are found: basic-auth
// guessing with many user names, a login brute force from one of the NAT addresses, token guessing on an API path.
TEST(LogsCli, GeneratedLogMatchesGroundTruth) {
  TempDir dir;
  std::string log = dir / "access.log", truth = dir / "truth.tsv";
  ASSERT_EQ(sh(std::string(IG_GEN_ACCESS_LOG) + " --lines 400000 --seed 7 --out " + log + " --truth " + truth).code, 0);
  Outcome r = logs(log + " --format json --fail-on high");
  ASSERT_EQ(r.code, 1) << r.out.substr(0, 2000);
  std::set<std::pair<std::string, std::string>> want, quiet;
  std::ifstream t(truth);
  std::string row;
  std::getline(t, row);
  while (std::getline(t, row)) {
    auto a = row.find('\t'), b = row.find('\t', a + 1);
    std::string det = row.substr(0, a), client = row.substr(a + 1, b - a - 1), service = row.substr(b + 1);
    if (det == "-") quiet.insert({det, client});
    else want.insert({det, client.empty() ? service : client});
  }
  ASSERT_EQ(want.size(), 15u);
  ASSERT_EQ(quiet.size(), 9u);
  std::set<std::pair<std::string, std::string>> got;
  size_t alerts = 0;
  nlohmann::json summary;
  for (const auto& j : json_lines(r.out)) {
    if (j["type"] == "summary") {
      summary = j;
      continue;
    }
    std::string who = j["client"].get<std::string>().empty() ? j["service"].get<std::string>() : j["client"].get<std::string>();
    got.insert({j["detector"], who});
    ++alerts;
    if (!want.count({j["detector"], who}))  // a quiet address raises nothing but the attack made from it
      for (const auto& q : quiet) EXPECT_NE(who, q.second) << j.dump();
    EXPECT_FALSE(j["evidence"].empty());
    EXPECT_GT(j["evidence"][0]["line"].get<int>(), 0);
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(alerts, want.size());  // one alert per attack: no repeat from a NAT address
  EXPECT_EQ(summary["unparsed"], 0);
  EXPECT_GE(summary["requests"].get<int>(), 400000);
  EXPECT_GT(summary["held_back"].get<int>(), 40);  // 8 clients x 6 bursts, each filling the bucket at least once
  EXPECT_EQ(summary["inputs"][0]["format"], "ingress-nginx");
}

// Tests terminal injection through log fields: a JSON access log whose client address, host and user agent
// decode to escape sequences (erase line, cursor up), a C1 CSI and a bidi override. The text report shows them
// escaped: no ESC, C1 or override reaches the terminal, and the alert is still there.
TEST(LogsCli, ControlBytesInLogFieldsAreEscaped) {
  TempDir dir;
  std::string log = dir / "access.json";
  std::string lines;
  for (const char* path : {"/.env", "/.git/config", "/.htpasswd", "/backup.sql", "/id_rsa"})
    lines += std::string(R"({"StartUTC":"2026-03-01T10:15:02Z","ClientHost":"203.0.113.9\u001b[2K\u001b[1A\u009b2J\u202e","RequestMethod":"GET","RequestPath":")") +
             path + R"(","RequestHost":"shop\u001b]0;pwned\u0007.example.com","DownstreamStatus":404,"request_User-Agent":"x\u001b[31mred"})" + "\n";
  append(log, lines);
  Outcome r = logs(log + " --log-format traefik-json --fail-on never");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("IG802"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "a raw ESC reached the terminal";
  EXPECT_EQ(r.out.find('\x07'), std::string::npos);
  EXPECT_EQ(r.out.find("\xc2\x9b"), std::string::npos) << "a C1 CSI reached the terminal";
  EXPECT_EQ(r.out.find("\xe2\x80\xae"), std::string::npos) << "a bidi override reached the terminal";
  EXPECT_NE(r.out.find("203.0.113.9\\x1b[2K\\x1b[1A\\u009b2J\\u202e"), std::string::npos) << r.out;
}

// Tests --output: alerts and the summary go to the file (no colour), nothing to stdout; an unwritable path is exit 2.
TEST(LogsCli, OutputToAFile) {
  TempDir dir;
  std::string log = dir / "access.log", report = dir / "alerts.txt";
  std::string lines;
  for (const char* path : {"/.env", "/.git/config", "/.htpasswd", "/backup.sql", "/id_rsa"})
    lines += nginx_line("203.0.113.8", std::string("GET ") + path + " HTTP/1.1", 404) + "\n";
  append(log, lines);
  Outcome r = logs(log + " --output " + report + " --fail-on never");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "");
  std::string written = ig::testing::read_file(report);
  EXPECT_NE(written.find("IG802"), std::string::npos) << written;
  EXPECT_NE(written.find("Summary"), std::string::npos);
  EXPECT_EQ(written.find('\x1b'), std::string::npos);
  EXPECT_EQ(logs(log + " --output /nonexistent-dir/x.txt").code, 2);
}

// Tests --follow on a file that grows, is rotated (renamed and recreated), and then stopped with SIGTERM:
// alerts arrive while it runs, the summary when it stops.
TEST(LogsCli, FollowAcrossRotation) {
  TempDir dir;
  std::string log = dir / "access.log", out = dir / "out.jsonl", err = dir / "err.txt";
  append(log, nginx_line("10.0.0.1", "GET / HTTP/1.1", 200) + "\n");
  ig::testing::ChildProcess p({IG_BINARY, "logs", "--follow", log, "--format", "json", "--log-format", "ingress-nginx"}, out, err);
  std::string burst;
  for (int i = 0; i < 12; ++i) burst += nginx_line("203.0.113.7", "GET /admin" + std::to_string(i) + " HTTP/1.1", 404) + "\n";
  append(log, burst);
  auto first = ig::testing::wait_for_line(out, "\"IG801\"", 10s);
  ASSERT_TRUE(first) << ig::testing::read_file(err);
  EXPECT_NE(first->find("203.0.113.7"), std::string::npos);
  // Rotate: the old file moves away, a new one appears at the path.
  fs::rename(log, log + ".1");
  std::string secrets;
  for (const char* path : {"/.env", "/.git/config", "/.htpasswd", "/backup.sql", "/id_rsa"})
    secrets += nginx_line("203.0.113.8", std::string("GET ") + path + " HTTP/1.1", 404) + "\n";
  append(log, secrets);
  auto second = ig::testing::wait_for_line(out, "\"IG802\"", 10s);
  ASSERT_TRUE(second) << ig::testing::read_file(out);
  EXPECT_NE(second->find("\"line\":5"), std::string::npos) << *second;  // line numbers restart in the new file
  p.signal(SIGTERM);
  auto code = p.wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1);
  auto summary = ig::testing::wait_for_line(out, "\"type\":\"summary\"", 1s);
  ASSERT_TRUE(summary);
  auto j = nlohmann::json::parse(*summary);
  EXPECT_EQ(j["requests"], 18);
}

// Tests --truncate-at on a log that nothing else rotates: once more than 1 MiB has been read the file is emptied,
// a writer holding it open with O_APPEND (as nginx does) goes on at its start, and an attack written after the
// truncation is still detected; every line is counted once.
TEST(LogsCli, FollowTruncatesAReadLog) {
  TempDir dir;
  std::string log = dir / "access.log", out = dir / "out.jsonl", err = dir / "err.txt";
  std::string filler;
  const std::string ok = nginx_line("10.0.0.1", "GET / HTTP/1.1", 200) + "\n";
  while (filler.size() < (1u << 20) + 4096) filler += ok;
  const size_t filler_lines = filler.size() / ok.size();
  append(log, filler);
  FILE* writer = fopen(log.c_str(), "a");
  ASSERT_NE(writer, nullptr);
  ig::testing::ChildProcess p({IG_BINARY, "logs", "--follow", log, "--truncate-at", "1", "--format", "json",
                               "--log-format", "ingress-nginx"},
                              out, err);
  for (int i = 0; i < 100 && fs::file_size(log) != 0; ++i) std::this_thread::sleep_for(50ms);  // bounded: 5 s
  ASSERT_EQ(fs::file_size(log), 0u) << ig::testing::read_file(err);
  std::string secrets;
  for (const char* path : {"/.env", "/.git/config", "/.htpasswd", "/backup.sql", "/id_rsa"})
    secrets += nginx_line("203.0.113.8", std::string("GET ") + path + " HTTP/1.1", 404) + "\n";
  fputs(secrets.c_str(), writer);
  fclose(writer);
  auto alert = ig::testing::wait_for_line(out, "\"IG802\"", 10s);
  ASSERT_TRUE(alert) << ig::testing::read_file(err);
  EXPECT_NE(alert->find("\"line\":5"), std::string::npos) << *alert;  // the writer went on at the file's start
  p.signal(SIGTERM);
  ASSERT_TRUE(p.wait_exit(10s));
  auto summary = ig::testing::wait_for_line(out, "\"type\":\"summary\"", 1s);
  ASSERT_TRUE(summary);
  EXPECT_EQ(nlohmann::json::parse(*summary)["requests"], filler_lines + 5);
  EXPECT_NE(logs(log + " --truncate-at 1").out.find("add --follow"), std::string::npos);
}

// Tests --follow against a rotation loop while lines are written: six times, 1,000 lines go to the file over
// about 400 ms (longer than the 200 ms poll: a file that lives shorter than a poll cannot be seen by any
// follower, tail -F included), it is renamed, 50 more lines go to the renamed file through the writer's open
// descriptor (as nginx writes until it reopens its logs), then a new file takes the path. Every one of the
// 6,300 lines is read (and the 12 of a first burst, which shows that the follower is reading).
TEST(LogsCli, FollowLosesNoLineAcrossRotations) {
  TempDir dir;
  std::string log = dir / "access.log", out = dir / "out.jsonl", err = dir / "err.txt";
  std::FILE* f = std::fopen(log.c_str(), "w");
  ASSERT_NE(f, nullptr);
  ig::testing::ChildProcess p({IG_BINARY, "logs", "--follow", log, "--format", "json", "--log-format", "ingress-nginx",
                               "--fail-on", "never"},
                              out, err);
  // The follower is reading once it has alerted on a first burst (a sanitizer build starts slowly).
  std::string burst;
  for (int i = 0; i < 12; ++i) burst += nginx_line("203.0.113.7", "GET /admin" + std::to_string(i) + " HTTP/1.1", 404) + "\n";
  std::fwrite(burst.data(), 1, burst.size(), f);
  std::fflush(f);
  ASSERT_TRUE(ig::testing::wait_for_line(out, "\"IG801\"", 30s)) << ig::testing::read_file(err);
  int written = 0;
  auto write_lines = [&](std::FILE* to, int n) {
    for (int i = 0; i < n; ++i, ++written) {
      std::string line = nginx_line("10.1." + std::to_string(written % 200) + ".1", "GET /p" + std::to_string(written) + " HTTP/1.1", 200) + "\n";
      std::fwrite(line.data(), 1, line.size(), to);
      if (i % 100 == 99) {
        std::fflush(to);
        std::this_thread::sleep_for(40ms);
      }
    }
    std::fflush(to);
  };
  for (int round = 0; round < 6; ++round) {
    write_lines(f, 1000);
    fs::rename(log, log + "." + std::to_string(round));
    write_lines(f, 50);  // still open: lands in the renamed file
    std::fclose(f);
    f = std::fopen(log.c_str(), "w");
    ASSERT_NE(f, nullptr);
  }
  std::fclose(f);
  ASSERT_EQ(written, 6300);
  std::this_thread::sleep_for(1500ms);  // several polls: the follower reaches the end of the last file
  p.signal(SIGTERM);
  ASSERT_TRUE(p.wait_exit(20s).has_value());
  auto summary = ig::testing::wait_for_line(out, "\"type\":\"summary\"", 2s);
  ASSERT_TRUE(summary) << ig::testing::read_file(err);
  auto j = nlohmann::json::parse(*summary);
  EXPECT_EQ(j["lines"], 12 + 6300) << *summary;
  EXPECT_EQ(j["requests"], 12 + 6300);
}

// Tests container logs on stdin: CRI lines with a split (P) line, detected as ingress-nginx.
TEST(LogsCli, CriWrappedStdin) {
  TempDir dir;
  std::string log = dir / "cri.log";
  std::string full = nginx_line("10.0.0.2", "GET /long HTTP/1.1", 200);
  std::string text = "2026-03-01T10:15:02.000000001Z stdout F " + nginx_line("10.0.0.1", "GET / HTTP/1.1", 200) + "\n" +
                     "2026-03-01T10:15:02.000000002Z stdout P " + full.substr(0, 40) + "\n" +
                     "2026-03-01T10:15:02.000000003Z stdout F " + full.substr(40) + "\n";
  append(log, text);
  Outcome r = logs("- --format json < " + log);
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = json_lines(r.out).back();
  EXPECT_EQ(j["requests"], 2);
  EXPECT_EQ(j["unparsed"], 0);
  EXPECT_EQ(j["inputs"][0]["format"], "ingress-nginx");
  EXPECT_EQ(j["inputs"][0]["source"], "stdin");
}

// Tests a live stream on stdin (as from `kubectl logs -f`): the alert comes while the writer still holds the
// pipe open, and the summary when it closes.
TEST(LogsCli, LiveStdinAlertsBeforeEof) {
  TempDir dir;
  std::string fifo = dir / "pipe", out = dir / "out.jsonl", err = dir / "err.txt";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ig::testing::ChildProcess p({"/bin/sh", "-c", std::string(IG_BINARY) + " logs --format json - < " + fifo}, out, err);
  FILE* w = fopen(fifo.c_str(), "w");  // opens once the shell has opened the read end
  ASSERT_NE(w, nullptr);
  for (int i = 0; i < 12; ++i) {
    std::string l = nginx_line("203.0.113.9", "GET /probe" + std::to_string(i) + " HTTP/1.1", 404) + "\n";
    fputs(l.c_str(), w);
    fflush(w);
  }
  auto alert = ig::testing::wait_for_line(out, "\"IG801\"", 10s);
  EXPECT_TRUE(alert) << ig::testing::read_file(err);
  fclose(w);
  auto code = p.wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1);
  EXPECT_TRUE(ig::testing::wait_for_line(out, "\"type\":\"summary\"", 1s));
}

// Tests that an unreadable input is an error (exit 2) that does not stop the other inputs from being analysed.
TEST(LogsCli, MissingFileStillAnalysesTheRest) {
  TempDir dir;
  std::string log = dir / "a.log";
  append(log, nginx_line("10.0.0.1", "GET / HTTP/1.1", 200) + "\n");
  Outcome r = logs(dir / "missing.log " + log);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("missing.log: No such file or directory"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 lines: 1 requests"), std::string::npos) << r.out;
}

// Tests the errors for a bad log_format string (with its column), a bad config (file:line:col), and --follow with two files.
TEST(LogsCli, BadArguments) {
  TempDir dir;
  Outcome f = logs("--log-format 'nginx:$remote_addr$status' /dev/null");
  EXPECT_EQ(f.code, 2);
  EXPECT_NE(f.out.find("at column 13"), std::string::npos) << f.out;
  std::string cfg = dir / "cfg.yaml";
  append(cfg, "detectors:\n  http-probing:\n    capacity: lots\n");
  Outcome c = logs("--config " + cfg + " /dev/null");
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.out.find(cfg + ":3:15:"), std::string::npos) << c.out;
  Outcome two = logs("--follow /dev/null /dev/null");
  EXPECT_EQ(two.code, 2);
}

// A custom nginx log_format decodes every line whatever the number of decoding threads (the workers compile
// the format string again; they once looked it up as a preset and decoded nothing), and a format that decodes
// most lines of nothing is an error with samples, not a clean run.
TEST(LogsCli, CustomFormatOnEveryThreadAndUndecodedLogsFail) {
  TempDir dir;
  std::string log = dir / "custom.log";
  std::string text;
  for (int i = 0; i < 3000; ++i)
    text += "shop.example.com 10.0.0." + std::to_string(i % 7 + 1) + " [01/Mar/2026:10:00:0" + std::to_string(i % 10) +
            " +0000] \"GET /p/" + std::to_string(i) + " HTTP/1.1\" " + "200 0.010\n";
  append(log, text);
  const std::string format = "--log-format 'nginx:$host $remote_addr [$time_local] \"$request\" $status $request_time'";
  for (const char* threads : {"1", "2", "4"}) {
    Outcome r = logs(format + " --threads " + threads + " --format json " + log);
    EXPECT_EQ(r.code, 0) << threads << ": " << r.out.substr(0, 2000);
    auto lines = json_lines(r.out);
    ASSERT_FALSE(lines.empty());
    const auto& summary = lines.back();
    EXPECT_EQ(summary["requests"], 3000) << threads << ": " << summary.dump();
    EXPECT_EQ(summary["unparsed"], 0) << threads;
  }
  Outcome wrong = logs("--log-format combined --threads 2 " + log);
  EXPECT_EQ(wrong.code, 2) << wrong.out.substr(0, 2000);
  EXPECT_NE(wrong.out.find("ingressguard: 3000 of 3000 lines (100%) were not decoded with the log format (combined): "
                           "check --log-format; the first of them:\n  " + log + ":1: shop.example.com 10.0.0.1"),
            std::string::npos) << wrong.out.substr(0, 3000);
}

// Tests the detector listing: every ID with its threshold.
TEST(LogsCli, ListDetectors) {
  Outcome r = logs("--list-detectors");
  ASSERT_EQ(r.code, 0);
  for (const char* id : {"IG801", "IG802", "IG803", "IG804", "IG805", "IG806", "IG807", "IG808", "IG809", "IG810", "IG811",
                         "IG820", "IG821", "IG822"})
    EXPECT_NE(r.out.find(id), std::string::npos) << id;
  EXPECT_NE(r.out.find("11 events, one leaks per 10s"), std::string::npos) << r.out;
}
