// Runs the ingressguard binary the way a user or CI job does, and checks its
// output and exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int code;
  std::string out;
};

// Runs a shell command line; stderr is folded into stdout when asked.
Outcome run(const std::string& args, bool with_stderr = false) {
  std::string cmd = "cd " + std::string(IG_SOURCE_DIR) + " && " + std::string(IG_BINARY) + " " + args +
                    (with_stderr ? " 2>&1" : " 2>/dev/null");
  Outcome r{-1, {}};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

// Tests that the demo cluster trips most rules and exits 1, in the documented JSON shape.
TEST(Cli, DemoFindingsAsJson) {
  Outcome r = run("scan examples/demo --format json");
  ASSERT_EQ(r.code, 1) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["tool"]["name"], "ingressguard");
  EXPECT_TRUE(doc["errors"].empty());
  std::set<std::string> rules;
  for (const auto& f : doc["findings"]) {
    rules.insert(f["rule"].get<std::string>());
    for (const char* k : {"rule", "severity", "title", "message", "resource", "location", "remediation"})
      EXPECT_TRUE(f.contains(k)) << k;
    EXPECT_GT(f["location"]["line"].get<int>(), 0);
    EXPECT_EQ(f["location"]["file"].get<std::string>().rfind("examples/demo/", 0), 0u);
  }
  // Most of the catalogue fires on the demo.
  EXPECT_GE(rules.size(), 22u);
  EXPECT_GE(doc["summary"]["objects"].get<int>(), 15);
}

// Tests that the hardened variant has no finding of medium or above (exit 0).
TEST(Cli, HardenedIsClean) {
  Outcome r = run("scan examples/hardened --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  int suppressed = 0;
  for (const auto& f : doc["findings"]) {
    if (f.contains("suppressed")) {  // an accepted risk, recorded with its reason
      ++suppressed;
      EXPECT_FALSE(f["suppressed"]["reason"].get<std::string>().empty()) << f.dump();
      continue;
    }
    std::string sev = f["severity"];
    EXPECT_TRUE(sev == "low" || sev == "info") << f.dump();
  }
  EXPECT_EQ(doc["summary"]["suppressed"].get<int>(), suppressed);
  EXPECT_GE(doc["summary"]["objects"].get<int>(), 15);
}

// Tests the compiler-style text output: location, severity, rule ID, source excerpt and summary.
TEST(Cli, TextOutputLooksLikeACompiler) {
  Outcome r = run("scan examples/demo --no-color");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("examples/demo/"), std::string::npos);
  EXPECT_NE(r.out.find(": critical: "), std::string::npos);
  EXPECT_NE(r.out.find("[IG201]"), std::string::npos);
  EXPECT_NE(r.out.find("       = fix: "), std::string::npos);
  EXPECT_NE(r.out.find(" | "), std::string::npos);
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos);  // no colours when not a terminal
  EXPECT_NE(r.out.find("findings ("), std::string::npos);
}

// Tests --fail-on: raising the threshold above every finding exits 0; never never fails.
TEST(Cli, FailOnThreshold) {
  // A lone low finding (no ingress class) fails at --fail-on low only.
  fs::path f = fs::temp_directory_path() / "ig_cli_low.yaml";
  std::ofstream(f) << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\nspec:\n"
                      "  tls: [{hosts: [a.example.com]}]\n  rules: [{host: a.example.com}]\n";
  EXPECT_EQ(run("scan " + f.string() + " --fail-on low").code, 1);
  EXPECT_EQ(run("scan " + f.string() + " --fail-on medium").code, 0);
  EXPECT_EQ(run("scan " + f.string()).code, 0);  // default threshold: medium
  fs::remove(f);
  EXPECT_EQ(run("scan examples/hardened --fail-on info").code, 0);
  EXPECT_EQ(run("scan examples/demo --fail-on never").code, 0);
  EXPECT_EQ(run("scan examples/demo --fail-on critical").code, 1);
}

// Tests that stdin is read with `-`, JSON and YAML alike.
TEST(Cli, Stdin) {
  Outcome y = run("scan - --format json < examples/demo/ingress-nginx.yaml");
  EXPECT_EQ(y.code, 1);
  auto doc = nlohmann::json::parse(y.out);
  EXPECT_EQ(doc["findings"][0]["location"]["file"], "-");
  Outcome j = run(R"(scan - --format json < tests/cli/service-external-ip.json)");
  EXPECT_EQ(j.code, 1);
  EXPECT_EQ(nlohmann::json::parse(j.out)["findings"][0]["rule"], "IG402");
}

// Tests that a broken file gives exit 2 with file:line:col while the other inputs are still scanned.
TEST(Cli, BadInputStillScansTheRest) {
  fs::path dir = fs::temp_directory_path() / "ig_cli_bad";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "broken.yaml") << "apiVersion: v1\nkind: Service\nmetadata:\n\tname: x\n";
  Outcome r = run("scan " + (dir / "broken.yaml").string() + " examples/demo --format json", true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("broken.yaml:4:1: error:"), std::string::npos) << r.out;
  Outcome j = run("scan " + (dir / "broken.yaml").string() + " examples/demo --format json");
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["errors"].size(), 1u);
  EXPECT_EQ(doc["errors"][0]["line"], 4);
  EXPECT_GT(doc["findings"].size(), 10u);
  fs::remove_all(dir);
}

// Tests usage errors: unknown flag, no path, bad format all exit 2.
TEST(Cli, UsageErrors) {
  EXPECT_EQ(run("scan").code, 2);
  EXPECT_EQ(run("scan examples/demo --format yaml").code, 2);
  EXPECT_EQ(run("scan examples/demo --bogus").code, 2);
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("--version").code, 0);
}

// Tests that --output writes the report to a file and nothing to stdout.
TEST(Cli, OutputFile) {
  fs::path out = fs::temp_directory_path() / "ig_cli_report.json";
  fs::remove(out);
  Outcome r = run("scan examples/demo --format json --output " + out.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.out.empty());
  std::ifstream in(out);
  auto doc = nlohmann::json::parse(in);
  EXPECT_GT(doc["findings"].size(), 10u);
  fs::remove(out);
}

// Tests that a Secret's data never reaches the report, even when a finding points into the Secret.
TEST(Cli, SecretDataNeverPrinted) {
  fs::path dir = fs::temp_directory_path() / "ig_cli_secret";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "s.yaml") << "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels: {x: yes}\n"
                                   "type: kubernetes.io/tls\ndata:\n  tls.key: U0VDUkVUU0VDUkVU\n  tls.key: U0VDUkVUU0VDUkVU\n";
  Outcome r = run("scan " + dir.string() + " --no-color");
  EXPECT_EQ(r.out.find("U0VDUkVU"), std::string::npos) << r.out;
  fs::remove_all(dir);
}
